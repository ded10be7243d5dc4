import {defineCheck, perTarget} from '../src/check.js'
import {executorE2ePorts} from '../src/targets/executor/checks/e2e-ports.js'

export default defineCheck({
  id: 'e2e-ports',
  title: "Check this checkout's e2e port block is free",
  description:
    'The e2e suite claims a per-checkout block of ports (FNV-1a of the repo root); squatters, pins and locks on it make boots fail or attach to the wrong server.',
  fixable: true,
  ...perTarget({executor: executorE2ePorts}),
})
