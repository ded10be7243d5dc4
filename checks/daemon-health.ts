import {defineCheck, perTarget} from '../src/check.js'
import {executorDaemonHealth} from '../src/targets/executor/checks/daemon-health.js'

export default defineCheck({
  id: 'daemon-health',
  title: 'Check the daemon answers as Executor',
  description: 'The daemon on the registered (or default) origin answers its generation\'s health probe, and the process answering is Executor.',
  fixable: false,
  ...perTarget({executor: executorDaemonHealth}),
})
