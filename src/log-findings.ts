/**
 * Known failure lines at the end of a daemon's log, as findings: shared by every target's
 * daemon-log-errors half, which only brings its rules, its log and what its messages need.
 */
import type {Stats} from 'node:fs'
import {finding, type Vars} from './catalogue.js'
import {excerpt} from './text.js'
import type {Finding} from './types.js'

/** How much of a log line the rules see. */
export const MATCHED_CHARS = 2048

export interface LogRule {
  symptom: string
  test: RegExp
}

export interface LogTail {
  lines: string[]
  stat: Stats
  /** True when the tail starts mid-file (line numbers then count from the tail's start). */
  truncated: boolean
}

/**
 * One finding per symptom whose rule matches a line (the first matching rule of a line wins, so
 * rules go most specific first), pointing at its most recent line, with the count. Errors logged
 * before the running daemon started (`runningSinceMs`) belong to an earlier boot: still worth a
 * look, but warnings, not failures of the daemon running now.
 */
export function logFindings(
  path: string,
  tail: LogTail,
  rules: readonly LogRule[],
  options: {vars: Vars; runningSinceMs: number | null},
): Finding[] {
  const hits = new Map<string, {line: number; text: string; count: number}>()
  tail.lines.forEach((text, index) => {
    // The products' messages are short; a rule is tried on a line's first MATCHED_CHARS only, so
    // a 200,000-character line of "[" (junk, a crash dump) cannot make an anchored rule backtrack
    // for seconds (measured: 14 s for one such line under the Executor rules).
    const head = text.length > MATCHED_CHARS ? text.slice(0, MATCHED_CHARS) : text
    const rule = rules.find((r) => r.test.test(head))
    if (rule) hits.set(rule.symptom, {line: index + 1, text, count: (hits.get(rule.symptom)?.count ?? 0) + 1})
  })
  const stale = options.runningSinceMs !== null && tail.stat.mtimeMs < options.runningSinceMs
  return [...hits].map(([symptom, hit]) =>
    finding(symptom, {
      vars: {
        ...options.vars,
        path,
        line: tail.truncated ? `${hit.line} of the last ${tail.lines.length}` : String(hit.line),
        excerpt: excerpt(hit.text, 200),
      },
      ...(stale
        ? {severity: 'warn' as const, detail: 'It was logged before the running daemon started, so it is from an earlier boot.'}
        : {}),
      evidence: {
        path,
        line: hit.line,
        occurrences: hit.count,
        text: excerpt(hit.text, 300),
        logModifiedAt: new Date(tail.stat.mtimeMs).toISOString(),
        tailTruncated: tail.truncated,
      },
    }),
  )
}
