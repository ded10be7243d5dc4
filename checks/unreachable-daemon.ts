import {defineCheck, perTarget} from '../src/check.js'
import {executorUnreachableDaemon} from '../src/targets/executor/checks/unreachable-daemon.js'

export default defineCheck({
  id: 'unreachable-daemon',
  title: 'Check the registered daemon is reachable',
  description: 'A daemon registered in server.json whose process is alive must answer its health probe; otherwise every start is refused.',
  fixable: true,
  ...perTarget({executor: executorUnreachableDaemon}),
})
