/** Parses "30s", "1500ms", "2m" or a bare number of seconds into milliseconds; null when it is none of those. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(text)
  if (!match) return null
  const value = Number(match[1])
  const unit = (match[2] ?? 's').toLowerCase()
  const ms = unit === 'ms' ? value : unit === 'm' ? value * 60_000 : value * 1000
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : null
}
