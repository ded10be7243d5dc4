/**
 * daemon-health for a declared target: its health port is held by the daemon itself (by its
 * declared process identity) and that process answers the declared probe. An answer from any
 * other process does not count, however right it looks: a squatter answering "ok" or "+PONG" is
 * not the daemon. A verified daemon that accepts but never answers is hung: `--fix` offers to
 * terminate it (after confirmation).
 */
import {skip, Undetermined, type DeclaredCheck} from '../check.js'
import type {CheckContext} from '../context.js'
import {terminateStep} from '../fix/steps.js'
import type {ProcessInfo} from '../probes/processes.js'
import {declaredFinding} from '../targets/declared/facts.js'
import {probeCommand, probeHealth} from '../targets/declared/health.js'
import {processEvidence, redactCommand} from '../targets/declared/identity.js'
import {observePort, reachAt} from '../targets/declared/ports.js'
import type {TargetFacts} from '../targets/profile.js'

export const declaredDaemonHealth: DeclaredCheck = {
  symptoms: ['not-answering', 'unhealthy', 'hung', 'impostor'],
  async detect(ctx, profile) {
    const health = profile.health
    if (!health) return skip(`${profile.id} declares no health probe`)
    if (health.kind === 'product') return skip(`${profile.id}'s health is judged by its own probe, not a declared one`)
    const port = health.port
    const holders = await observePort(ctx, profile, port)
    if (holders.length === 0) {
      return [declaredFinding(profile, 'not-answering', {vars: {port, error: 'nothing listens there'}, evidence: {port, listeners: 0}})]
    }
    for (const h of holders) {
      if (h.verdict !== 'other') continue
      const cwd = await ctx.processes.cwd(h.proc.pid)
      return [
        declaredFinding(profile, 'impostor', {
          vars: {port, pid: h.proc.pid, command: redactCommand(profile, h.proc.cmdline)},
          evidence: {port, address: h.listener.address, holder: processEvidence(profile, h.proc, cwd), why: h.identity.why},
        }),
      ]
    }
    const holder = holders.find((h) => h.verdict === 'match') ?? holders.find((h) => h.verdict === 'undeclared')
    if (!holder || holder.verdict === 'unknown') {
      const why = holders
        .map((h) => (h.verdict === 'unknown' ? h.why : ''))
        .filter(Boolean)
        .join('; ')
      throw new Undetermined(`cannot tell who holds port ${port}, so an answer there would prove nothing: ${why}`, {port})
    }
    const host = reachAt(holder.listener)
    const answer = await probeHealth(ctx, profile, health, host)
    const pid = holder.proc.pid
    const identity = {holder: processEvidence(profile, holder.proc), identifiedBecause: holder.identity.why}
    switch (answer.kind) {
      case 'healthy':
        return []
      case 'refused':
        return [declaredFinding(profile, 'not-answering', {vars: {port, error: answer.error}, evidence: {...answer.evidence, ...identity}})]
      case 'wrong':
        return [
          declaredFinding(profile, 'unhealthy', {
            vars: {port, pid, answer: answer.answer, expected: answer.expected, probe: probeCommand(health, host)},
            evidence: {...answer.evidence, ...identity},
          }),
        ]
      case 'hung': {
        const f = declaredFinding(profile, 'hung', {
          vars: {port, pid, timeoutMs: answer.timeoutMs},
          evidence: {...answer.evidence, ...identity},
        })
        // Only a process verified as the daemon by its declared identity is ever offered to terminate.
        if (holder.verdict !== 'match') return [f]
        return [{...f, plan: [await terminateHung(ctx, profile, holder.proc, holder.identity.why, port, answer.timeoutMs)]}]
      }
    }
  },
}

async function terminateHung(ctx: CheckContext, profile: TargetFacts, proc: ProcessInfo, why: string, port: number, timeoutMs: number) {
  return terminateStep({
    process: {
      pid: proc.pid,
      startedAtMs: proc.startedAtMs,
      exe: proc.exe,
      cmdline: proc.cmdline,
      cwd: await ctx.processes.cwd(proc.pid),
      environ: {},
      dataDir: profile.dataDir?.path ?? null,
      verifiedBecause: `it holds port ${port} and ${why}`,
    },
    why: `${profile.name} accepts connections on port ${port} but gave no answer within ${timeoutMs} ms.`,
  })
}
