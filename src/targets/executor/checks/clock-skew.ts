import {skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {executorGeneration} from '../target.js'
import {expectedOrigin, loadExecutorState, manifestGeneration, probeHealth} from '../state.js'

/**
 * Thresholds. The Date header has one-second resolution (truncated), and the probe itself takes
 * up to its timeout, so anything within 5 s is noise. Past 5 minutes, OAuth state cookies (10 min
 * Max-Age) and token expiries (epoch seconds) start to fail, so it is a failure, not a warning.
 */
export const WARN_SKEW_S = 5
export const FAIL_SKEW_S = 300

export const executorClockSkew: TargetCheck = {
  symptoms: ['executor/clock-skew'],
  async detect(ctx, target) {
    const state = await loadExecutorState(ctx)
    const origin = expectedOrigin(state, ctx)
    const answer = await probeHealth(ctx, origin, manifestGeneration(state)?.generation ?? executorGeneration(target))
    if (answer.kind !== 'healthy') return skip('the daemon did not answer, so there is no Date header to compare')
    const date = answer.response.headers.date
    const serverMs = date ? Date.parse(date) : NaN
    if (Number.isNaN(serverMs)) return skip(`the daemon's answer has no usable Date header (${date ?? 'absent'})`)
    // The header is truncated to the second: compare against the local clock truncated the same way.
    const localMs = Math.floor(answer.response.receivedAtMs / 1000) * 1000
    const skewS = Math.round((localMs - serverMs) / 1000)
    const abs = Math.abs(skewS)
    if (abs <= WARN_SKEW_S) return []
    return [
      finding('executor/clock-skew', {
        vars: {skewS: abs, direction: skewS > 0 ? 'behind' : 'ahead of', thresholdS: abs > FAIL_SKEW_S ? FAIL_SKEW_S : WARN_SKEW_S},
        severity: abs > FAIL_SKEW_S ? 'fail' : 'warn',
        evidence: {
          dateHeader: date!,
          localTime: new Date(answer.response.receivedAtMs).toISOString(),
          skewSeconds: skewS,
          warnAboveS: WARN_SKEW_S,
          failAboveS: FAIL_SKEW_S,
        },
      }),
    ]
  },
}
