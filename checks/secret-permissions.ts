import {defineCheck, perTarget} from '../src/check.js'
import {executorSecretPermissions} from '../src/targets/executor/checks/secret-permissions.js'
import {runwispSecretPermissions} from '../src/targets/runwisp/checks/secret-permissions.js'
import {declaredSecretPermissions} from '../src/generic/secret-permissions.js'

export default defineCheck({
  id: 'secret-permissions',
  title: 'Check secret files are private',
  description:
    'Files holding tokens, passwords or secrets must be private (0600, owned by the user the daemon runs as), never readable by other users (a declared target: each declared secret file, at most its declared mode).',
  fixable: true,
  ...perTarget({executor: executorSecretPermissions, runwisp: runwispSecretPermissions}, declaredSecretPermissions),
})
