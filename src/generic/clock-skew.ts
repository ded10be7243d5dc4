/**
 * clock-skew for a declared target with an HTTP health probe: the Date header of the daemon's own
 * answer (the one daemon-health judged) against this machine's clock. Thresholds as for the
 * built-in targets: the header has one-second resolution, so within 5 s is noise; past 5 minutes
 * tokens and cookies break. (The Executor and RunWisp halves hold the same comparison; a later
 * pass can make them call this one.)
 */
import {skip, type DeclaredCheck} from '../check.js'
import {declaredFinding} from '../targets/declared/facts.js'
import {probeHealth} from '../targets/declared/health.js'
import {observePort, reachAt} from '../targets/declared/ports.js'

export const WARN_SKEW_S = 5
export const FAIL_SKEW_S = 300

export const declaredClockSkew: DeclaredCheck = {
  symptoms: ['clock-skew'],
  async detect(ctx, profile) {
    const health = profile.health
    if (!health || health.kind !== 'http') return skip(`${profile.id} declares no HTTP health probe, so there is no Date header to compare`)
    const holder = (await observePort(ctx, profile, health.port)).find((h) => h.verdict === 'match' || h.verdict === 'undeclared')
    if (!holder || holder.verdict === 'unknown')
      return skip(`${profile.name} does not hold its health port, so there is no answer of its own to read`)
    const answer = await probeHealth(ctx, profile, health, reachAt(holder.listener))
    if (answer.kind !== 'healthy') return skip('the daemon did not answer its health probe, so there is no Date header to compare')
    const serverMs = answer.date ? Date.parse(answer.date) : NaN
    if (Number.isNaN(serverMs)) return skip(`the daemon's answer has no usable Date header (${answer.date ?? 'absent'})`)
    const localMs = Math.floor(answer.receivedAtMs / 1000) * 1000
    const skewS = Math.round((localMs - serverMs) / 1000)
    const abs = Math.abs(skewS)
    if (abs <= WARN_SKEW_S) return []
    return [
      declaredFinding(profile, 'clock-skew', {
        vars: {skewS: abs, direction: skewS > 0 ? 'behind' : 'ahead of', thresholdS: abs > FAIL_SKEW_S ? FAIL_SKEW_S : WARN_SKEW_S},
        severity: abs > FAIL_SKEW_S ? 'fail' : 'warn',
        evidence: {
          dateHeader: answer.date!,
          localTime: new Date(answer.receivedAtMs).toISOString(),
          skewSeconds: skewS,
          warnAboveS: WARN_SKEW_S,
          failAboveS: FAIL_SKEW_S,
        },
      }),
    ]
  },
}
