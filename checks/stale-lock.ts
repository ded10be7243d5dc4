import {defineCheck, perTarget} from '../src/check.js'
import {executorStaleLock} from '../src/targets/executor/checks/stale-lock.js'
import {runwispStaleLock} from '../src/targets/runwisp/checks/stale-lock.js'
import {declaredStaleLock} from '../src/generic/stale-lock.js'

export default defineCheck({
  id: 'stale-lock',
  title: 'Check daemon start locks',
  description:
    'Start locks left by dead, recycled or garbage pids block or litter daemon starts (a declared target: its declared pid file).',
  fixable: true,
  ...perTarget({executor: executorStaleLock, runwisp: runwispStaleLock}, declaredStaleLock),
})
