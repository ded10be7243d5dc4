import {defineCheck, perTarget} from '../src/check.js'
import {executorPortSquatter} from '../src/targets/executor/checks/port-squatter.js'
import {runwispPortSquatter} from '../src/targets/runwisp/checks/port-squatter.js'
import {declaredPortSquatter} from '../src/generic/port-squatter.js'

export default defineCheck({
  id: 'port-squatter',
  title: 'Check nothing else holds the daemon ports',
  description:
    'The daemon ports (Executor: 4788, 4789 and the registered port; RunWisp: 9477 or the configured port; a declared target: its declared ports) must be free or held by the product itself.',
  fixable: false,
  ...perTarget({executor: executorPortSquatter, runwisp: runwispPortSquatter}, declaredPortSquatter),
})
