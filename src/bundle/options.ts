/**
 * What `doctor bundle` collects and how much of it. Defaults follow the issue: the last 1 MiB or
 * 2,000 lines of each log (whichever is smaller), a handful of recent RunWisp run logs, and at
 * most 50 files of any one kind (records, locks, pointers), the newest.
 */

export interface BundleOptions {
  /** At most this many bytes from the end of each log. */
  maxLogBytes: number
  /** At most this many lines from the end of each log. */
  maxLogLines: number
  /** How many of the most recent RunWisp run logs to include. */
  runLogs: number
  /** Cap for a copied config, manifest or unit file (bigger ones are described instead). */
  maxCopyBytes: number
  /** At most this many files of one kind (daemon records, start locks, run logs…); the rest are counted. */
  maxPerKind: number
}

/** The largest file a bundle holds; `doctor bundle verify` refuses an archive with a bigger entry. */
export const MAX_BUNDLE_FILE_BYTES = 64 * 1024 * 1024

export const DEFAULT_BUNDLE_OPTIONS: BundleOptions = {
  maxLogBytes: 1024 * 1024,
  maxLogLines: 2000,
  runLogs: 5,
  maxCopyBytes: 1024 * 1024,
  maxPerKind: 50,
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  ki: 1024,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
}

/** "1MiB", "512k", "2000000", "1.5mb" → bytes; null when it is none of those. */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (!match) return null
  const factor = UNITS[(match[2] ?? '').toLowerCase()]
  if (factor === undefined) return null
  const bytes = Math.floor(Number(match[1]) * factor)
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null
}

/** 1536 → "1.5 KiB": sizes in listings and summaries. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`
}
