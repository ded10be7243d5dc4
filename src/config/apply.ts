/**
 * What `doctor.config.json` does to a run, applied by the engine inside the run (the same for
 * `doctor`, `doctor --fix` and `doctor preflight`): checks it skips, and every check of a target it
 * skips, are not run and are listed as skipped; suppressions (doctor-anchors d.12) turn a covered result into `skip` with reason and
 * expiry, keeping its findings marked, and expired ones fail the run; per-check timeouts and the
 * slow flag (d.10). The functions here are pure: the engine decides when they apply.
 */
import {appliesTo, type CheckDefinition} from '../check.js'
import {statusOf} from '../engine/status.js'
import type {DetectedTarget} from '../targets/types.js'
import type {CheckResult, ConfigReport, Finding, Report, SuppressionReport} from '../types.js'
import type {DoctorConfig, Suppression} from './schema.js'

/** A check is slow when it used more than this share of its timeout: one bad day from `error`. */
export const SLOW_SHARE = 0.5

/** The config file a run follows, as loaded (src/config/load.ts). */
export interface RunConfig {
  path: string
  config: DoctorConfig
}

/** Whether the config skips this check for this target: the check is skipped, or the whole target is. */
export function skippedInConfig(config: DoctorConfig | undefined, checkId: string, targetId: string): boolean {
  return config !== undefined && (config.skip.includes(checkId) || (config.skipTargets ?? []).includes(targetId))
}

/** Config-skipped checks are listed (status skip, with why) so CI shows what was not checked. */
export function skippedByConfig(
  pool: readonly CheckDefinition[],
  active: readonly DetectedTarget[],
  config: DoctorConfig,
  only: readonly string[],
): Array<{check: CheckDefinition; result: CheckResult}> {
  return pool
    .filter((c) => only.length === 0 || only.includes(c.id))
    .flatMap((c) =>
      active
        .filter((t) => appliesTo(c, t) && skippedInConfig(config, c.id, t.id))
        .map((t) => ({
          check: c,
          result: {
            id: c.id,
            target: t.id,
            title: c.title,
            status: 'skip' as const,
            durationMs: 0,
            reason: config.skip.includes(c.id) ? 'skipped in doctor.config.json' : `target ${t.id} is skipped in doctor.config.json`,
            findings: [],
          },
        })),
    )
}

/** The `config` member of the report: the file, what it skipped and what became of each suppression. */
export function configReport(run: RunConfig, suppressions: SuppressionReport[]): ConfigReport {
  return {path: run.path, skip: [...run.config.skip, ...(run.config.skipTargets ?? [])], suppressions, watchPorts: run.config.watchPorts}
}

/** The result, marked `slow` when it used more than SLOW_SHARE of its timeout. */
export function markSlow(result: CheckResult, timeoutMs: number): CheckResult {
  return result.durationMs > timeoutMs * SLOW_SHARE ? {...result, slow: {timeoutMs}} : result
}

const key = (r: CheckResult) => `${r.target}:${r.id}`

function covers(s: Suppression, r: CheckResult): boolean {
  return (!s.check || s.check === r.id) && (!s.target || s.target === r.target)
}

/**
 * A suppression naming only a check covers a `warn`, `fail` or `error` result of it; one naming a
 * symptom covers those findings (within the check, when it also names one). A result left with
 * nothing unsuppressed becomes `skip` ("suppressed until …"), keeping its findings, marked; one
 * with other findings keeps the status those give. Expired suppressions cover nothing. `apply`
 * takes results one at a time, as they finish; `outcomes` says what each suppression covered.
 */
export function createSuppressor(
  suppressions: Suppression[],
  now: number,
): {apply(r: CheckResult): CheckResult; outcomes(): SuppressionReport[]} {
  const matches = suppressions.map(() => new Set<string>())
  const live = (i: number) => suppressions[i]!.expiresAtMs > now
  const hitsFor = (r: CheckResult, symptom?: string) => {
    const hits = suppressions.flatMap((s, i) => (s.symptom === symptom && covers(s, r) ? [i] : []))
    for (const i of hits) matches[i]!.add(key(r))
    return hits.filter(live)
  }
  const mark = (i: number) => ({reason: suppressions[i]!.reason, expires: suppressions[i]!.expires})
  const apply = (r: CheckResult): CheckResult => {
    if (r.status === 'pass' || r.status === 'skip') return r
    const whole = hitsFor(r)[0]
    if (whole !== undefined)
      return suppress(
        r,
        r.findings.map((f) => ({...f, suppressed: mark(whole)})),
        [whole],
        suppressions,
      )
    const used: number[] = []
    const findings: Finding[] = r.findings.map((f) => {
      const first = hitsFor(r, f.symptom)[0]
      if (first === undefined) return f
      used.push(first)
      return {...f, suppressed: mark(first)}
    })
    if (used.length === 0) return r
    const open = findings.filter((f) => !f.suppressed)
    return open.length > 0 ? {...r, status: statusOf(open), findings} : suppress(r, findings, used, suppressions)
  }
  const outcomes = () =>
    suppressions.map((s, i): SuppressionReport => ({
      ...(s.check ? {check: s.check} : {}),
      ...(s.symptom ? {symptom: s.symptom} : {}),
      ...(s.target ? {target: s.target} : {}),
      reason: s.reason,
      expires: s.expires,
      state: !live(i) ? 'expired' : matches[i]!.size > 0 ? 'active' : 'unused',
      matches: [...matches[i]!],
    }))
  return {apply, outcomes}
}

/** createSuppressor over a whole list of results. */
export function applySuppressions(
  results: CheckResult[],
  suppressions: Suppression[],
  now: number,
): {results: CheckResult[]; outcomes: SuppressionReport[]} {
  const suppressor = createSuppressor(suppressions, now)
  return {results: results.map((r) => suppressor.apply(r)), outcomes: suppressor.outcomes()}
}

/** The whole result is suppressed: `skip`, saying by what and until when; the earliest expiry is the one that counts. */
function suppress(r: CheckResult, findings: Finding[], used: number[], suppressions: Suppression[]): CheckResult {
  const by = [...new Set(used)].map((i) => suppressions[i]!).sort((a, b) => a.expiresAtMs - b.expiresAtMs)
  const reason = [...new Set(by.map((s) => s.reason))].join('; ')
  const expires = by[0]!.expires
  return {
    ...r,
    status: 'skip',
    reason: `suppressed until ${expires}: ${reason}`,
    findings,
    suppressed: {reason, expires, status: r.status as 'warn' | 'fail' | 'error', ...(r.reason ? {statusReason: r.reason} : {})},
  }
}

/** Expired suppressions fail the run whatever the checks say. */
export function expiredSuppressions(report: Report): SuppressionReport[] {
  return report.config?.suppressions.filter((s) => s.state === 'expired') ?? []
}
