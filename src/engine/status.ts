/** How findings make a status and results make a summary: one rule for every run and re-check. */
import {STATUSES, type CheckResult, type Finding, type Summary} from '../types.js'

export function statusOf(findings: Finding[]): CheckResult['status'] {
  if (findings.some((f) => f.severity === 'fail')) return 'fail'
  return findings.length > 0 ? 'warn' : 'pass'
}

export function summarize(results: CheckResult[]): Summary {
  const summary = Object.fromEntries(STATUSES.map((s) => [s, 0])) as unknown as Summary
  for (const r of results) summary[r.status]++
  return summary
}
