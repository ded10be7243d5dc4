/**
 * JUnit XML, the format every CI test view reads: one `<testsuite>` per target, one `<testcase>`
 * per check result (classname = target, name = check id). `fail` → `<failure>`, `error` →
 * `<error>`, `skip` (and suppressed) → `<skipped>`; `warn` passes with the warning in
 * `<system-out>`, or fails under `--strict` as the exit code does. Expired suppressions fail as
 * testcases of their own. Text comes from the products' logs and command lines, so everything is
 * escaped, including characters XML 1.0 cannot carry at all.
 */
import type {CheckResult, Finding, Report, SuppressionReport} from '../types.js'
import {formatEvidence, omitted} from './human.js'

export interface JunitOptions {
  /** Name of the run (`doctor`, `doctor preflight`). */
  name: string
  /** Warnings fail (as they do the exit code under --strict). */
  strict: boolean
}

/** Control characters XML 1.0 forbids even as references, and lone UTF-16 surrogates. */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Keeps forbidden characters visible (`\x1B` for an ANSI escape) rather than dropping them. */
function xmlSafe(text: string): string {
  return text.replace(NOT_XML, (c) => {
    const code = c.charCodeAt(0)
    return code >= 0xd800 && code <= 0xdfff ? '\uFFFD' : `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
  })
}

export function escapeXmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

/** Attribute values: also quotes, and whitespace as references so attribute normalisation keeps it. */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

interface Case {
  classname: string
  name: string
  timeMs: number
  outcome?: {tag: 'failure' | 'error'; message: string; type: string; body: string} | {tag: 'skipped'; message: string}
  out: string[]
}

export function formatJunit(report: Report, options: JunitOptions): string {
  const suites = new Map<string, Case[]>()
  for (const r of report.checks) {
    const list = suites.get(r.target) ?? []
    list.push(caseOf(r, options.strict))
    suites.set(r.target, list)
  }
  const expired = report.config?.suppressions.filter((s) => s.state === 'expired') ?? []
  if (expired.length > 0)
    suites.set(
      'doctor.config.json',
      expired.map((s) => expiredCase(s, report.config!.path)),
    )

  const count = (cases: Case[]) => ({
    tests: cases.length,
    failures: cases.filter((c) => c.outcome?.tag === 'failure').length,
    errors: cases.filter((c) => c.outcome?.tag === 'error').length,
    skipped: cases.filter((c) => c.outcome?.tag === 'skipped').length,
    timeMs: cases.reduce((sum, c) => sum + c.timeMs, 0),
  })
  const all = count([...suites.values()].flat())
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXmlAttr(options.name)}" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" skipped="${all.skipped}" time="${seconds(report.durationMs)}" timestamp="${escapeXmlAttr(report.startedAt)}">`,
  ]
  for (const [name, cases] of suites) {
    const c = count(cases)
    lines.push(
      `  <testsuite name="${escapeXmlAttr(name)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${seconds(c.timeMs)}" timestamp="${escapeXmlAttr(report.startedAt)}">`,
    )
    for (const tc of cases) lines.push(...renderCase(tc))
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return lines.join('\n') + '\n'
}

function renderCase(tc: Case): string[] {
  const open = `    <testcase classname="${escapeXmlAttr(tc.classname)}" name="${escapeXmlAttr(tc.name)}" time="${seconds(tc.timeMs)}"`
  const inner: string[] = []
  const o = tc.outcome
  if (o?.tag === 'skipped') inner.push(`      <skipped message="${escapeXmlAttr(o.message)}"/>`)
  else if (o)
    inner.push(`      <${o.tag} message="${escapeXmlAttr(o.message)}" type="${escapeXmlAttr(o.type)}">${escapeXmlText(o.body)}</${o.tag}>`)
  if (tc.out.length > 0) inner.push(`      <system-out>${escapeXmlText(tc.out.join('\n'))}</system-out>`)
  return inner.length === 0 ? [`${open}/>`] : [`${open}>`, ...inner, '    </testcase>']
}

function caseOf(r: CheckResult, strict: boolean): Case {
  const tc: Case = {classname: r.target, name: r.id, timeMs: r.durationMs, out: []}
  const open = r.findings.filter((f) => !f.suppressed)
  if (r.status === 'fail' || (r.status === 'warn' && strict)) {
    const first = open.find((f) => f.severity === 'fail') ?? open[0]
    // Findings past the cap are not listed, but they are still findings of this result.
    const others = open.length - 1 + (r.omittedFindings?.count ?? 0)
    const more = others > 0 ? ` (and ${others} more)` : ''
    tc.outcome = {
      tag: 'failure',
      message: `${first?.message ?? r.title}${more}`,
      type: first?.symptom ?? r.status,
      body: findingsText(r.findings, r.omittedFindings),
    }
  } else if (r.status === 'error') {
    tc.outcome = {
      tag: 'error',
      message: `could not decide: ${r.reason ?? 'unknown reason'}`,
      type: 'undetermined',
      body: `${r.title}: could not decide.\n${r.reason ?? ''}`,
    }
  } else if (r.status === 'skip') {
    tc.outcome = {tag: 'skipped', message: r.reason ?? 'skipped'}
    if (r.suppressed)
      tc.out.push(`suppressed (it would be ${r.suppressed.status}${r.suppressed.statusReason ? `: ${r.suppressed.statusReason}` : ''})`)
    if (r.findings.length > 0) tc.out.push(findingsText(r.findings, r.omittedFindings))
  } else if (r.status === 'warn') {
    tc.out.push(`warning:\n${findingsText(r.findings, r.omittedFindings)}`)
  }
  if (r.slow) tc.out.push(`slow: took ${r.durationMs} ms, over half of its ${r.slow.timeoutMs} ms timeout`)
  return tc
}

function expiredCase(s: SuppressionReport, path: string): Case {
  const what = s.symptom ? `symptom ${s.symptom}` : `check ${s.check}`
  const name = `suppression of ${s.symptom ?? s.check}${s.target ? ` [${s.target}]` : ''}`
  const message = `the suppression of ${what} expired on ${s.expires}: renew it with a new reason and date, or remove it and fix the problem`
  const body = `${path}: suppression of ${what} (reason: ${s.reason}) expired on ${s.expires}.${s.matches.length > 0 ? `\nIt would cover: ${s.matches.join(', ')}` : ''}`
  return {classname: 'doctor.config.json', name, timeMs: 0, outcome: {tag: 'failure', message, type: 'expired-suppression', body}, out: []}
}

/**
 * The finding in full, as a CI log reader needs it: message, symptom, evidence, fix, docs; then
 * what the findings cap left out (src/engine/cap.ts), so the count is never lost.
 */
export function findingsText(findings: Finding[], left?: CheckResult['omittedFindings']): string {
  const listed = findings
    .map((f) => {
      const lines = [
        `${f.severity === 'fail' ? '✖' : '⚠'} ${f.message}${f.suppressed ? ` (suppressed until ${f.suppressed.expires}: ${f.suppressed.reason})` : ''}`,
        `  symptom: ${f.symptom}`,
      ]
      const ev = formatEvidence(f.evidence)
      if (ev) lines.push(`  evidence: ${ev}`)
      lines.push(`  fix: ${f.fix.summary}`, ...f.fix.commands.map((c) => `    $ ${c}`), `  docs: ${f.fix.docs}`)
      return lines.join('\n')
    })
    .join('\n')
  return left ? `${listed}\n… ${omitted(left)}` : listed
}
