/**
 * A Markdown summary of a report: a table of every result, then the fixes of what failed. Written
 * for GitHub's job summary ($GITHUB_STEP_SUMMARY), so table cells are escaped (pipes, newlines,
 * HTML) and commands sit in fences longer than any backtick run inside them.
 */
import type {CheckResult, Report, Status} from '../types.js'
import {formatEvidence, omitted} from './human.js'

export interface MarkdownOptions {
  /** Name of the run (`doctor`, `doctor preflight`). */
  name: string
}

const ICON: Record<Status, string> = {pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '⏭️ skip', error: '❓ error'}

/** One table cell: no raw pipe, newline or HTML may break the table or inject markup. */
export function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, '<br>')
}

function fence(body: string, lang = ''): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length))
  const bar = '`'.repeat(Math.max(3, longest + 1))
  return `${bar}${lang}\n${body}\n${bar}`
}

export function formatMarkdown(report: Report, options: MarkdownOptions): string {
  const s = report.summary
  const expired = report.config?.suppressions.filter((x) => x.state === 'expired') ?? []
  const failed = s.fail + s.error > 0 || expired.length > 0
  const parts = [
    `${s.pass} passed`,
    s.warn && `${s.warn} warned`,
    s.fail && `${s.fail} failed`,
    s.error && `${s.error} could not decide`,
    s.skip && `${s.skip} skipped`,
    expired.length && `${expired.length} expired suppression${expired.length === 1 ? '' : 's'}`,
  ].filter(Boolean)
  const out = [`### ${failed ? '❌' : '✅'} ${cell(options.name)}: ${parts.join(', ')} (${(report.durationMs / 1000).toFixed(2)} s)`, '']
  out.push('| Result | Check | Target | Details | Time |', '| --- | --- | --- | --- | --- |')
  for (const r of report.checks) {
    out.push(
      `| ${ICON[r.status]} | \`${r.id}\` | ${r.target} | ${cell(details(r))} | ${r.durationMs} ms${r.slow ? ` 🐢 slow (timeout ${r.slow.timeoutMs} ms)` : ''} |`,
    )
  }
  for (const e of expired) {
    out.push(
      `| ❌ expired | ${cell(`suppression of ${e.symptom ?? e.check}`)} | ${e.target ?? 'any'} | ${cell(`expired on ${e.expires} (reason given: ${e.reason}); renew or remove it in doctor.config.json`)} | |`,
    )
  }
  const broken = report.checks.filter((r) => r.status === 'fail' || r.status === 'warn')
  if (broken.length > 0) {
    out.push('', '#### How to fix', '')
    for (const r of broken) {
      for (const f of r.findings.filter((x) => !x.suppressed)) {
        out.push(`**\`${r.id}\`** (${r.target}): ${cell(f.message)}`, '')
        const ev = formatEvidence(f.evidence)
        if (ev) out.push(`<sub>evidence: ${cell(ev)}</sub>`, '')
        out.push(cell(f.fix.summary), '')
        if (f.fix.commands.length > 0) out.push(fence(f.fix.commands.join('\n'), 'sh'), '')
        out.push(`<sub>docs: ${cell(f.fix.docs)}</sub>`, '')
      }
      if (r.omittedFindings) out.push(`**\`${r.id}\`** (${r.target}): ${cell(`… ${omitted(r.omittedFindings)}`)}`, '')
    }
  }
  return out.join('\n').trimEnd() + '\n\n'
}

function details(r: CheckResult): string {
  if (r.status === 'skip' || r.status === 'error') return r.reason ?? ''
  const open = r.findings.filter((f) => !f.suppressed)
  const left = r.omittedFindings ? [`… ${omitted(r.omittedFindings)}`] : []
  if (open.length === 0 && left.length === 0) return r.title
  return [...open.map((f) => f.message), ...left].join('\n')
}
