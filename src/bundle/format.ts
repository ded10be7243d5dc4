/**
 * What `doctor bundle` prints: the `--list` preview, the summary after writing, and verify's
 * verdict. Every line goes through the machine's redactor before it is printed, so the command's
 * own output never shows a secret or the home path either.
 */
import type {Bundle} from './collect.js'
import {formatSize} from './options.js'
import type {Redactor} from './redact/redactor.js'
import type {VerifyResult} from './verify.js'

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map(
    (r) =>
      '  ' +
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('   ')
        .trimEnd(),
  )
}

function describeFacts(facts: Bundle['secretFiles'][number]['facts']): string {
  if (!facts.present) return facts.error ? `not inspectable (${facts.error})` : 'not present'
  const parts = [
    facts.type ?? 'file',
    facts.mode ?? '',
    facts.size !== undefined ? formatSize(facts.size) : '',
    facts.owner ? `owner ${facts.owner}` : facts.uid !== undefined ? `uid ${facts.uid}` : '',
  ]
  if (facts.symlinkTarget) parts.push(`→ ${facts.symlinkTarget}${facts.pointsOutside ? ' (outside the data dir)' : ''}`)
  if (facts.readable === false) parts.push('not readable by this user')
  return parts.filter(Boolean).join(', ')
}

function redactionLine(bundle: Bundle): string {
  const t = bundle.totals
  const sum = (ids: string[]) => ids.reduce((n, id) => n + (t[id] ?? 0), 0)
  const known = sum(['known-value', 'known-value-encoded', 'known-value-base64', 'known-value-split', 'known-value-fragment'])
  const pseudo = sum(['home-dir', 'user-name', 'host-name'])
  const patterns = Object.entries(t)
    .filter(([id]) => !id.startsWith('known-value') && !['home-dir', 'user-name', 'host-name'].includes(id))
    .reduce((n, [, c]) => n + c, 0)
  const values = bundle.secrets.filter((s) => s.occurrences > 0).length
  return `Redacted: ${known} occurrences of ${values} known secret values (of ${bundle.secrets.length} found on this machine), ${patterns} by pattern, ${pseudo} home/user/host names pseudonymised.`
}

export function formatList(bundle: Bundle): string {
  const lines = ['doctor bundle --list: nothing is written. The bundle would hold:', '']
  lines.push(
    ...table([
      ['SIZE', 'FILE', 'SOURCE'],
      ...bundle.entries.map((e) => [
        formatSize(e.size),
        e.name,
        `${e.source}${e.kind === 'tail' && e.tail?.truncated ? ' (last part)' : ''}`,
      ]),
    ]),
  )
  const present = bundle.secretFiles.filter((s) => s.facts.present || s.facts.error)
  if (present.length > 0) {
    lines.push('', 'Secret files, described and never copied:')
    lines.push(...table(present.map((s) => [s.facts.path, describeFacts(s.facts), s.what])))
  }
  if (bundle.omitted.length > 0) {
    lines.push('', 'Left out (described in manifest.json):')
    lines.push(...table(bundle.omitted.map((o) => [o.source, o.reason])))
  }
  if (bundle.leftOut.some((l) => l.cause === 'cap'))
    lines.push('', 'Too many to include (counted in manifest.json):', ...leftOutLines(bundle))
  if (bundle.cutShort) lines.push('', `Cut short: ${bundle.cutShort}.`)
  lines.push('', redactionLine(bundle), '')
  return bundle.redactor.clean(lines.join('\n'))
}

/** "  Executor daemon record: 50 of 20000 included (only the 50 most recently modified …)". */
export function leftOutLines(bundle: Pick<Bundle, 'leftOut'>): string[] {
  // What the budget did not reach is summed up in the "Cut short" line; manifest.json lists it by kind.
  return bundle.leftOut
    .filter((l) => l.cause === 'cap')
    .map((l) => `  ${l.what}: ${l.kept} of ${l.foundAtLeast ? 'at least ' : ''}${l.found} included (${l.reason})`)
}

/** `streamed`: the archive went through a FIFO, a terminal or a pipe, so there is no file to name. */
export function formatWritten(bundle: Bundle, shownPath: string, bytes: number, streamed = false): string {
  const report = bundle.report
  const where = streamed
    ? [
        'report.md in the bundle is a summary ready to paste into an issue: tar -xzOf <the archive> report.md',
        'Check the archive yourself before sharing it: doctor bundle verify <the archive>',
      ]
    : [
        `report.md in the bundle is a summary ready to paste into an issue: tar -xzOf ${shownPath} report.md`,
        `Check the archive yourself before sharing it: doctor bundle verify ${shownPath}`,
      ]
  const lines = [
    streamed
      ? `Sent the bundle to ${shownPath} (${bundle.entries.length} files, ${formatSize(bytes)}).`
      : `Wrote ${shownPath} (${bundle.entries.length} files, ${formatSize(bytes)}, mode 0600).`,
    redactionLine(bundle),
    `${bundle.secretFiles.filter((s) => s.facts.present).length} secret files described, never copied; ${bundle.omitted.length} files left out (see manifest.json).`,
    ...(bundle.leftOut.some((l) => l.cause === 'cap') ? ['Too many to include (counted in manifest.json):', ...leftOutLines(bundle)] : []),
    ...(bundle.cutShort ? [`Cut short: ${bundle.cutShort}; manifest.json says "complete": false.`] : []),
    report
      ? `The doctor's checks: ${report.summary.fail} failed, ${report.summary.error} could not decide, ${report.summary.warn} warned, ${report.summary.pass} passed.`
      : 'The doctor could not run; report.json in the bundle says why.',
    ...where,
    '',
  ]
  return bundle.redactor.clean(lines.join('\n'))
}

export function formatVerify(result: VerifyResult, shownPath: string, redactor: Redactor): string {
  const lines: string[] = []
  const labels = new Map(redactor.secrets.map((s) => [s.label, s.foundIn]))
  if (result.hits.length === 0) {
    lines.push(
      `OK: ${shownPath} is clean (${result.files} files scanned for the ${redactor.secrets.length} secret values known on this machine, the secret patterns, and the home, user and host names).`,
    )
  } else {
    const files = new Set(result.hits.map((h) => h.file))
    lines.push(`FAIL: ${shownPath}: ${files.size} file(s) hold what must not be shared:`)
    for (const hit of result.hits) {
      const known = hit.label ? ` (a known secret: ${(labels.get(hit.label) ?? []).join('; ')})` : ''
      const where =
        hit.lines.length > 0
          ? ` on line${hit.lines.length > 1 ? 's' : ''} ${hit.lines.slice(0, 10).join(', ')}${hit.lines.length > 10 ? ', …' : ''}`
          : ''
      lines.push(`  ${hit.file}: ${hit.rule}${hit.detail ? ` (${hit.detail})` : ''}${known}${where}`)
    }
    lines.push('Do not share this archive. Write a new one with `doctor bundle`.')
  }
  for (const note of result.integrity) lines.push(`note: ${note}`)
  lines.push('')
  return redactor.clean(lines.join('\n'))
}
