/**
 * The human report: what failed, the evidence, and the fix to run — printed after the live task
 * list. Colour comes from chalk, which honours NO_COLOR / FORCE_COLOR and plain pipes.
 */
import type {ChalkInstance} from 'chalk'
import type {CheckResult, Evidence, JsonValue, Report, Status} from '../types.js'

export interface HumanOptions {
  verbose: boolean
  chalk: ChalkInstance
}

const SYMBOL: Record<Status, string> = {pass: '✔', warn: '⚠', fail: '✖', skip: '↓', error: '?'}

export function formatHuman(report: Report, {verbose, chalk}: HumanOptions): string {
  const paint: Record<Status, (s: string) => string> = {
    pass: chalk.green,
    warn: chalk.yellow,
    fail: chalk.red,
    skip: chalk.gray,
    error: chalk.magenta,
  }
  const out: string[] = []
  const found = report.targets.filter((t) => t.detected || t.forced)
  if (found.length === 0) {
    out.push(
      'No known product was found here, so there is nothing to check.',
      `  Looked for: ${report.targets.map((t) => `${t.id} (${t.dataDir ?? 'no data dir'})`).join(', ')}.`,
      '  To check a product anyway: doctor --target executor (or --target runwisp)',
      '',
    )
    return out.join('\n')
  }
  for (const t of found) {
    const gen = t.generation ? `generation ${t.generation} (${t.generationReason})` : `generation unknown: ${t.generationReason}`
    out.push(
      chalk.bold(`${t.id}`) +
        chalk.gray(
          ` — ${t.detected ? t.reasons.join('; ') : 'not detected; checked because it was asked for (--target, or doctor preflight)'}`,
        ),
      chalk.gray(`  data dir ${t.dataDir ?? 'none'}; ${gen}`),
    )
  }
  out.push('')
  const order: Status[] = ['fail', 'error', 'warn', 'skip', 'pass']
  const sorted = [...report.checks].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
  for (const r of sorted) {
    if (r.status === 'skip' || (!verbose && r.status === 'pass')) continue
    out.push(...formatResult(r, paint, chalk, verbose))
  }
  out.push(...(verbose ? skipLines(sorted, chalk) : shortLines(report, chalk)))
  const s = report.summary
  const parts = [
    `${s.pass} passed`,
    s.warn && `${s.warn} warned`,
    s.fail && `${s.fail} failed`,
    s.error && `${s.error} could not decide`,
    s.skip && `${s.skip} skipped`,
  ].filter(Boolean)
  out.push(
    `${parts.join(', ')} in ${(report.durationMs / 1000).toFixed(2)} s` +
      (s.fail + s.error > 0 ? chalk.gray(' — run `doctor bundle` to share the details in a bug report') : ''),
  )
  return out.join('\n') + '\n'
}

/**
 * Skips are context, not problems: one line per reason, listing the checks it covers (five dev
 * checks "not in a checkout" are one fact, not five). Only under --verbose, or for a suppression.
 */
function skipLines(results: CheckResult[], chalk: ChalkInstance): string[] {
  const skips = new Map<string, string[]>()
  for (const r of results.filter((x) => x.status === 'skip')) {
    const key = `${r.target}\u0000${r.reason ?? ''}`
    skips.set(key, [...(skips.get(key) ?? []), r.id])
  }
  const lines = [...skips].map(([key, ids]) => {
    const [target, reason] = key.split('\u0000')
    return chalk.gray(`${SYMBOL.skip} ${ids.join(', ')} [${target}] skipped: ${reason}`)
  })
  return lines.length > 0 ? [...lines, ''] : []
}

/**
 * The default view of what did not need attention: which checks passed, per target, and how many
 * did not apply. On a healthy machine most checks do not apply (no checkout, no service, no log),
 * and their reasons would be most of the report; --verbose prints them. A suppressed result is a
 * known problem, not an inapplicable check, so it stays visible with its reason.
 */
function shortLines(report: Report, chalk: ChalkInstance): string[] {
  const lines: string[] = []
  const passed = new Map<string, string[]>()
  for (const r of report.checks.filter((x) => x.status === 'pass')) passed.set(r.target, [...(passed.get(r.target) ?? []), r.id])
  for (const [target, ids] of passed) lines.push(`${chalk.green(SYMBOL.pass)} ${ids.length} passed [${target}]: ${ids.join(', ')}`)
  const skipped = report.checks.filter((x) => x.status === 'skip')
  lines.push(
    ...skipLines(
      skipped.filter((r) => r.suppressed),
      chalk,
    ).filter((l) => l !== ''),
  )
  const byConfig = new Set(report.config?.skip ?? [])
  const configSkips = skipped.filter((r) => !r.suppressed && byConfig.has(r.id))
  if (configSkips.length > 0)
    lines.push(
      chalk.gray(
        `${SYMBOL.skip} ${configSkips.length} skipped in doctor.config.json: ${[...new Set(configSkips.map((r) => r.id))].join(', ')}`,
      ),
    )
  const inapplicable = skipped.length - configSkips.length - skipped.filter((r) => r.suppressed).length
  if (inapplicable > 0) lines.push(chalk.gray(`${SYMBOL.skip} ${inapplicable} not applicable here (--verbose says why)`))
  return lines.length > 0 ? [...lines, ''] : []
}

function formatResult(r: CheckResult, paint: Record<Status, (s: string) => string>, chalk: ChalkInstance, verbose: boolean): string[] {
  const head = `${paint[r.status](SYMBOL[r.status])} ${chalk.bold(r.id)} ${chalk.gray(`[${r.target}]`)} ${r.title}`
  const lines = [head]
  if (r.reason) lines.push(`    ${r.status === 'error' ? 'could not decide: ' : ''}${r.reason}`)
  for (const f of r.findings) {
    lines.push(`    ${paint[f.severity](f.severity === 'fail' ? '✖' : '⚠')} ${f.message}`)
    const ev = formatEvidence(f.evidence)
    if (ev && (verbose || r.status !== 'pass')) lines.push(chalk.gray(`      evidence: ${ev}`))
    lines.push(`      fix: ${f.fix.summary}`)
    for (const c of f.fix.commands) lines.push(chalk.cyan(`        $ ${c}`))
    lines.push(chalk.gray(`      docs: ${f.fix.docs}`))
  }
  if (r.omittedFindings) lines.push(chalk.yellow(`    … ${omitted(r.omittedFindings)}`))
  lines.push('')
  return lines
}

/** "and 900 more not listed (executor/stale-record ×900): …" — what the findings cap left out. */
export function omitted(o: NonNullable<CheckResult['omittedFindings']>): string {
  const what = Object.entries(o.bySymptom)
    .map(([symptom, n]) => `${symptom} ×${n}`)
    .join(', ')
  return `and ${o.count} more not listed (${what}): a check lists at most ${o.cap} findings; repair these and run again to see the rest`
}

export function formatEvidence(evidence: Evidence): string {
  return Object.entries(evidence)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${flat(v)}`)
    .join(' ')
}

function flat(v: JsonValue): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v
  if (typeof v !== 'object') return String(v)
  return JSON.stringify(v)
}
