import {defineCheck, perTarget} from '../src/check.js'
import {executorPublicOrigin} from '../src/targets/executor/checks/public-origin.js'

export default defineCheck({
  id: 'public-origin',
  title: 'Check the self-host public origin',
  description:
    'Self-host builds OAuth redirects and connect links from its public origin; a wrong one gives "Invalid origin" and "Invalid login state".',
  fixable: false,
  ...perTarget({executor: executorPublicOrigin}),
})
