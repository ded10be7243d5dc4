import {defineCheck, perTarget} from '../src/check.js'
import {executorSecretPermissions} from '../src/targets/executor/checks/secret-permissions.js'

export default defineCheck({
  id: 'secret-permissions',
  title: 'Check secret files are private',
  description: 'Files holding tokens, passwords or secrets must not be readable by other users.',
  fixable: true,
  ...perTarget({executor: executorSecretPermissions}),
})
