import {defineCheck, perTarget} from '../src/check.js'
import {executorStaleManifest} from '../src/targets/executor/checks/stale-manifest.js'

export default defineCheck({
  id: 'stale-manifest',
  title: 'Check daemon manifests and records',
  description: 'server.json, daemon records and pointers must name a live Executor process, not a dead or recycled pid.',
  fixable: true,
  ...perTarget({executor: executorStaleManifest}),
})
