/**
 * The Prometheus text exposition format (version 0.0.4), for node_exporter's textfile collector:
 * one file per host that Prometheus scrapes with the host's other metrics, so alerts and
 * dashboards use the `instance` label Prometheus already gives the host.
 *
 * Only bounded values become labels: check ids, target ids and statuses come from the code, and
 * symptoms from the catalogue — never a path, pid, port, command line or message, which would
 * make series unbounded and leak what the findings say. Samples carry no timestamps, which the
 * textfile collector refuses.
 */
import {checks as registry} from '../../checks/index.js'
import {STATUSES, type CheckResult, type Report} from '../types.js'

export interface PrometheusOptions {
  /** The run's time budget (`--timeout`); a run that used it all up did not complete. */
  budgetMs?: number
}

interface Family {
  name: string
  help: string
  samples: Array<{labels: Record<string, string>; value: number}>
}

/** A label value as the exposition format reads it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return wellFormed(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** HELP text: backslash and newline escaped (quotes are literal there). */
export function escapeHelp(text: string): string {
  return wellFormed(text).replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

/** The format is UTF-8: a lone UTF-16 surrogate has no encoding, so it becomes U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
}

/** Generations are short ids the targets declare ('legacy', '0.16+'); anything else is not a label value. */
const GENERATION = /^[A-Za-z0-9.+_-]{1,32}$/

const seconds = (ms: number) => Number((ms / 1000).toFixed(3))

/** The symptoms a check can report for one target, from the registry, so each has a series (0 when absent). */
function declaredSymptoms(result: CheckResult): string[] {
  const check = registry.find((c) => c.id === result.id)
  return (check?.symptoms ?? []).filter((s) => s.startsWith(`${result.target}/`))
}

export function formatPrometheus(report: Report, options: PrometheusOptions = {}): string {
  const ran = report.targets.filter((t) => t.detected || t.forced)
  const info: Family = {
    name: 'doctorkit_info',
    help: 'doctorkit version and the generation of each target checked (one series per target; value always 1).',
    samples:
      ran.length > 0
        ? ran.map((t) => ({
            labels: {
              version: report.tool.version,
              target: t.id,
              generation: t.generation && GENERATION.test(t.generation) ? t.generation : 'unknown',
            },
            value: 1,
          }))
        : [{labels: {version: report.tool.version, target: '', generation: ''}, value: 1}],
  }
  const endedMs = Date.parse(report.startedAt) + report.durationMs
  const completed = options.budgetMs === undefined || report.durationMs < options.budgetMs
  const run: Family[] = [
    {
      name: 'doctorkit_run_timestamp_seconds',
      help: 'When the doctor run ended, in seconds since the Unix epoch.',
      samples: [{labels: {}, value: seconds(endedMs)}],
    },
    {
      name: 'doctorkit_run_duration_seconds',
      help: 'How long the doctor run took.',
      samples: [{labels: {}, value: seconds(report.durationMs)}],
    },
    {
      name: 'doctorkit_run_completed',
      help: "1 when every check ended within the run's time budget (--timeout), 0 when the budget ran out first.",
      samples: [{labels: {}, value: completed ? 1 : 0}],
    },
  ]
  const status: Family = {
    name: 'doctorkit_check_status',
    help: 'Result of each check per target: 1 for the status it ended with, 0 for the other statuses.',
    samples: [],
  }
  const duration: Family = {name: 'doctorkit_check_duration_seconds', help: 'How long each check took per target.', samples: []}
  const findings: Family = {
    name: 'doctorkit_check_findings',
    help: 'Open findings of each check per target and symptom (suppressed findings not counted); 0 for symptoms the check can report but did not find.',
    samples: [],
  }
  for (const r of report.checks) {
    const key = {check: r.id, target: r.target}
    for (const s of STATUSES) status.samples.push({labels: {...key, status: s}, value: r.status === s ? 1 : 0})
    duration.samples.push({labels: key, value: seconds(r.durationMs)})
    const counts = new Map<string, number>(declaredSymptoms(r).map((s) => [s, 0]))
    for (const f of r.findings) if (!f.suppressed) counts.set(f.symptom, (counts.get(f.symptom) ?? 0) + 1)
    for (const [symptom, n] of [...counts].sort(([a], [b]) => a.localeCompare(b)))
      findings.samples.push({labels: {...key, symptom}, value: n})
  }
  return [info, ...run, status, duration, findings].map(render).join('')
}

function render(family: Family): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`]
  for (const {labels, value} of family.samples) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
    lines.push(`${family.name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${value}`)
  }
  return lines.join('\n') + '\n'
}
