/**
 * daemon-health: the daemon answers its health probe, and the process answering is the daemon
 * itself. Written once: the port's holder is judged by the target's identity (a declared target:
 * its declared `process`; a built-in: its `portHolders` hook) before anything it answers counts,
 * so a squatter answering "ok" or "+PONG" is an impostor, never a pass. Then the probe (a declared
 * http / tcp send-expect / connect probe, or a built-in's own, generation-aware one) tells healthy
 * from unhealthy (a wrong answer), not answering (refused, nothing there) and hung (accepts, never
 * answers). Only a hung daemon verified as the target's own is offered to terminate (after a
 * confirm): a declared target's when it matches its declared identity, a built-in's when the
 * product vouches for it and does not refuse (`hungDaemon`: RunWisp stops it its own way first).
 * RunWisp's socket path holding something else is its companion's finding.
 */
import {defineCheck, skip, Undetermined, writtenOnce, type DeclaredCheck, type Verdict} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {processFingerprint} from '../src/fix/process-control.js'
import {terminateStep} from '../src/fix/steps.js'
import type {FixStep} from '../src/fix/types.js'
import type {ProcessInfo} from '../src/probes/processes.js'
import type {Listener} from '../src/probes/sockets.js'
import {declaredFinding} from '../src/targets/declared/facts.js'
import {probeCommand, probeHealth} from '../src/targets/declared/health.js'
import {processEvidence, redactCommand} from '../src/targets/declared/identity.js'
import {observePort, reachAt} from '../src/targets/declared/ports.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import type {HealthFault, HealthProbe, HungDaemonPlan, ProductHealth, TargetFacts} from '../src/targets/profile.js'
import {runwispSocketNotSocket} from '../src/targets/runwisp/checks/daemon-health.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import type {Finding} from '../src/types.js'

/**
 * Who holds the health port, as this check judges it: `ours` (verified by identity), `undeclared`
 * (a declared target that names no identity: its answer counts, but it is never signalled),
 * `other` (an impostor), or `unknown` (cannot be inspected).
 */
type Holder =
  | {listener: Listener; verdict: 'ours' | 'undeclared'; proc: ProcessInfo | null; why: string}
  | {listener: Listener; verdict: 'other'; proc: ProcessInfo; why: string}
  | {listener: Listener; verdict: 'unknown'; why: string}

const daemonHealth: DeclaredCheck = {
  symptoms: ['not-answering', 'unhealthy', 'hung', 'impostor'],
  async detect(ctx, profile) {
    const health = profile.health
    if (!health) return skip(`${profile.id} declares no health probe`)
    if (health.kind === 'product') {
      const why = await health.precheck?.(ctx)
      if (why) return skip(why)
    }
    const port = health.port
    const holders = port === null ? [] : await holdersOf(ctx, profile, port)
    // Whatever an impostor answers says nothing about the daemon: it is not asked.
    const impostor = holders.find((h) => h.verdict === 'other')
    if (impostor && port !== null) return guarded(ctx, profile, [await impostorFinding(ctx, profile, health, port, impostor)])
    const verdict =
      health.kind === 'product' ? await productVerdict(ctx, profile, health, holders) : await declaredVerdict(ctx, profile, health, holders)
    return Array.isArray(verdict) ? guarded(ctx, profile, verdict) : verdict
  },
}

async function holdersOf(ctx: CheckContext, profile: TargetFacts, port: number): Promise<Holder[]> {
  if (profile.hooks?.portHolders) {
    return (await profile.hooks.portHolders(ctx, port)).map((h): Holder => {
      if (h.verdict === 'ours') return {listener: h.listener, verdict: 'ours', proc: null, why: 'the product vouches for it'}
      return h
    })
  }
  return (await observePort(ctx, profile, port)).map((h): Holder => {
    if (h.verdict === 'unknown') return h
    if (h.verdict === 'other') return {listener: h.listener, verdict: 'other', proc: h.proc, why: h.identity.why}
    return {listener: h.listener, verdict: h.verdict === 'match' ? 'ours' : 'undeclared', proc: h.proc, why: h.identity.why}
  })
}

async function impostorFinding(
  ctx: CheckContext,
  profile: TargetFacts,
  health: HealthProbe | ProductHealth,
  port: number,
  h: Extract<Holder, {verdict: 'other'}>,
): Promise<Finding> {
  if (health.kind === 'product' && health.wording) return declaredFinding(profile, 'impostor', health.wording.impostor(h.proc, h.why))
  const cwd = await ctx.processes.cwd(h.proc.pid)
  return declaredFinding(profile, 'impostor', {
    vars: {port, pid: h.proc.pid, command: redactCommand(profile, h.proc.cmdline)},
    evidence: {port, address: h.listener.address, holder: processEvidence(profile, h.proc, cwd), why: h.why},
  })
}

/** A built-in's own probe, judged here: its fault says which symptom, and a hung daemon it vouches for gets the hung plan. */
async function productVerdict(ctx: CheckContext, profile: TargetFacts, health: ProductHealth, holders: Holder[]): Promise<Verdict> {
  const answer = await health.answer(ctx)
  if (answer.kind === 'healthy') {
    const unknown = holders.find((h) => h.verdict === 'unknown')
    if (!unknown) return []
    const said = health.wording?.unidentified(unknown.why) ?? {
      reason: `${profile.name} answers, but the process holding port ${health.port} cannot be identified: ${unknown.why}`,
      evidence: {port: health.port},
    }
    throw new Undetermined(said.reason, said.evidence)
  }
  const fault: HealthFault = answer.fault ?? {
    kind: 'not-answering',
    vars: {port: health.port ?? 'its socket', error: answer.why},
    evidence: {},
  }
  switch (fault.kind) {
    case 'absent':
      return skip(fault.why)
    case 'not-answering':
    case 'unhealthy':
      return [declaredFinding(profile, fault.kind, {vars: fault.vars, evidence: fault.evidence})]
    case 'hung': {
      const f = declaredFinding(profile, 'hung', {vars: fault.vars, evidence: fault.evidence})
      // Without the product's own rule there is no verified way to stop its daemon: the documented fix stands.
      if (!profile.hooks?.hungDaemon) return [f]
      return [{...f, plan: hungPlan(fault.daemon, await profile.hooks.hungDaemon(ctx, fault.daemon))}]
    }
  }
}

/** A declared probe, counted only from the process verified to hold the port. */
async function declaredVerdict(ctx: CheckContext, profile: TargetFacts, health: HealthProbe, holders: Holder[]): Promise<Verdict> {
  const port = health.port
  if (holders.length === 0)
    return [declaredFinding(profile, 'not-answering', {vars: {port, error: 'nothing listens there'}, evidence: {port, listeners: 0}})]
  const holder = holders.find((h) => h.verdict === 'ours') ?? holders.find((h) => h.verdict === 'undeclared')
  if (!holder || holder.verdict === 'unknown' || holder.verdict === 'other' || !holder.proc) {
    const why = holders
      .map((h) => (h.verdict === 'unknown' ? h.why : ''))
      .filter(Boolean)
      .join('; ')
    throw new Undetermined(`cannot tell who holds port ${port}, so an answer there would prove nothing: ${why}`, {port})
  }
  const host = reachAt(holder.listener)
  const answer = await probeHealth(ctx, profile, health, host)
  const proc = holder.proc
  const pid = proc.pid
  const identity = {holder: processEvidence(profile, proc), identifiedBecause: holder.why}
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
      if (holder.verdict !== 'ours') return [f]
      const plan: HungDaemonPlan = {
        before: [],
        terminate: {
          envKeys: [],
          environ: {},
          cwd: await ctx.processes.cwd(pid),
          dataDir: profile.dataDir?.path ?? null,
          verifiedBecause: `it holds port ${port} and ${holder.why}`,
          why: `${profile.name} accepts connections on port ${port} but gave no answer within ${answer.timeoutMs} ms.`,
        },
        after: [],
      }
      return [{...f, plan: hungPlan(proc, plan)}]
    }
  }
}

/** The hung plan: the product's steps first, then SIGTERM to the pinned process (after a confirm), then its leftovers. */
function hungPlan(daemon: ProcessInfo, plan: HungDaemonPlan): FixStep[] {
  const t = plan.terminate
  if ('refused' in t) return [...plan.before, ...t.instead]
  const fingerprint = processFingerprint(daemon, {
    envKeys: [...t.envKeys],
    environ: t.environ,
    cwd: t.cwd,
    dataDir: t.dataDir,
    verifiedBecause: t.verifiedBecause,
  })
  const terminate = terminateStep({
    process: fingerprint,
    why: t.why,
    ...(t.title ? {title: t.title} : {}),
    ...(t.graceMs !== undefined ? {graceMs: t.graceMs} : {}),
  })
  return [...plan.before, terminate, ...plan.after]
}

/** The product's rule on where plans may act (RunWisp: never through a symlinked data dir). */
function guarded(ctx: CheckContext, profile: TargetFacts, findings: Finding[]): Promise<Finding[]> {
  return profile.hooks?.guardPlans ? profile.hooks.guardPlans(ctx, findings) : Promise.resolve(findings)
}

export default defineCheck({
  id: 'daemon-health',
  title: 'Check the daemon answers as itself',
  description:
    "The daemon on the registered (or default) origin answers its generation's health probe, and the process answering is the product itself (a declared target: its declared http, tcp send/expect or connect probe, counted only from a process matching its declared identity).",
  fixable: true,
  ...writtenOnce(daemonHealth, [executorProfile, runwispProfile], {runwisp: runwispSocketNotSocket}),
})
