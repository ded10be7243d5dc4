import {defineCheck, perTarget} from '../src/check.js'
import {executorSymlinkedSecret} from '../src/targets/executor/checks/symlinked-secret.js'
import {runwispSymlinkedSecret} from '../src/targets/runwisp/checks/symlinked-secret.js'
import {declaredSymlinkedSecret} from '../src/generic/symlinked-secret.js'

export default defineCheck({
  id: 'symlinked-secret',
  title: 'Check secret files are not symlinks',
  description:
    'Secret files must be real files: a write through a symlink lands wherever the link points (TOCTOU), and the daemon refuses or silently stops updating it.',
  fixable: true,
  ...perTarget({executor: executorSymlinkedSecret, runwisp: runwispSymlinkedSecret}, declaredSymlinkedSecret),
})
