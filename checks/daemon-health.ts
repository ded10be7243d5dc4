import {defineCheck, perTarget} from '../src/check.js'
import {executorDaemonHealth} from '../src/targets/executor/checks/daemon-health.js'
import {runwispDaemonHealth} from '../src/targets/runwisp/checks/daemon-health.js'
import {declaredDaemonHealth} from '../src/generic/daemon-health.js'

export default defineCheck({
  id: 'daemon-health',
  title: 'Check the daemon answers as itself',
  description:
    "The daemon on the registered (or default) origin answers its generation's health probe, and the process answering is the product itself (a declared target: its declared http, tcp send/expect or connect probe, counted only from a process matching its declared identity).",
  fixable: true,
  ...perTarget({executor: executorDaemonHealth, runwisp: runwispDaemonHealth}, declaredDaemonHealth),
})
