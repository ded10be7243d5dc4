/**
 * `report.md`: the bundle's summary as Markdown, ready to paste into a GitHub issue (versions,
 * targets, failing checks and their fixes). It is built from the raw report and then redacted by
 * the collector like every other file.
 */
import type {JsonValue, Report} from '../types.js'
import type {Bundle} from './collect.js'
import {neutraliseControls} from '../report/safety.js'
import {formatSize} from './options.js'

type Facts = Record<string, JsonValue>

const get = (facts: JsonValue | undefined, ...path: string[]): JsonValue | undefined => {
  let node: JsonValue | undefined = facts
  for (const key of path) node = node && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined
  return node
}
const str = (v: JsonValue | undefined, fallback = 'unknown') => (v === undefined || v === null || v === '' ? fallback : String(v))
/** Table cells must not break the table. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

const ICON: Record<string, string> = {fail: '✗', error: '!', warn: '⚠'}

export function buildReportMarkdown(
  bundle: Omit<Bundle, 'secrets'> & {secrets: Bundle['secrets']},
  environment: Facts,
  doctorError: string | null,
): string {
  const lines: string[] = []
  const report = bundle.report
  lines.push('# doctorkit diagnostics bundle', '')
  if (bundle.cutShort) lines.push(`> **Incomplete:** ${bundle.cutShort}.`, '')
  lines.push(
    `Created ${bundle.createdAt} by doctorkit ${str(environment.doctorkit)}. Secrets this machine knows were replaced (and their encoded forms), then secret-shaped values; the home directory reads \`~\` and user and host names are pseudonymised. Run \`doctor bundle verify <file>\` to check the archive yourself.`,
    '',
  )

  lines.push('## Environment', '', '| | |', '|---|---|')
  const os = environment.os
  lines.push(`| OS | ${cell(`${str(get(os, 'distro'), str(get(os, 'type')))} (${str(get(os, 'platform'))} ${str(get(os, 'arch'))})`)} |`)
  lines.push(`| Kernel | ${cell(str(get(os, 'kernel')))} |`)
  lines.push(`| Node | ${cell(str(get(environment, 'node', 'version')))} |`)
  const total = get(environment, 'memory', 'totalBytes')
  const free = get(environment, 'memory', 'freeBytes')
  lines.push(`| CPU | ${cell(`${str(get(environment, 'cpu', 'count'))} × ${str(get(environment, 'cpu', 'model'))}`)} |`)
  lines.push(
    `| Memory | ${typeof total === 'number' && typeof free === 'number' ? `${formatSize(total)} (${formatSize(free)} free)` : 'unknown'} |`,
  )
  const offset = get(environment, 'timezone', 'utcOffsetMinutes')
  lines.push(
    `| Timezone | ${cell(str(get(environment, 'timezone', 'name')))}${typeof offset === 'number' ? ` (UTC${offset >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')})` : ''} |`,
  )
  lines.push(`| Container / WSL | ${get(os, 'container') ? 'container' : 'no container'} / ${get(os, 'wsl') ? 'WSL' : 'not WSL'} |`, '')

  lines.push('## Products', '', '| Product | Detected | Generation | Version | Data dir |', '|---|---|---|---|---|')
  const executor = get(environment, 'products', 'executor')
  lines.push(
    `| Executor | ${get(executor, 'detectedByDoctor') ? 'yes' : 'no'} | ${cell(str(get(executor, 'generation')))} | ${cell(str(get(executor, 'manifestVersion')))} (server.json) | ${cell(str(get(executor, 'dataDir')))} |`,
  )
  const runwisp = get(environment, 'products', 'runwisp')
  const found = get(runwisp, 'found')
  const rwDirs = Array.isArray(found) ? found.map((f) => str(get(f, 'path'))).join(', ') : ''
  const hints = Array.isArray(found)
    ? found.flatMap((f) => (Array.isArray(get(f, 'generationHints')) ? (get(f, 'generationHints') as JsonValue[]).map((h) => str(h)) : []))
    : []
  const rwDetected = get(runwisp, 'detectedByDoctor')
  lines.push(
    `| RunWisp | ${rwDetected === null || rwDetected === undefined ? (rwDirs ? 'data dir found' : 'no') : rwDetected ? 'yes' : 'no'} | ${cell(str(get(runwisp, 'generation'), hints.join('; ') || 'unknown'))} | ${cell(str(get(runwisp, 'version')))} | ${cell(rwDirs || 'none found')} |`,
    '',
  )

  if (doctorError) lines.push('## The doctor could not run', '', '```', doctorError, '```', '')
  if (report) lines.push(...checksSection(report))

  const copied = bundle.entries.filter((e) => e.kind === 'copy' || e.kind === 'tail').length
  const known = bundle.secrets.filter((s) => s.occurrences > 0).length
  const byRule = Object.entries(bundle.totals)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ')
  lines.push(
    '## What the bundle holds',
    '',
    `- ${bundle.entries.length + 2} files: the JSON report, environment facts, processes, ports, ${copied} redacted copies and log tails, manifest.json and this summary.`,
    `- ${bundle.secretFiles.filter((s) => s.facts.present).length} secret files described (never copied); ${bundle.omitted.length} files left out (binary, unreadable, symlinked or too large), listed in manifest.json.`,
    ...bundle.leftOut
      .filter((l) => l.cause === 'cap')
      .map((l) => `- ${l.what}: ${l.kept} of ${l.foundAtLeast ? 'at least ' : ''}${l.found} included (${l.reason}).`),
    `- Redactions: ${byRule || 'none'}; ${known} of the ${bundle.secrets.length} secret values known on this machine appeared.`,
    '',
  )
  // Machine text (a squatter's argv, a log line) is shown to whoever reads the issue in a terminal:
  // controls neutralised here, as in every other output; the collector then redacts it like every file.
  return neutraliseControls(lines.join('\n'))
}

function checksSection(report: Report): string[] {
  const s = report.summary
  const lines = [
    '## Checks',
    '',
    `pass ${s.pass} · warn ${s.warn} · fail ${s.fail} · skip ${s.skip} · error ${s.error} (doctorkit ${report.tool.version}, ${report.durationMs} ms)`,
    '',
  ]
  const problems = report.checks.filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'warn')
  if (problems.length === 0) {
    lines.push('No check failed.', '')
    return lines
  }
  const order = {fail: 0, error: 1, warn: 2} as Record<string, number>
  for (const check of problems.sort((a, b) => (order[a.status] ?? 3) - (order[b.status] ?? 3))) {
    lines.push(`### ${ICON[check.status] ?? ''} ${check.status}: ${check.id} (${check.target})`, '')
    if (check.reason) lines.push(check.reason, '')
    for (const f of check.findings) {
      lines.push(`**${f.symptom}** (${f.severity}): ${f.message}`, '', `Fix: ${f.fix.summary}`, '')
      if (f.fix.commands.length > 0) lines.push('```sh', ...f.fix.commands, '```', '')
      lines.push(`Docs: ${f.fix.docs}`, '')
    }
  }
  return lines
}
