import {defineCheck, perTarget} from '../src/check.js'
import {executorViteCache} from '../src/targets/executor/checks/vite-cache.js'

export default defineCheck({
  id: 'vite-cache',
  title: 'Check Vite dependency caches are current',
  description: 'Vite optimizer caches built for another lockfile, for sources that are gone or before the last rebase serve stale code.',
  fixable: true,
  ...perTarget({executor: executorViteCache}),
})
