/**
 * Replacing many literal strings at once (the known secret values in all their encodings, the
 * home dir, user and host names). Each literal is found with indexOf, which is a fast native
 * search, instead of one regex with hundreds of alternatives. Overlaps resolve to the earliest,
 * then the longest match. Spans that are already redactions are never touched, so redacting twice
 * changes nothing.
 */

/** Which neighbouring characters make an occurrence count. */
export type Boundary =
  /** Anywhere (long values: a random 43-character token inside any text is that token). */
  | 'none'
  /** Not inside a longer alphanumeric run (short values, names). */
  | 'word'
  /** Not inside a longer path component (the home dir: `/home/al` must not hit `/home/alice`). */
  | 'path'

export interface Literal {
  text: string
  boundary: Boundary
  replacement: string
  /** Rule id counted in the manifest. */
  rule: string
  /** The known secret's label, for per-secret counts (never the value). */
  label?: string
  /**
   * Grow a match over neighbouring characters of this class (one character per test): a base64
   * fragment takes its whole blob with it, so `Basic <base64 of user:secret>` loses all of it.
   */
  expand?: RegExp
}

export interface LiteralHit {
  rule: string
  label?: string
  /** 1-based line in the text. */
  line: number
}

/** index → 1-based line, by binary search over the newline offsets (computed once per text). */
export function lineIndex(text: string): (index: number) => number {
  const breaks: number[] = []
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i)
  return (index) => {
    let lo = 0
    let hi = breaks.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (breaks[mid]! < index) lo = mid + 1
      else hi = mid
    }
    return lo + 1
  }
}

const WORD = /[A-Za-z0-9]/
const PATH = /[A-Za-z0-9_.~-]/

function bounded(text: string, start: number, end: number, boundary: Boundary): boolean {
  if (boundary === 'none') return true
  const re = boundary === 'word' ? WORD : PATH
  const before = start > 0 ? text[start - 1]! : ''
  const after = end < text.length ? text[end]! : ''
  if (before && re.test(before)) return false
  if (after && re.test(after)) return false
  return true
}

const newlines = (text: string) => {
  let count = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++
  return count
}

/** Keeps line numbers stable: a replaced span keeps as many newlines as it had. */
export function keepNewlines(replacement: string, original: string): string {
  const missing = newlines(original) - newlines(replacement)
  return missing > 0 ? replacement + '\n'.repeat(missing) : replacement
}

/** Spans of `text` matched by `protect` (existing redactions, pseudonyms) that must stay as they are. */
function protectedSpans(text: string, protect: RegExp): Array<[number, number]> {
  const spans: Array<[number, number]> = []
  const re = new RegExp(protect.source, protect.flags.includes('g') ? protect.flags : protect.flags + 'g')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    spans.push([m.index, m.index + m[0].length])
    if (m[0].length === 0) re.lastIndex++
  }
  return spans
}

export function replaceLiterals(text: string, literals: readonly Literal[], protect: RegExp): {text: string; hits: LiteralHit[]} {
  if (literals.length === 0 || text.length === 0) return {text, hits: []}
  const guarded = protectedSpans(text, protect)
  const candidates: Array<{start: number; end: number; literal: Literal}> = []
  for (const literal of literals) {
    if (literal.text.length === 0) continue
    for (let at = text.indexOf(literal.text); at >= 0; at = text.indexOf(literal.text, at + 1)) {
      let start = at
      let end = at + literal.text.length
      if (!bounded(text, start, end, literal.boundary)) continue
      if (literal.expand) {
        while (start > 0 && literal.expand.test(text[start - 1]!)) start--
        while (end < text.length && literal.expand.test(text[end]!)) end++
      }
      if (guarded.some(([s, e]) => start < e && end > s)) continue
      candidates.push({start, end, literal})
    }
  }
  if (candidates.length === 0) return {text, hits: []}
  candidates.sort((a, b) => a.start - b.start || b.end - a.end)
  const parts: string[] = []
  const hits: LiteralHit[] = []
  const lineOf = lineIndex(text)
  let cursor = 0
  for (const c of candidates) {
    if (c.start < cursor) continue
    parts.push(text.slice(cursor, c.start), keepNewlines(c.literal.replacement, text.slice(c.start, c.end)))
    hits.push({rule: c.literal.rule, ...(c.literal.label ? {label: c.literal.label} : {}), line: lineOf(c.start)})
    cursor = c.end
  }
  parts.push(text.slice(cursor))
  return {text: parts.join(''), hits}
}
