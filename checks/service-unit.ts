import {defineCheck, perTarget} from '../src/check.js'
import {executorServiceUnit} from '../src/targets/executor/checks/service-unit.js'
import {runwispServiceUnit} from '../src/targets/runwisp/checks/service-unit.js'

export default defineCheck({
  id: 'service-unit',
  title: 'Check the OS service definition',
  description:
    'The installed service must start a binary that exists, run as the user that owns the data dir, match the CLI version, run without a login session and serve the port clients use.',
  fixable: false,
  ...perTarget({executor: executorServiceUnit, runwisp: runwispServiceUnit}),
})
