/**
 * GitHub Actions output: a plain line per result for the job log, then workflow commands that the
 * runner turns into annotations (`::error` for fail and error, `::warning` for warn, `::notice`
 * for slow checks), escaped as the runner unescapes them. The step summary (Markdown) is built by
 * markdown.ts; the command appends it to $GITHUB_STEP_SUMMARY.
 */
import {isAbsolute, relative} from 'node:path'
import type {CheckResult, Report, Status, SuppressionReport} from '../types.js'
import {formatEvidence, omitted} from './human.js'

export interface GithubOptions {
  /** Name of the run (`doctor`, `doctor preflight`). */
  name: string
  /** $GITHUB_WORKSPACE: annotations on the config file need a path relative to it. */
  workspace?: string
}

/** Message data: the runner unescapes `%25`, `%0D`, `%0A` (in that spirit `%` goes first). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Property values (title, file): also `:` and `,`, which delimit properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

export function workflowCommand(
  kind: 'error' | 'warning' | 'notice',
  properties: Record<string, string | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',')
  return `::${kind}${props ? ` ${props}` : ''}::${escapeData(message)}`
}

const MARK: Record<Status, string> = {pass: '✔', warn: '⚠', fail: '✖', skip: '↓', error: '?'}

/**
 * Plain log lines carry text from the machine (reasons, command lines). The runner reads any line
 * that starts with `::` as a command, so a newline in that text could forge one: fold line breaks.
 */
const oneLine = (text: string) => text.replace(/\r\n|\r|\n/g, ' ⏎ ')

export function formatGithub(report: Report, options: GithubOptions): string {
  const lines: string[] = []
  for (const r of report.checks) {
    lines.push(
      `${MARK[r.status]} ${r.id} [${r.target}] ${r.status} (${r.durationMs} ms${r.slow ? `, slow: over half of its ${r.slow.timeoutMs} ms timeout` : ''})${r.reason ? ` — ${oneLine(r.reason)}` : ''}${r.omittedFindings ? ` — ${r.findings.length + r.omittedFindings.count} findings, ${r.omittedFindings.count} not listed` : ''}`,
    )
  }
  for (const r of report.checks) {
    const title = `${r.id} [${r.target}]: ${r.title}`
    if (r.status === 'fail' || r.status === 'error') lines.push(workflowCommand('error', {title}, resultMessage(r)))
    else if (r.status === 'warn') lines.push(workflowCommand('warning', {title}, resultMessage(r)))
    if (r.slow)
      lines.push(
        workflowCommand(
          'notice',
          {title: `Slow check: ${r.id} [${r.target}]`},
          `${r.id} took ${r.durationMs} ms, over half of its ${r.slow.timeoutMs} ms timeout; raise it under "timeouts" in doctor.config.json if this machine is just slow.`,
        ),
      )
  }
  for (const s of report.config?.suppressions.filter((x) => x.state === 'expired') ?? []) {
    lines.push(
      workflowCommand(
        'error',
        {title: 'Expired doctor suppression', file: fileProperty(report.config!.path, options.workspace)},
        expiredMessage(s),
      ),
    )
  }
  const sum = report.summary
  const expired = report.config?.suppressions.filter((s) => s.state === 'expired').length ?? 0
  lines.push(
    `${options.name}: ${sum.pass} passed, ${sum.warn} warned, ${sum.fail} failed, ${sum.error} could not decide, ${sum.skip} skipped${expired ? `, ${expired} expired suppression${expired === 1 ? '' : 's'}` : ''} in ${(report.durationMs / 1000).toFixed(2)} s`,
  )
  return lines.join('\n') + '\n'
}

/** Everything needed to act without opening the log: the findings, their evidence and fix. */
function resultMessage(r: CheckResult): string {
  if (r.status === 'error') return `Could not decide: ${r.reason ?? 'unknown reason'}`
  const listed = r.findings
    .filter((f) => !f.suppressed)
    .map((f) => {
      const ev = formatEvidence(f.evidence)
      return [
        f.message,
        ...(ev ? [`Evidence: ${ev}`] : []),
        `Fix: ${f.fix.summary}`,
        ...f.fix.commands.map((c) => `  $ ${c}`),
        `Docs: ${f.fix.docs}`,
      ].join('\n')
    })
  // What the findings cap left out (src/engine/cap.ts): the annotation says how many.
  if (r.omittedFindings) listed.push(`… ${omitted(r.omittedFindings)}`)
  return listed.join('\n\n')
}

function expiredMessage(s: SuppressionReport): string {
  const what = s.symptom ? `symptom ${s.symptom}` : `check ${s.check}`
  return `The suppression of ${what}${s.target ? ` [${s.target}]` : ''} expired on ${s.expires} (reason given: ${s.reason}). Renew it with a new reason and date, or remove it and fix the problem.${s.matches.length > 0 ? ` It would cover: ${s.matches.join(', ')}.` : ''}`
}

function fileProperty(path: string, workspace?: string): string | undefined {
  if (!workspace) return undefined
  const rel = relative(workspace, path)
  return rel.startsWith('..') || isAbsolute(rel) ? undefined : rel
}
