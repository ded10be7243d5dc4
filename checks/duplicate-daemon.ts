import {defineCheck, perTarget} from '../src/check.js'
import {executorDuplicateDaemon} from '../src/targets/executor/checks/duplicate-daemon.js'
import {runwispDuplicateDaemon} from '../src/targets/runwisp/checks/duplicate-daemon.js'

export default defineCheck({
  id: 'duplicate-daemon',
  title: 'Check only one daemon owns the data dir',
  description:
    'Two daemons against one data dir fight over its database; a daemon nobody registered, or one of another data dir on the port, cannot be used by clients.',
  fixable: false,
  ...perTarget({executor: executorDuplicateDaemon, runwisp: runwispDuplicateDaemon}),
})
