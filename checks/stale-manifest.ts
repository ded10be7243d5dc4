/**
 * stale-manifest: the files in which a product records its running daemon (Executor: server.json,
 * its daemon records and pointers; RunWisp: daemon.pid) name a live daemon process, not a dead or
 * recycled pid. Written once: each record the profile lists (`hooks.records`) is judged by the one
 * recorded-pid rule (src/targets/recorded-pid.ts: dead, or recycled because its process started
 * after the file was written or is not the product), and its quarantine is guarded by that pid's
 * state; the product's rule for that kind of file words the verdict (a dead pointer is no finding,
 * a dead daemon.pid harmless once RunWisp locks it). A target that keeps no records (a declared
 * one: its pid file is stale-lock's) skips, saying so.
 */
import {defineCheck, isSkip, skip, writtenOnce, type DeclaredCheck} from '../src/check.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import {judgeRecordedFiles} from '../src/targets/recorded-pid.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'

const staleManifest: DeclaredCheck = {
  symptoms: [],
  hookSymptoms: ['records'],
  async detect(ctx, profile) {
    const records = await profile.hooks?.records?.(ctx)
    if (!records) {
      const pidFile = profile.pidFile ? `; its pid file ${profile.pidFile.path} is judged by stale-lock` : ''
      return skip(`${profile.id} declares no daemon records or manifests${pidFile}`)
    }
    const verdict = await judgeRecordedFiles(ctx, records)
    if (isSkip(verdict) || !profile.hooks?.guardPlans) return verdict
    return profile.hooks.guardPlans(ctx, verdict)
  },
}

export default defineCheck({
  id: 'stale-manifest',
  title: 'Check daemon manifests and records',
  description: 'Manifests, daemon records, pointers and pid files must name a live daemon process, not a dead or recycled pid.',
  fixable: true,
  ...writtenOnce(staleManifest, [executorProfile, runwispProfile]),
})
