import {defineCheck, perTarget} from '../src/check.js'
import {executorDaemonLogErrors} from '../src/targets/executor/checks/daemon-log-errors.js'

export default defineCheck({
  id: 'daemon-log-errors',
  title: 'Check the daemon log for known failures',
  description: 'The tail of logs/daemon.error.log is matched against the failure lines Executor is known to print.',
  fixable: false,
  ...perTarget({executor: executorDaemonLogErrors}),
})
