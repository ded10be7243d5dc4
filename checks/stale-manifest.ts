import {defineCheck, perTarget} from '../src/check.js'
import {executorStaleManifest} from '../src/targets/executor/checks/stale-manifest.js'
import {runwispStaleManifest} from '../src/targets/runwisp/checks/stale-manifest.js'

export default defineCheck({
  id: 'stale-manifest',
  title: 'Check daemon manifests and records',
  description: 'Manifests, daemon records, pointers and pid files must name a live daemon process, not a dead or recycled pid.',
  fixable: true,
  ...perTarget({executor: executorStaleManifest, runwisp: runwispStaleManifest}),
})
