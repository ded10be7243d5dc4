import {defineCheck, perTarget} from '../src/check.js'
import {executorAuthEnv} from '../src/targets/executor/checks/auth-env.js'

export default defineCheck({
  id: 'auth-env',
  title: 'Check Executor environment variables and profiles',
  description:
    'Exported tokens disable auto-start and cause 401s, a global EXECUTOR_WEB_BASE_URL leaks into daemons, a relative data dir splits state, a default profile overrides the local daemon.',
  fixable: false,
  ...perTarget({executor: executorAuthEnv}),
})
