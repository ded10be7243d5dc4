/**
 * The fleet view: many hosts' reports as one picture. Which hosts fail or warn on which checks,
 * the symptoms most hosts share (one fix for many machines), and the hosts whose state nobody
 * knows — a check that could not decide, or a doctor that found nothing to check.
 */
import type {Status} from '../types.js'
import {toolVersion} from '../version.js'
import type {HostReport, HostResult} from './read.js'

/** The health of a host as one word: its worst result; `none` when no check reached a verdict. */
export type HostStatus = 'fail' | 'error' | 'warn' | 'pass' | 'none'

export interface FleetProblem {
  check: string
  target: string
  status: 'fail' | 'warn' | 'error'
  /** Open (unsuppressed) findings' symptoms; for `error`, the reason instead. */
  symptoms: string[]
  reason?: string
}

export interface FleetHost {
  host: string
  hostFrom: 'report' | 'directory'
  file: string
  startedAt: string
  toolVersion: string
  status: HostStatus
  summary: Record<Status, number>
  targets: Array<{id: string; generation: string | null}>
  problems: FleetProblem[]
}

export interface FleetCheck {
  check: string
  target: string
  fail: string[]
  warn: string[]
  error: string[]
}

export interface FleetSymptom {
  symptom: string
  severity: 'warn' | 'fail'
  hosts: string[]
  findings: number
  checks: string[]
  /** The documented fix, as the first report that had the symptom gives it. */
  fix: string | null
}

export interface FleetUnjudged {
  host: string
  reason: string
  checks: Array<{check: string; target: string; reason: string}>
}

export interface FleetView {
  kind: 'doctorkit-fleet'
  schemaVersion: 1
  tool: {name: 'doctorkit'; version: string}
  summary: {hosts: number; failing: number; warning: number; unjudged: number; healthy: number}
  /** Oldest and newest report: a stale report describes a past state. */
  reports: {oldest: string; newest: string; toolVersions: Array<{version: string; hosts: string[]}>}
  hosts: FleetHost[]
  /** Every (check, target) that failed, warned or could not decide somewhere, with where. */
  checks: FleetCheck[]
  /** Symptoms of open findings, by how many hosts have them. */
  symptoms: FleetSymptom[]
  unjudged: FleetUnjudged[]
}

const RANK: Record<HostStatus, number> = {fail: 4, error: 3, warn: 2, pass: 1, none: 0}

/** Host names sort as people number machines: web2 before web10. */
const byName = new Intl.Collator('en', {numeric: true, sensitivity: 'base'}).compare

export function hostStatus(results: HostResult[]): HostStatus {
  let worst: HostStatus = 'none'
  for (const r of results) {
    const s: HostStatus | null = r.status === 'skip' ? null : r.status
    if (s && RANK[s] > RANK[worst]) worst = s
  }
  return worst
}

export function mergeReports(reports: HostReport[]): FleetView {
  const hosts: FleetHost[] = [...reports]
    .sort((a, b) => byName(a.host, b.host))
    .map((r) => {
      const summary: Record<Status, number> = {pass: 0, warn: 0, fail: 0, skip: 0, error: 0}
      for (const x of r.results) summary[x.status]++
      const problems: FleetProblem[] = r.results
        .filter(
          (x): x is HostResult & {status: FleetProblem['status']} => x.status === 'fail' || x.status === 'warn' || x.status === 'error',
        )
        .map((x) => ({
          check: x.check,
          target: x.target,
          status: x.status,
          symptoms: [...new Set(x.findings.filter((f) => !f.suppressed).map((f) => f.symptom))],
          ...(x.status === 'error' ? {reason: x.reason ?? 'could not decide'} : {}),
        }))
      return {
        host: r.host,
        hostFrom: r.hostFrom,
        file: r.file,
        startedAt: r.startedAt,
        toolVersion: r.toolVersion,
        status: hostStatus(r.results),
        summary,
        targets: r.targets,
        problems,
      }
    })

  const checks = new Map<string, FleetCheck>()
  for (const h of hosts) {
    for (const p of h.problems) {
      const key = `${p.target}:${p.check}`
      const entry = checks.get(key) ?? {check: p.check, target: p.target, fail: [], warn: [], error: []}
      entry[p.status].push(h.host)
      checks.set(key, entry)
    }
  }
  const spread = (c: FleetCheck) => c.fail.length * 1e6 + c.error.length * 1e3 + c.warn.length

  const symptoms = new Map<string, FleetSymptom>()
  for (const r of reports) {
    for (const x of r.results) {
      for (const f of x.findings) {
        if (f.suppressed) continue
        const entry = symptoms.get(f.symptom) ?? {
          symptom: f.symptom,
          severity: f.severity,
          hosts: [],
          findings: 0,
          checks: [],
          fix: f.fixSummary,
        }
        if (!entry.hosts.includes(r.host)) entry.hosts.push(r.host)
        if (!entry.checks.includes(x.check)) entry.checks.push(x.check)
        if (f.severity === 'fail') entry.severity = 'fail'
        entry.fix ??= f.fixSummary
        entry.findings++
        symptoms.set(f.symptom, entry)
      }
    }
  }

  const unjudged: FleetUnjudged[] = []
  for (const h of hosts) {
    const source = reports.find((r) => r.file === h.file)!
    const errors = source.results
      .filter((x) => x.status === 'error')
      .map((x) => ({check: x.check, target: x.target, reason: x.reason ?? 'could not decide'}))
    if (h.status === 'none') {
      const reason =
        source.results.length === 0
          ? h.targets.length === 0
            ? 'no known product was detected, so nothing was checked'
            : 'no check ran'
          : 'every check was skipped'
      unjudged.push({host: h.host, reason, checks: []})
    } else if (errors.length > 0) {
      unjudged.push({host: h.host, reason: `${errors.length} check${errors.length === 1 ? '' : 's'} could not decide`, checks: errors})
    }
  }

  const versions = new Map<string, string[]>()
  for (const h of hosts) versions.set(h.toolVersion, [...(versions.get(h.toolVersion) ?? []), h.host])
  const times = hosts.map((h) => h.startedAt).sort((a, b) => Date.parse(a) - Date.parse(b))

  return {
    kind: 'doctorkit-fleet',
    schemaVersion: 1,
    tool: {name: 'doctorkit', version: toolVersion()},
    summary: {
      hosts: hosts.length,
      failing: hosts.filter((h) => h.status === 'fail').length,
      warning: hosts.filter((h) => h.status === 'warn').length,
      unjudged: unjudged.length,
      healthy: hosts.filter((h) => h.status === 'pass').length,
    },
    reports: {
      oldest: times[0] ?? '',
      newest: times.at(-1) ?? '',
      toolVersions: [...versions].map(([version, names]) => ({version, hosts: names})).sort((a, b) => byName(a.version, b.version)),
    },
    hosts,
    checks: [...checks.values()].sort((a, b) => spread(b) - spread(a) || byName(`${a.target}:${a.check}`, `${b.target}:${b.check}`)),
    symptoms: [...symptoms.values()].sort(
      (a, b) => b.hosts.length - a.hosts.length || b.findings - a.findings || a.symptom.localeCompare(b.symptom),
    ),
    unjudged,
  }
}
