/**
 * Findings per check are capped. A machine can hold thousands of the same problem (10,000 stale
 * records, unknown ids in a config): listing each one makes a report nobody reads and JSON of
 * megabytes (17 MB for 10k findings). Past the cap the result keeps the most important findings
 * and counts the rest by symptom; the status still counts every finding.
 */
import type {CheckResult, Finding} from '../types.js'

/**
 * Findings listed per check result. A hundred is far more than a person reads in one sitting and
 * keeps one result's JSON in the hundreds of kilobytes; `--fix` plans from the listed findings,
 * so a run repairs a hundred per check and the next run the next hundred.
 */
export const FINDINGS_CAP = 100

/** Unsuppressed failures first, then warnings, then what a suppression covers. */
const rank = (f: Finding) => (f.suppressed ? 2 : f.severity === 'fail' ? 0 : 1)

export function capFindings(result: CheckResult, cap = FINDINGS_CAP): CheckResult {
  if (result.findings.length <= cap) return result
  const kept = new Set(
    result.findings
      .map((f, i) => ({f, i}))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .slice(0, cap)
      .map((e) => e.i),
  )
  const bySymptom: Record<string, number> = {}
  for (const [i, f] of result.findings.entries()) if (!kept.has(i)) bySymptom[f.symptom] = (bySymptom[f.symptom] ?? 0) + 1
  return {
    ...result,
    findings: result.findings.filter((_, i) => kept.has(i)),
    omittedFindings: {count: result.findings.length - cap, cap, bySymptom},
  }
}
