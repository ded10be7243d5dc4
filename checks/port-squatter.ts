import {defineCheck, perTarget} from '../src/check.js'
import {executorPortSquatter} from '../src/targets/executor/checks/port-squatter.js'

export default defineCheck({
  id: 'port-squatter',
  title: 'Check nothing else holds the daemon ports',
  description: 'Ports 4788 (CLI daemon), 4789 (service) and the registered port must be free or held by Executor itself.',
  fixable: false,
  ...perTarget({executor: executorPortSquatter}),
})
