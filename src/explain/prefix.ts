/**
 * The prefixes that loggers, shells and CLIs put before a message, stripped alike from pasted
 * text (`normalise`) and from catalogue patterns (`compilePattern`), so both meet in the middle.
 */

const LEVEL = '(?:fatal|panic|crit(?:ical)?|error|err|eror|warn(?:ing)?|wrn|info|inf|notice|debug|dbg|trace|trc)'

/** Prefixes removed from the start of a line, repeatedly, in any order (data, tried in turn). */
const PREFIXES: readonly RegExp[] = [
  // ISO-8601 / RFC 3339 and "2026-07-20 10:11:12,345" timestamps, optionally bracketed.
  /^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?\]?\s*/i,
  // Go's log package ("2026/07/20 10:11:12").
  /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)?\s+/,
  // syslog / journald: "Jul 20 10:11:12 host unit[123]: " (systemd names a process it is about to exec "(runwisp)[123]").
  /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ \(?[\w@./-]+\)?(?:\[\d+\])?:\s*/,
  // Bare clock times ("10:11:12", "[10:11:12.345]").
  /^\[?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s+/,
  // Log levels: "ERROR", "[error]", "error:", "E ", "level=error", "ERROR ›".
  new RegExp(`^\\[?${LEVEL}\\]?(?:\\s*[:›»|-]+\\s*|\\s+)`, 'i'),
  new RegExp(`^level=${LEVEL}\\s+`, 'i'),
  // `Error:` and its relatives ("Uncaught Error:", "error[E0001]:", oclif's " ›   Error:").
  /^(?:›\s*)?(?:uncaught\s+)?(?:[A-Z][A-Za-z]*)?Error(?:\[[^\]]*\])?:\s*/,
  /^›\s+/,
  // `caused by:` links of a cause chain.
  /^caused by:\s*/i,
  // CI annotations ("::error file=x::message").
  /^::(?:error|warning|notice)[^:]*::/,
  // Shell and prompt debris.
  /^[$>#]\s+(?=[A-Z])/,
]

export function stripPrefixes(line: string): string {
  let current = line.trim()
  for (let guard = 0; guard < 12; guard++) {
    const before = current
    for (const prefix of PREFIXES) current = current.replace(prefix, '').trim()
    if (current === before) break
  }
  return current
}

/** A leading literal tag such as `[executor]` or `[e2e]`: printed by the product, often lost in a paste. */
const TAG = /^\[[\w.-]+\]\s*/

/** Splits a pattern into its optional leading tag and the body, with the input's prefixes removed. */
export function stripPrefixesOfPattern(source: string): {body: string; optionalTag: string | null} {
  const trimmed = source.trim()
  const tag = TAG.exec(trimmed)
  const rest = tag ? trimmed.slice(tag[0].length) : trimmed
  return {body: stripPrefixes(rest), optionalTag: tag ? tag[0].trim() : null}
}
