/**
 * clock-skew: the Date header of the daemon's own health answer against this machine's clock.
 * The header is truncated to the second and the probe takes up to its timeout, so within 5 s is
 * noise; past the target's limit (default 5 minutes: tokens and cookies expire; RunWisp: a minute,
 * cron's resolution) it fails. The answer must come from the daemon itself: for a declared target,
 * from the process holding its health port by its declared identity.
 */
import {defineCheck, skip, writtenOnce, type DeclaredCheck, type Skip} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {declaredFinding} from '../src/targets/declared/facts.js'
import {probeHealth} from '../src/targets/declared/health.js'
import {observePort, reachAt} from '../src/targets/declared/ports.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import type {ProductHealthAnswer, TargetFacts} from '../src/targets/profile.js'
import {runwispTimezone} from '../src/targets/runwisp/checks/clock-skew.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'

const WARN_SKEW_S = 5
const FAIL_SKEW_S = 300

const clockSkew: DeclaredCheck = {
  symptoms: ['clock-skew'],
  async detect(ctx, profile) {
    const answer = await ownAnswer(ctx, profile)
    if ('skip' in answer) return answer
    if (answer.kind !== 'healthy') return skip(`${answer.why}, so there is no Date header to compare`)
    const serverMs = answer.date ? Date.parse(answer.date) : NaN
    if (Number.isNaN(serverMs)) return skip(`the daemon's answer has no usable Date header (${answer.date ?? 'absent'})`)
    // The header is truncated to the second: compare against the local clock truncated the same way.
    const localMs = Math.floor(answer.receivedAtMs / 1000) * 1000
    const skewS = Math.round((localMs - serverMs) / 1000)
    const abs = Math.abs(skewS)
    const failAboveS = profile.clockSkewFailS ?? FAIL_SKEW_S
    if (abs <= WARN_SKEW_S) return []
    return [
      declaredFinding(profile, 'clock-skew', {
        vars: {
          skewS: abs,
          direction: skewS > 0 ? 'behind' : 'ahead of',
          thresholdS: abs > failAboveS ? failAboveS : WARN_SKEW_S,
          dateHeader: answer.date!,
        },
        severity: abs > failAboveS ? 'fail' : 'warn',
        evidence: {
          dateHeader: answer.date!,
          localTime: new Date(answer.receivedAtMs).toISOString(),
          skewSeconds: skewS,
          ...answer.evidence,
          warnAboveS: WARN_SKEW_S,
          failAboveS,
        },
      }),
    ]
  },
}

/** The daemon's own health answer: a built-in's probe, or the declared HTTP probe of whoever is verified to hold the port. */
async function ownAnswer(ctx: CheckContext, profile: TargetFacts): Promise<ProductHealthAnswer | Skip> {
  const health = profile.health
  if (health?.kind === 'product') return health.answer(ctx)
  if (!health || health.kind !== 'http') return skip(`${profile.id} declares no HTTP health probe, so there is no Date header to compare`)
  const holder = (await observePort(ctx, profile, health.port)).find((h) => h.verdict === 'match' || h.verdict === 'undeclared')
  if (!holder || holder.verdict === 'unknown')
    return skip(`${profile.name} does not hold its health port, so there is no answer of its own to read`)
  const answer = await probeHealth(ctx, profile, health, reachAt(holder.listener))
  if (answer.kind !== 'healthy') return {kind: 'not-healthy', why: 'the daemon did not answer its health probe'}
  return {kind: 'healthy', ...(answer.date ? {date: answer.date} : {}), receivedAtMs: answer.receivedAtMs, evidence: {}}
}

export default defineCheck({
  id: 'clock-skew',
  title: "Check the daemon's clock",
  description:
    "The daemon's Date header must agree with this machine's clock; skew breaks OAuth state and token expiry (a declared target: the Date header of its HTTP health answer).",
  dependsOn: ['daemon-health'],
  fixable: false,
  ...writtenOnce(clockSkew, [executorProfile, runwispProfile], {runwisp: runwispTimezone}),
})
