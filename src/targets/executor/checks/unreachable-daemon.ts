import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {checkRecordedPid} from '../identity.js'
import {executorGeneration} from '../target.js'
import {loadExecutorState, manifestGeneration, manifestOf, portOf, probeHealth, requireReadableDataDir} from '../state.js'

export const executorUnreachableDaemon: TargetCheck = {
  symptoms: ['executor/registered-unreachable'],
  async detect(ctx, target) {
    const state = await loadExecutorState(ctx)
    requireReadableDataDir(state)
    const manifest = manifestOf(state)
    if (!manifest) return skip('no daemon is registered in server.json')
    const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
    if (pid.state === 'unknown') throw new Undetermined(`cannot tell whether registered pid ${manifest.pid} is alive: ${pid.reason}`)
    if (pid.state !== 'alive') return skip(`the registered pid ${manifest.pid} is not a running Executor (stale-manifest reports it)`)
    const origin = manifest.connection.origin
    const generation = manifestGeneration(state)?.generation ?? executorGeneration(target)
    const answer = await probeHealth(ctx, origin, generation)
    if (answer.kind === 'healthy') return []
    const error = answer.kind === 'no-answer' ? answer.error.message : `it answered ${answer.tried.map((t) => `${t.rule.path} with ${t.status}`).join(', ')}`
    return [
      finding('executor/registered-unreachable', {
        vars: {kind: manifest.kind, origin, pid: manifest.pid, error, port: portOf(origin)},
        evidence: {
          origin,
          pid: manifest.pid,
          kind: manifest.kind,
          probe: answer.kind === 'no-answer' ? {url: answer.url, error: answer.error.error, durationMs: answer.error.durationMs} : {answers: answer.tried.map((t) => `${t.url} → ${t.status}`)},
        },
      }),
    ]
  },
}
