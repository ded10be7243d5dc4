/**
 * port-squatter for a declared target: every port it declares (its `ports` and health port) is
 * free or held by the daemon itself, by its declared process identity. A holder that is another
 * program is named by pid, command line and working directory; one that cannot be inspected
 * makes the check undecided rather than a guessed pass.
 */
import {conclude, skip, type DeclaredCheck} from '../check.js'
import {declaredFinding} from '../targets/declared/facts.js'
import {processEvidence, redactCommand} from '../targets/declared/identity.js'
import {declaredPorts, observePort} from '../targets/declared/ports.js'
import type {Finding} from '../types.js'

export const declaredPortSquatter: DeclaredCheck = {
  symptoms: ['port-squatter'],
  async detect(ctx, profile) {
    const ports = declaredPorts(profile)
    if (ports.length === 0) return skip(`${profile.id} declares no ports`)
    if (!profile.process) return skip(`${profile.id} declares no process identity, so the daemon cannot be told from a squatter`)
    const findings: Finding[] = []
    const undecided: string[] = []
    for (const port of ports) {
      for (const h of await observePort(ctx, profile, port)) {
        if (h.verdict === 'unknown') undecided.push(`${h.listener.address}:${port}: ${h.why}`)
        if (h.verdict !== 'other') continue
        const cwd = await ctx.processes.cwd(h.proc.pid)
        findings.push(
          declaredFinding(profile, 'port-squatter', {
            vars: {
              port,
              address: h.listener.address,
              pid: h.proc.pid,
              command: redactCommand(profile, h.proc.cmdline),
              cwd: cwd ?? 'not visible',
            },
            evidence: {port, address: h.listener.address, owner: processEvidence(profile, h.proc, cwd), why: h.identity.why},
          }),
        )
      }
    }
    return conclude(findings, undecided, 'cannot identify who holds')
  },
}
