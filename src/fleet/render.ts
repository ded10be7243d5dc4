/**
 * The fleet view as human text, Markdown (for an issue or a wiki page) and JSON
 * (schema/fleet.schema.json). Host names, messages and reasons come from other machines' reports,
 * so the view passes the output-safety step first, and Markdown escapes every cell.
 */
import {cell} from '../report/markdown.js'
import {oneLine, OutputSafety} from '../report/safety.js'
import type {FleetCheck, FleetView} from './merge.js'

export const MERGE_FORMATS = ['human', 'markdown', 'json'] as const
export type MergeFormat = (typeof MERGE_FORMATS)[number]

/** Symptoms listed in text views; JSON has them all. */
const TOP_SYMPTOMS = 10
/** Hosts named per line before "and N more". */
const NAMED_HOSTS = 8

/** One line of terminal-safe text: the output-safety step's own (control characters shown as escapes). */
export const printable = oneLine

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
const names = (hosts: string[]) =>
  hosts.length > NAMED_HOSTS ? `${hosts.slice(0, NAMED_HOSTS).join(', ')} and ${hosts.length - NAMED_HOSTS} more` : hosts.join(', ')
const columnOf = (c: {target: string; check: string}) => `${c.target}:${c.check}`

/** Each host's status on each problem check: rows are hosts with a problem, columns the checks. */
function matrix(view: FleetView): {columns: FleetCheck[]; rows: Array<{host: string; cells: string[]}>} {
  const columns = view.checks
  const rows = view.hosts
    .filter((h) => h.problems.length > 0)
    .map((h) => ({
      host: h.host,
      cells: columns.map((c) => {
        const p = h.problems.find((x) => x.check === c.check && x.target === c.target)
        if (p) return p.status
        // The host judged the check fine, skipped it, or never ran it (other target, older doctor).
        return h.targets.some((t) => t.id === c.target) ? '·' : '–'
      }),
    }))
  return {columns, rows}
}

function span(view: FleetView): string {
  const {oldest, newest} = view.reports.oldest ? view.reports : {oldest: '', newest: ''}
  const versions = view.reports.toolVersions
    .map((v) => `${v.version}${view.reports.toolVersions.length > 1 ? ` (${plural(v.hosts.length, 'host')})` : ''}`)
    .join(', ')
  return `reports from ${oldest === newest ? oldest : `${oldest} to ${newest}`}, by doctorkit ${versions}`
}

function headline(view: FleetView): string {
  const s = view.summary
  return `${plural(s.hosts, 'host')}: ${s.failing} failing, ${s.warning} warning, ${s.unjudged} could not be judged, ${s.healthy} healthy`
}

export function formatFleetHuman(view: FleetView): string {
  const out = [`Fleet: ${headline(view)}`, `  ${printable(span(view))}`, '']
  const {columns, rows} = matrix(view)
  if (rows.length > 0) {
    out.push('Failing and warning checks')
    const table = [['host', ...columns.map(columnOf)], ...rows.map((r) => [printable(r.host), ...r.cells])]
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
    for (const row of table)
      out.push(
        `  ${row
          .map((v, i) => v.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}`,
      )
    out.push('  (· no problem there, – not checked there)', '')
  } else out.push('No host has a failing or warning check.', '')
  if (view.symptoms.length > 0) {
    out.push('Most common symptoms')
    for (const s of view.symptoms.slice(0, TOP_SYMPTOMS)) {
      out.push(`  ${s.symptom} (${s.severity}) on ${plural(s.hosts.length, 'host')}: ${printable(names(s.hosts))}`)
      if (s.fix) out.push(`    fix: ${printable(s.fix)}`)
    }
    if (view.symptoms.length > TOP_SYMPTOMS)
      out.push(`  and ${plural(view.symptoms.length - TOP_SYMPTOMS, 'more symptom')} (--format json lists them all)`)
    out.push('')
  }
  if (view.unjudged.length > 0) {
    out.push('Could not be judged')
    for (const u of view.unjudged) {
      out.push(`  ${printable(u.host)}: ${u.reason}`)
      for (const c of u.checks) out.push(`    ${columnOf(c)}: ${printable(c.reason)}`)
    }
    out.push('')
  }
  const healthy = view.hosts.filter((h) => h.status === 'pass').map((h) => h.host)
  if (healthy.length > 0) out.push(`Healthy: ${printable(names(healthy))}`, '')
  const fromDirs = view.hosts.filter((h) => h.hostFrom === 'directory')
  if (fromDirs.length > 0)
    out.push(`Named after their directory (the report has no "host" field): ${printable(names(fromDirs.map((h) => h.host)))}`, '')
  return out.join('\n')
}

export function formatFleetMarkdown(view: FleetView): string {
  const out = [`### doctorkit fleet: ${cell(headline(view))}`, '', `<sub>${cell(span(view))}</sub>`, '']
  const {columns, rows} = matrix(view)
  const icon: Record<string, string> = {fail: '❌ fail', warn: '⚠️ warn', error: '❓ error', '·': '·', '–': '–'}
  if (rows.length > 0) {
    out.push('#### Failing and warning checks', '')
    out.push(`| Host | ${columns.map((c) => `\`${cell(columnOf(c))}\``).join(' | ')} |`, `| --- |${columns.map(() => ' :---: |').join('')}`)
    for (const r of rows) out.push(`| ${cell(r.host)} | ${r.cells.map((v) => icon[v] ?? cell(v)).join(' | ')} |`)
    out.push('', '<sub>· no problem there, – not checked there</sub>', '')
  } else out.push('No host has a failing or warning check.', '')
  if (view.symptoms.length > 0) {
    out.push('#### Most common symptoms', '', '| Symptom | Severity | Hosts | Fix |', '| --- | --- | --- | --- |')
    for (const s of view.symptoms.slice(0, TOP_SYMPTOMS))
      out.push(`| \`${cell(s.symptom)}\` | ${s.severity} | ${s.hosts.length}: ${cell(names(s.hosts))} | ${cell(s.fix ?? '')} |`)
    if (view.symptoms.length > TOP_SYMPTOMS) out.push('', `and ${plural(view.symptoms.length - TOP_SYMPTOMS, 'more symptom')}`)
    out.push('')
  }
  if (view.unjudged.length > 0) {
    out.push('#### Could not be judged', '')
    for (const u of view.unjudged) {
      out.push(`- **${cell(u.host)}**: ${cell(u.reason)}`)
      for (const c of u.checks) out.push(`  - \`${cell(columnOf(c))}\`: ${cell(c.reason)}`)
    }
    out.push('')
  }
  const healthy = view.hosts.filter((h) => h.status === 'pass').map((h) => h.host)
  if (healthy.length > 0) out.push(`**Healthy:** ${cell(names(healthy))}`, '')
  return out.join('\n')
}

/** Other machines' text, as every output gets it: redacted (patterns, secret flags), controls neutralised. */
export function renderFleet(raw: FleetView, format: MergeFormat, safety = new OutputSafety()): string {
  const view = safety.value(raw)
  if (format === 'json') return JSON.stringify(view, null, 2) + '\n'
  return format === 'markdown' ? formatFleetMarkdown(view) : formatFleetHuman(view)
}
