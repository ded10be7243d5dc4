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
  const paint: Record<Status, (s: string) => string> = {pass: chalk.green, warn: chalk.yellow, fail: chalk.red, skip: chalk.gray, error: chalk.magenta}
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
    out.push(chalk.bold(`${t.id}`) + chalk.gray(` — ${t.detected ? t.reasons.join('; ') : 'not detected; checked because it was asked for (--target, or doctor preflight)'}`), chalk.gray(`  data dir ${t.dataDir ?? 'none'}; ${gen}`))
  }
  out.push('')
  const order: Status[] = ['fail', 'error', 'warn', 'skip', 'pass']
  const sorted = [...report.checks].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
  for (const r of sorted) {
    if (r.status === 'skip' || (!verbose && r.status === 'pass')) continue
    out.push(...formatResult(r, paint, chalk, verbose))
  }
  // Skips are context, not problems: one line per reason, listing the checks it covers (five dev
  // checks "not in a checkout" are one fact, not five).
  const skips = new Map<string, string[]>()
  for (const r of sorted.filter((x) => x.status === 'skip')) {
    const key = `${r.target}\u0000${r.reason ?? ''}`
    skips.set(key, [...(skips.get(key) ?? []), r.id])
  }
  for (const [key, ids] of skips) {
    const [target, reason] = key.split('\u0000')
    out.push(chalk.gray(`${SYMBOL.skip} ${ids.join(', ')} [${target}] skipped: ${reason}`))
  }
  if (skips.size > 0) out.push('')
  const s = report.summary
  const parts = [`${s.pass} passed`, s.warn && `${s.warn} warned`, s.fail && `${s.fail} failed`, s.error && `${s.error} could not decide`, s.skip && `${s.skip} skipped`].filter(Boolean)
  out.push(`${parts.join(', ')} in ${(report.durationMs / 1000).toFixed(2)} s` + (s.fail + s.error > 0 ? chalk.gray(' — run `doctor bundle` to share the details in a bug report') : ''))
  return out.join('\n') + '\n'
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
  const what = Object.entries(o.bySymptom).map(([symptom, n]) => `${symptom} ×${n}`).join(', ')
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
