import {defineCheck, perTarget} from '../src/check.js'
import {runwispSymlinkedSecret} from '../src/targets/runwisp/checks/symlinked-secret.js'

export default defineCheck({
  id: 'symlinked-secret',
  title: 'Check secrets are not symlinks',
  description: 'Secret files (passwords, pid files) must be real files: the daemon refuses to write through a symlink, which could redirect the write (TOCTOU).',
  fixable: true,
  ...perTarget({runwisp: runwispSymlinkedSecret}),
})
