/**
 * port-squatter: every port of the target (Executor: 4788, 4789, the port server.json registers
 * and doctor.config.json's watchPorts; RunWisp: the port it would use; a declared target: its
 * ports and health port) is free or held by the daemon itself. A holder that is another program
 * is named by pid, command line and working directory, once however many addresses it binds; one
 * that cannot be inspected makes the check undecided rather than a guessed pass. The doctor never
 * signals a squatter: the plan is the documented commands.
 */
import {conclude, defineCheck, skip, writtenOnce, type DeclaredCheck} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {declaredFinding} from '../src/targets/declared/facts.js'
import {processEvidence, redactCommand} from '../src/targets/declared/identity.js'
import {declaredPorts, observePort} from '../src/targets/declared/ports.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import type {PortHolder, TargetFacts} from '../src/targets/profile.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import type {Finding} from '../src/types.js'

const portSquatter: DeclaredCheck = {
  symptoms: ['port-squatter'],
  async detect(ctx, profile) {
    const ports = declaredPorts(profile)
    if (ports.length === 0) return skip(`${profile.id} declares no ports`)
    if (!profile.process && !profile.hooks?.portHolders)
      return skip(`${profile.id} declares no process identity, so the daemon cannot be told from a squatter`)
    const vars = await profile.hooks?.messageVars?.(ctx)
    const findings: Finding[] = []
    const undecided: string[] = []
    const seen = new Set<string>()
    for (const port of ports) {
      const watched = profile.watchedPorts?.includes(port) === true
      for (const h of await holdersOf(ctx, profile, port)) {
        if (h.verdict === 'unknown') undecided.push(`${h.listener.address}:${port}: ${h.why}`)
        if (h.verdict !== 'other') continue
        // A squatter bound to both 127.0.0.1 and ::1 is one squatter.
        if (seen.has(`${port}:${h.proc.pid}`)) continue
        seen.add(`${port}:${h.proc.pid}`)
        const cwd = await ctx.processes.cwd(h.proc.pid)
        findings.push(
          declaredFinding(profile, 'port-squatter', {
            vars: {
              ...vars,
              port,
              address: h.listener.address,
              pid: h.proc.pid,
              command: redactCommand(profile, h.proc.cmdline),
              cwd: cwd ?? 'not visible',
              why: h.why,
            },
            evidence: {
              port,
              ...(profile.portSources?.[port] ? {portSource: profile.portSources[port]} : {}),
              address: h.listener.address,
              owner: processEvidence(profile, h.proc, cwd),
              why: h.why,
              ...(watched ? {watched: 'doctor.config.json watchPorts'} : {}),
            },
            ...(watched ? {detail: 'The port is watched in doctor.config.json.'} : {}),
          }),
        )
      }
    }
    return conclude(findings, undecided, 'cannot identify who holds')
  },
}

/** Who holds `port`: judged by the product's own rule, or by the declared process identity. */
async function holdersOf(ctx: CheckContext, profile: TargetFacts, port: number): Promise<PortHolder[]> {
  if (profile.hooks?.portHolders) return profile.hooks.portHolders(ctx, port)
  return (await observePort(ctx, profile, port)).map((h): PortHolder => {
    if (h.verdict === 'unknown') return h
    if (h.verdict === 'other') return {listener: h.listener, verdict: 'other', proc: h.proc, why: h.identity.why}
    return {listener: h.listener, verdict: 'ours'}
  })
}

export default defineCheck({
  id: 'port-squatter',
  title: 'Check nothing else holds the daemon ports',
  description:
    'The daemon ports (Executor: 4788, 4789 and the registered port; RunWisp: 9477 or the configured port; a declared target: its declared ports) must be free or held by the product itself.',
  fixable: false,
  ...writtenOnce(portSquatter, [executorProfile, runwispProfile]),
})
