/**
 * What the config does to a finished report: suppressions (doctor-anchors d.12: suppressed checks
 * still run and show as suppressed, with reason and expiry; expired ones fail the run), checks it
 * skipped, and the slow-check flags (d.10). Pure functions of the report: the engine is untouched.
 */
import type {CheckDefinition} from '../check.js'
import {summarize} from '../engine/doctor.js'
import {statusOf} from '../engine/run-checks.js'
import type {CheckResult, ConfigReport, Finding, Report, SuppressionReport} from '../types.js'
import type {DoctorConfig, Suppression} from './schema.js'

/** A check is slow when it used more than this share of its timeout: one bad day from `error`. */
export const SLOW_SHARE = 0.5

export interface ShapeOptions {
  config: DoctorConfig | null
  configPath: string | null
  /** The checks this command runs (all, or preflight's set), in report order. */
  pool: readonly CheckDefinition[]
  /** `--only`, which wins over the config's `skip` for what is listed. */
  only: readonly string[]
  /** Default per-check timeout of the run (ms). */
  checkTimeoutMs: number
  now: number
}

export function shapeReport(report: Report, options: ShapeOptions): Report {
  const {config} = options
  let checks = flagSlow(report.checks, (id) => config?.timeouts[id] ?? options.pool.find((c) => c.id === id)?.timeoutMs ?? options.checkTimeoutMs)
  let configReport: ConfigReport | undefined
  if (config && options.configPath) {
    checks = [...checks, ...skippedByConfig(report, options.pool, config.skip, options.only)]
    const order = new Map(options.pool.map((c, i) => [c.id, i]))
    checks.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
    const applied = applySuppressions(checks, config.suppress, options.now)
    checks = applied.results
    configReport = {path: options.configPath, skip: config.skip, suppressions: applied.outcomes, watchPorts: config.watchPorts}
  }
  return {...report, checks, summary: summarize(checks), ...(configReport ? {config: configReport} : {})}
}

/** Config-skipped checks are listed (status skip, with why) so CI shows what was not checked. */
function skippedByConfig(report: Report, pool: readonly CheckDefinition[], skip: string[], only: readonly string[]): CheckResult[] {
  const active = report.targets.filter((t) => t.detected || t.forced)
  return pool
    .filter((c) => skip.includes(c.id) && (only.length === 0 || only.includes(c.id)))
    .flatMap((c) => active.filter((t) => c.targets.includes(t.id)).map((t) => ({id: c.id, target: t.id, title: c.title, status: 'skip' as const, durationMs: 0, reason: 'skipped in doctor.config.json', findings: []})))
}

export function flagSlow(results: CheckResult[], timeoutOf: (id: string) => number): CheckResult[] {
  return results.map((r) => {
    const timeoutMs = timeoutOf(r.id)
    return r.durationMs > timeoutMs * SLOW_SHARE ? {...r, slow: {timeoutMs}} : r
  })
}

const key = (r: CheckResult) => `${r.target}:${r.id}`

function covers(s: Suppression, r: CheckResult): boolean {
  return (!s.check || s.check === r.id) && (!s.target || s.target === r.target)
}

/**
 * A suppression naming only a check covers a `warn`, `fail` or `error` result of it; one naming a
 * symptom covers those findings (within the check, when it also names one). A result left with
 * nothing unsuppressed becomes `skip` ("suppressed until …"), keeping its findings, marked; one
 * with other findings keeps the status those give. Expired suppressions cover nothing.
 */
export function applySuppressions(results: CheckResult[], suppressions: Suppression[], now: number): {results: CheckResult[]; outcomes: SuppressionReport[]} {
  const matches = suppressions.map(() => new Set<string>())
  const live = (i: number) => suppressions[i]!.expiresAtMs > now
  const hitsFor = (r: CheckResult, symptom?: string) => {
    const hits = suppressions.flatMap((s, i) => (s.symptom === symptom && covers(s, r) ? [i] : []))
    for (const i of hits) matches[i]!.add(key(r))
    return hits.filter(live)
  }
  const mark = (i: number) => ({reason: suppressions[i]!.reason, expires: suppressions[i]!.expires})
  const out = results.map((r) => {
    if (r.status === 'pass' || r.status === 'skip') return r
    const whole = hitsFor(r)[0]
    if (whole !== undefined) return suppress(r, r.findings.map((f) => ({...f, suppressed: mark(whole)})), [whole], suppressions)
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
  })
  const outcomes = suppressions.map((s, i): SuppressionReport => ({
    ...(s.check ? {check: s.check} : {}),
    ...(s.symptom ? {symptom: s.symptom} : {}),
    ...(s.target ? {target: s.target} : {}),
    reason: s.reason,
    expires: s.expires,
    state: !live(i) ? 'expired' : matches[i]!.size > 0 ? 'active' : 'unused',
    matches: [...matches[i]!],
  }))
  return {results: out, outcomes}
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
