import {defineCheck, perTarget} from '../src/check.js'
import {executorSymlinkedSecret} from '../src/targets/executor/checks/symlinked-secret.js'

export default defineCheck({
  id: 'symlinked-secret',
  title: 'Check secret files are not symlinks',
  description: 'A secret behind a symlink is written to wherever the link points, or silently stops being updated.',
  fixable: true,
  ...perTarget({executor: executorSymlinkedSecret}),
})
