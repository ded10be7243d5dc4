import {defineCheck, perTarget} from '../src/check.js'
import {executorTokenDrift} from '../src/targets/executor/checks/token-drift.js'

export default defineCheck({
  id: 'token-drift',
  title: 'Check the bearer token is consistent',
  description: 'server-control/auth.json must exist, be valid and match the token the running server uses, or MCP clients get 401.',
  fixable: false,
  ...perTarget({executor: executorTokenDrift}),
})
