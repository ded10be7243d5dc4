import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {checkRecordedPid, processEvidence} from '../identity.js'
import {executorGeneration} from '../target.js'
import {
  expectedOrigin,
  loadExecutorState,
  manifestGeneration,
  manifestOf,
  observePort,
  portOf,
  probeHealth,
  requireReadableDataDir,
} from '../state.js'

export const executorDaemonHealth: TargetCheck = {
  symptoms: ['executor/health-no-answer', 'executor/health-wrong-answer', 'executor/health-not-executor'],
  async detect(ctx, target) {
    const state = await loadExecutorState(ctx)
    requireReadableDataDir(state)
    const manifest = manifestOf(state)
    const origin = expectedOrigin(state, ctx)
    const port = portOf(origin)
    const owners = await observePort(ctx, port, manifest?.owner.executablePath)
    if (owners.length === 0) {
      if (!manifest) return skip(`no daemon is registered or listening on port ${port}; the CLI starts one on demand`)
      const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
      if (pid.state !== 'alive')
        return skip(
          `the registered daemon (pid ${manifest.pid}) is not running and nothing listens on port ${port}; stale-manifest reports the leftover manifest`,
        )
    }
    const foreign = owners.find((o) => o.identity?.verdict === 'foreign')
    if (foreign?.proc) {
      return [
        finding('executor/health-not-executor', {
          vars: {origin, port, pid: foreign.proc.pid, command: foreign.proc.cmdline},
          evidence: {origin, port, owner: processEvidence(foreign.proc), why: foreign.identity!.why},
        }),
      ]
    }
    const generation = manifestGeneration(state)?.generation ?? executorGeneration(target)
    const answer = await probeHealth(ctx, origin, generation)
    if (answer.kind === 'no-answer') {
      return [
        finding('executor/health-no-answer', {
          vars: {url: answer.url, timeoutMs: ctx.options.httpTimeoutMs, error: answer.error.message, origin, port},
          evidence: {url: answer.url, error: answer.error.error, durationMs: answer.error.durationMs, listeners: owners.map((o) => o.pid)},
        }),
      ]
    }
    if (answer.kind === 'wrong-answer') {
      const last = answer.tried.at(-1)!
      return [
        finding('executor/health-wrong-answer', {
          vars: {
            origin,
            port,
            path: last.rule.path,
            status: last.status,
            body: last.body,
            cut: last.cut ? ` (its body ${last.cut})` : '',
            expected: last.rule.expected,
          },
          evidence: {
            origin,
            generation,
            answers: answer.tried.map((t) => ({url: t.url, status: t.status, body: t.body, ...(t.cut ? {bodyCut: t.cut} : {})})),
          },
        }),
      ]
    }
    const unknownOwner = owners.find((o) => !o.identity)
    if (unknownOwner) {
      throw new Undetermined(
        `${origin} answers as Executor, but the process holding port ${port} cannot be identified: ${unknownOwner.reason}`,
        {origin, port},
      )
    }
    return []
  },
}
