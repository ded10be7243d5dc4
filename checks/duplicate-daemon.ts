import {defineCheck, perTarget} from '../src/check.js'
import {executorDuplicateDaemon} from '../src/targets/executor/checks/duplicate-daemon.js'

export default defineCheck({
  id: 'duplicate-daemon',
  title: 'Check only one daemon owns the data dir',
  description: 'Two Executor daemons against one data dir fight over its database; a daemon nobody registered cannot be found by clients.',
  fixable: false,
  ...perTarget({executor: executorDuplicateDaemon}),
})
