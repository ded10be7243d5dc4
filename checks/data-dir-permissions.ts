import {defineCheck, perTarget} from '../src/check.js'
import {runwispDataDirPermissions} from '../src/targets/runwisp/checks/data-dir-permissions.js'
import {declaredDataDirPermissions} from '../src/generic/data-dir-permissions.js'

export default defineCheck({
  id: 'data-dir-permissions',
  title: 'Check the data dir permissions',
  description:
    'The data dir is a 0700 directory owned by, and writable by, the user the daemon runs as (a declared target: the mode and owner it declares).',
  fixable: true,
  ...perTarget({runwisp: runwispDataDirPermissions}, declaredDataDirPermissions),
})
