import {defineCheck, perTarget} from '../src/check.js'
import {executorLeakedDevServers} from '../src/targets/executor/checks/leaked-dev-servers.js'

export default defineCheck({
  id: 'leaked-dev-servers',
  title: 'Check for dev servers left by removed checkouts',
  description:
    'vite / dev-db processes whose checkout no longer exists squat ports and serve deleted code; recorded e2e instances are left alone.',
  fixable: true,
  ...perTarget({executor: executorLeakedDevServers}),
})
