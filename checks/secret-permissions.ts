import {defineCheck, perTarget} from '../src/check.js'
import {runwispSecretPermissions} from '../src/targets/runwisp/checks/secret-permissions.js'

export default defineCheck({
  id: 'secret-permissions',
  title: 'Check secret file permissions',
  description: 'Secret files are 0600 and owned by the user the daemon runs as.',
  fixable: true,
  ...perTarget({runwisp: runwispSecretPermissions}),
})
