import {defineCheck, perTarget} from '../src/check.js'
import {executorDaemonLogErrors} from '../src/targets/executor/checks/daemon-log-errors.js'
import {runwispDaemonLogErrors} from '../src/targets/runwisp/checks/daemon-log-errors.js'
import {declaredDaemonLogErrors} from '../src/generic/daemon-log-errors.js'

export default defineCheck({
  id: 'daemon-log-errors',
  title: 'Check the daemon log for known failures',
  description:
    "The tail of the daemon log (Executor: logs/daemon.error.log; RunWisp: daemon.log; a declared target: its declared logs) is matched against the failure lines the product is known to print (a declared target: its declared symptoms' patterns).",
  fixable: false,
  ...perTarget({executor: executorDaemonLogErrors, runwisp: runwispDaemonLogErrors}, declaredDaemonLogErrors),
})
