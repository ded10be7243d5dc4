/**
 * Step 1, second half: known values that are not whole. A log wrapped at 80 columns, a JSON
 * message with `\n` escapes, a line cut by `excerpt()` or by a crash leave a secret in pieces; each
 * piece is still the secret (or most of it), and the first half never matches the whole value.
 *
 *   - Across a line break: the text with its breaks (`\n`, `\r\n`, `\r`, and the JSON escapes
 *     `\\n`, `\\r\\n`) taken out is searched for each form of the value; a match that spans a break
 *     redacts both halves, however short either is.
 *   - A piece on its own: a prefix of the value that ends where the token ends (a line end, the end
 *     of the text, or any character that is not a letter or digit: `"`, `…`, a space, `\`), or a
 *     suffix that starts where a token starts, at least fragmentMin() long.
 *
 * Only forms of 12 characters or more, the length from which a whole value counts anywhere (not
 * just as a word): pieces of a shorter one are ordinary words ("password" at a line end, "1" below).
 *
 * Linear: one native search per form over the joined text, and for pieces one search per form in
 * each direction whose extensions never re-read what an earlier one covered (only a periodic value,
 * `abab…`, could hide a second piece inside a first; a credential is not periodic).
 */
import {lineIndex, type LiteralHit} from './literals.js'

export interface SplitForm {
  text: string
  replacement: string
  label: string
  /** Whether a piece of this form counts on its own (a base64 fragment is already a piece of its blob). */
  pieces: boolean
}

export const SPLIT_RULES = {
  split: 'known-value-split',
  fragment: 'known-value-fragment',
} as const

/**
 * The shortest piece redacted on its own: half the value (a piece is most of the secret, not a
 * common substring of it), but at least 8 characters (fewer are ordinary words: `password` is 8)
 * and at most 16 (16 characters of a random token are as unique as the token, whatever its size).
 */
export function fragmentMin(length: number): number {
  return Math.min(16, Math.max(8, Math.ceil(length / 2)))
}

/** Values shorter than this are matched as whole words only (known.ts), and never in pieces. */
const ANYWHERE = 12
const WORD = /[A-Za-z0-9]/
/** Line breaks as they appear in text and inside JSON strings. */
const BREAK = /\r\n|\n|\r|\\r\\n|\\n|\\r/g

interface Span {
  start: number
  end: number
  form: SplitForm
  rule: string
}

/** The text without its line breaks, and where each was. */
function joined(text: string): Joined | null {
  const parts: string[] = []
  const breaks: Joined['breaks'] = []
  let cursor = 0
  let removed = 0
  const re = new RegExp(BREAK.source, 'g')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    parts.push(text.slice(cursor, m.index))
    breaks.push({at: m.index - removed, total: (removed += m[0].length)})
    cursor = m.index + m[0].length
  }
  if (breaks.length === 0) return null
  parts.push(text.slice(cursor))
  return {text: parts.join(''), breaks}
}

interface Joined {
  text: string
  /** Where each break was taken out: before joined index `at`; `total`: the length taken out up to and including it. */
  breaks: Array<{at: number; total: number}>
}

/** Breaks taken out before joined index `i`, and their total length. */
function removedBefore(j: Joined, i: number): {count: number; length: number} {
  let lo = 0
  let hi = j.breaks.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (j.breaks[mid]!.at < i) lo = mid + 1
    else hi = mid
  }
  return {count: lo, length: lo === 0 ? 0 : j.breaks[lo - 1]!.total}
}

function acrossBreaks(text: string, forms: readonly SplitForm[], spans: Span[]): void {
  const j = joined(text)
  if (!j) return
  for (const form of forms) {
    const f = form.text
    if (f.length < ANYWHERE) continue
    for (let at = j.text.indexOf(f); at >= 0; at = j.text.indexOf(f, at + 1)) {
      const end = at + f.length
      // Breaks up to the first character (in front of it: not inside), and up to the last one.
      const before = removedBefore(j, at + 1)
      const upTo = removedBefore(j, end)
      if (upTo.count === before.count) continue
      spans.push({start: at + before.length, end: end + upTo.length, form, rule: SPLIT_RULES.split})
    }
  }
}

/** Prefixes of a form that end where a token ends, scanning left to right. */
function prefixes(text: string, form: SplitForm, spans: Span[]): void {
  const f = form.text
  const min = fragmentMin(f.length)
  if (f.length < ANYWHERE) return
  const anchor = f.slice(0, min)
  for (let at = text.indexOf(anchor); at >= 0;) {
    let k = min
    while (k < f.length && at + k < text.length && text[at + k] === f[k]) k++
    const end = at + k
    const open = k >= ANYWHERE || at === 0 || !WORD.test(text[at - 1]!)
    if (k < f.length && open && (end === text.length || !WORD.test(text[end]!)))
      spans.push({start: at, end, form, rule: SPLIT_RULES.fragment})
    at = text.indexOf(anchor, at + Math.max(1, k - min + 1))
  }
}

/** Suffixes of a form that start where a token starts, scanning right to left (the mirror of prefixes). */
function suffixes(text: string, form: SplitForm, spans: Span[]): void {
  const f = form.text
  const min = fragmentMin(f.length)
  if (f.length < ANYWHERE) return
  const anchor = f.slice(f.length - min)
  for (let at = text.lastIndexOf(anchor); at >= 0;) {
    const end = at + min
    let k = min
    while (k < f.length && end - k - 1 >= 0 && text[end - k - 1] === f[f.length - k - 1]) k++
    const start = end - k
    const open = k >= ANYWHERE || end === text.length || !WORD.test(text[end]!)
    if (k < f.length && open && (start === 0 || !WORD.test(text[start - 1]!))) spans.push({start, end, form, rule: SPLIT_RULES.fragment})
    const next = end - Math.max(1, k - min + 1) - min
    at = next < 0 ? -1 : text.lastIndexOf(anchor, next)
  }
}

/**
 * Replaces the pieces of known values in `text`. `guarded` spans (existing redactions) are never
 * touched; overlaps resolve to the earliest, then the longest. Line breaks inside a replaced span
 * are kept, so line numbers stay the original's.
 */
export function replaceSplit(text: string, forms: readonly SplitForm[], protect: RegExp): {text: string; hits: LiteralHit[]} {
  if (forms.length === 0 || text.length === 0) return {text, hits: []}
  const spans: Span[] = []
  acrossBreaks(text, forms, spans)
  for (const form of forms) {
    if (!form.pieces) continue
    prefixes(text, form, spans)
    suffixes(text, form, spans)
  }
  if (spans.length === 0) return {text, hits: []}
  const guard = new RegExp(protect.source, 'g')
  const guarded: Array<[number, number]> = []
  for (let m = guard.exec(text); m; m = guard.exec(text)) {
    guarded.push([m.index, m.index + m[0].length])
    if (m[0].length === 0) guard.lastIndex++
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end)
  const parts: string[] = []
  const hits: LiteralHit[] = []
  const lineOf = lineIndex(text)
  let cursor = 0
  // Spans and guarded spans both in order: one sweep finds each span's overlap.
  let g = 0
  for (const span of spans) {
    if (span.start < cursor) continue
    while (g < guarded.length && guarded[g]![1] <= span.start) g++
    if (g < guarded.length && guarded[g]![0] < span.end) continue
    const original = text.slice(span.start, span.end)
    const breaks = original.match(/\n/g)?.length ?? 0
    parts.push(text.slice(cursor, span.start), span.form.replacement + '\n'.repeat(breaks))
    hits.push({rule: span.rule, label: span.form.label, line: lineOf(span.start)})
    cursor = span.end
  }
  parts.push(text.slice(cursor))
  return {text: parts.join(''), hits}
}
