/**
 * `explain`: pasted text → the catalogue entries that account for it, best first.
 *
 * 1. The text is normalised (ANSI, prefixes, cause chains; see normalise.ts).
 * 2. Every entry's patterns are tried. A full match explains the words it spans; a partial match
 *    (the user pasted part of a message, or the doc page's abbreviated form) explains the literal
 *    runs of the pattern found in the text. An entry's evidence is the share of the text's words
 *    its patterns explain.
 * 3. Only when no pattern match is credible, the entries' descriptions are searched instead
 *    (describe.ts): paraphrased reports.
 *
 * Credibility is what keeps unrelated text from getting an answer: a short, generic pattern
 * ("Unknown error", "EADDRINUSE") counts only when it is most of its line (an operating-system
 * error text never, as every program prints those), is quoted at the start of its line
 * ("\"Connection lost\" overlay"), or the text names the product; a description match must account
 * for most of what the text says, and the words of a generic message doubted in a text about
 * something else explain nothing there either.
 *
 * Everything is compiled once per catalogue (`createExplainer`), so explaining is a scan.
 */
import type {SymptomEntry, Vars} from '../catalogue.js'
import {docsFor, fill} from '../catalogue.js'
import type {BuiltinTargetId, TargetId} from '../types.js'
import {DescriptionIndex, terms} from './describe.js'
import {isHowToQuestion} from './questions.js'
import {normalise} from './normalise.js'
import {compileDeclaredRegex, compilePattern, type CompiledPattern, SYSTEM_ERROR_TEXT} from './patterns.js'

export interface ExplainMatch {
  symptom: string
  target: TargetId
  check: string | null
  title: string
  cause: string
  fix: {summary: string; commands: string[]; docs: string}
  /** 0..1. Pattern matches score 0.5–1 by how much of the text they explain; description matches stay below 0.5. */
  score: number
}

export interface ExplainResult {
  matches: ExplainMatch[]
  /** How the best match was found: the product's own message, or the entries' descriptions. */
  via: 'pattern' | 'description' | null
  /** Values read from the text by the best match's pattern (port, pid, path, …). */
  values: Vars
  /** The input was longer than the normaliser reads. */
  truncated: boolean
}

export interface ExplainOptions {
  /** At most this many matches (best + alternatives). */
  limit?: number
}

/** Thresholds, in one place so the tests and the benchmark can name them. */
export const CREDIBILITY = {
  /** A pattern with fewer literal words than this is generic on its own ("Unknown error"). */
  strongPatternWords: 4,
  strongPatternChars: 24,
  /** A generic pattern counts when it explains at least this share of its line(s)… */
  genericCoverage: 0.9,
  /** …or this share of its line(s) when the text names the product. */
  genericCoverageInContext: 0.2,
  /** A partial match needs this many literal words found, and this share of the pattern's. */
  partialWords: 4,
  partialShare: 0.5,
  /** A partial match must explain this share of the lines it touches. */
  partialLineShare: 0.3,
  /** A description match must account for this share of the text's term weight. */
  description: 0.42,
  /** Alternatives are shown when they score at least this share of the best match. */
  alternative: 0.6,
} as const

/**
 * What makes a text about a given product: its name, its default ports, its files (executor-facts
 * §1.3, §3.1; runwisp-facts §1, §2.1). Used only to let generic patterns and descriptions count.
 */
const TARGET_CONTEXT: Record<BuiltinTargetId, RegExp> = {
  executor: /\bexecutor\b|\.executor\b|@executor-js|server-control|daemon\.error\.log|\b478[89]\b/i,
  // `notify.delivery_failed` is RunWisp's own event kind (runwisp-facts §6.2; the newer page spells it with `_`).
  runwisp: /runwisp|\b9477\b|\bnotify[._]delivery_failed\b/i,
}

/**
 * Text that names another well-known program, and neither product, is about that program: its
 * generic words ("password authentication failed" from postgres) must not be read as a paraphrase
 * of one of ours. Pattern matches are judged by the credibility rule; this guards the fallback.
 */
const FOREIGN_CONTEXT =
  /\b(?:postgres(?:ql)?|psql|mysqld?|mariadb|redis|mongod?|nginx|apache2?|httpd|haproxy|docker(?:d)?|containerd|kubectl|kubelet|sshd?|npm ERR!|pip|python\d?|java|gradle|maven|rustc|cargo|go build|fatal:\s|not a git repository|\bscript "[\w:.-]+" exited with code|systemd\[1\]: (?!runwisp|sh\.executor))/i

interface CompiledEntry {
  entry: SymptomEntry
  patterns: CompiledPattern[]
}

interface PatternEvidence {
  entry: SymptomEntry
  covered: Set<number>
  full: boolean
  credible: boolean
  values: Vars
  /** The most literal words any of its matching patterns has: ties go to the more specific entry. */
  specificity: number
  /** A pattern matched whole but with a value that makes it another program's message (`placeholderValues`). */
  foreign: boolean
  /** The lines such a foreign match spans. */
  foreignLines: Set<number>
}

export class Explainer {
  private readonly compiled: CompiledEntry[]
  private readonly descriptions: DescriptionIndex

  constructor(readonly entries: readonly SymptomEntry[]) {
    this.compiled = entries.map((entry) => ({
      entry,
      patterns: [...(entry.patterns ?? []).map(compilePattern), ...(entry.regexes ?? []).map(compileDeclaredRegex)],
    }))
    this.descriptions = new DescriptionIndex(entries)
  }

  explain(text: string, options: ExplainOptions = {}): ExplainResult {
    const limit = options.limit ?? 4
    const {flat, truncated} = normalise(text)
    if (flat === '') return {matches: [], via: null, values: {}, truncated}
    const context: TargetId[] = (Object.keys(TARGET_CONTEXT) as BuiltinTargetId[]).filter((t) => TARGET_CONTEXT[t].test(flat))
    const tokens = tokenise(flat)
    const index = indexWords(tokens)
    const all = this.compiled
      .map((c) => this.patternEvidence(c, flat, tokens, index, context))
      .filter((e): e is PatternEvidence => e !== null)
    // Lines that hold another program's message (a Vite resolve error for someone else's package)
    // are that program's: no entry's match on them counts ("[vite] Internal server error: …").
    // A line one entry rejects may be another's ("runwisp.service: …" is not Executor's unit, but RunWisp's).
    const claimed = new Set(
      all.filter((e) => e.entry.placeholderValues !== undefined).flatMap((e) => [...e.covered].map((i) => tokens[i]!.line)),
    )
    const foreignLines = new Set(all.flatMap((e) => [...e.foreignLines]).filter((line) => !claimed.has(line)))
    const onForeignLines = (e: PatternEvidence) => foreignLines.size > 0 && [...e.covered].every((i) => foreignLines.has(tokens[i]!.line))
    const found = all.filter((e) => e.covered.size > 0 && !onForeignLines(e))
    const evidence = found.filter((e) => e.credible)
    if (evidence.length > 0) {
      evidence.sort((a, b) => b.covered.size - a.covered.size || Number(b.full) - Number(a.full) || b.specificity - a.specificity)
      const best = evidence[0]!
      const total = tokens.length
      const scoreOf = (e: PatternEvidence) => round(0.5 + 0.5 * Math.min(1, e.covered.size / total) * (e.full ? 1 : 0.8))
      const matches = evidence
        // Close alternatives (another reading of the same words), and other symptoms the same paste
        // shows on lines of their own (a port fallback before a boot timeout).
        .filter(
          (e) =>
            e === best ||
            e.covered.size >= best.covered.size * CREDIBILITY.alternative ||
            (e.full && overlap(e.covered, best.covered) <= e.covered.size / 2),
        )
        .slice(0, limit)
        .map((e) => toMatch(e.entry, scoreOf(e), e.values))
      return {matches, via: 'pattern', values: best.values, truncated}
    }
    // An entry whose own message was found but judged generic in a text about something else
    // ("Address already in use" in an nginx log) must not come back through its description: the
    // same words, the same doubt. In a text about its product, that message is evidence instead.
    const doubtedEvidence = found.filter((e) => !context.includes(e.entry.target))
    const doubted = new Set(doubtedEvidence.map((e) => e.entry.id))
    const boost = (entry: SymptomEntry) =>
      doubted.has(entry.id) ? 0 : context.length === 0 ? 1 : context.includes(entry.target) ? 1.25 : 0.6
    // Nor may another entry's description lean on those words ("address already in use" in an
    // nginx log is no evidence for RunWisp's port conflict either): they still weigh in the text,
    // but account for nothing.
    const doubtedWords = new Set<number>()
    for (const e of doubtedEvidence) for (const i of e.covered) doubtedWords.add(i)
    const ignored = new Set(terms([...doubtedWords].map((i) => tokens[i]!.word).join(' ')))
    if (context.length === 0 && FOREIGN_CONTEXT.test(flat)) return {matches: [], via: null, values: {}, truncated}
    // The product's message, but about something that is not ours (a Vite resolve error for a
    // package the bootstrap does not build): another program's error, not a paraphrase.
    if (foreignLines.size > 0) return {matches: [], via: null, values: {}, truncated}
    // A request for instructions reports no symptom.
    if (isHowToQuestion(flat)) return {matches: [], via: null, values: {}, truncated}
    // Generic system and library texts ("database is locked", "Unauthorized") are every program's:
    // in a text that names neither product they cannot be what a paraphrase match rests on.
    const basis = context.length === 0 ? flat.replace(SYSTEM_ERROR_TEXT, ' ') : flat
    const hits = this.descriptions
      .search(basis, boost, ignored)
      .filter((h) => h.score >= CREDIBILITY.description && h.matchedTerms.length >= 2)
    if (hits.length === 0) return {matches: [], via: null, values: {}, truncated}
    const top = hits[0]!.score
    const matches = hits
      .filter((h) => h.score >= top * CREDIBILITY.alternative)
      .slice(0, limit)
      .map((h) => toMatch(h.entry, round(0.5 * h.score), {}))
    return {matches, via: 'description', values: {}, truncated}
  }

  private patternEvidence(c: CompiledEntry, flat: string, tokens: Token[], index: WordIndex, context: TargetId[]): PatternEvidence | null {
    if (c.patterns.length === 0) return null
    const covered = new Set<number>()
    const values: Vars = {}
    let full = false
    let credible = false
    let specificity = 0
    let foreign = false
    const foreignLines = new Set<number>()
    const inContext = context.includes(c.entry.target)
    const restricted = c.entry.placeholderValues !== undefined
    for (const p of c.patterns) {
      let match = p.requiredWords.every((w) => index.has(w)) ? p.regex.exec(flat) : null
      if (match && restricted) {
        // The first occurrence with an allowed value counts ("nginx.service: Main process exited"
        // before "runwisp.service: …"); each other one marks its lines as another program's.
        let allowedMatch: RegExpExecArray | null = null
        for (const m of flat.matchAll(p.global!)) {
          if (allowedValues(c.entry, m)) {
            allowedMatch = m
            break
          }
          foreign = true
          for (const i of tokensWithin(tokens, m.index, m.index + m[0].length)) foreignLines.add(tokens[i]!.line)
        }
        match = allowedMatch
        if (!match) continue
      }
      if (match) {
        const span = tokensWithin(tokens, match.index, match.index + match[0].length)
        for (const i of span) covered.add(i)
        for (const name of p.names) {
          const value = match.groups?.[name]
          if (value !== undefined && !(name in values)) values[name] = cleanValue(value)
        }
        full = true
        specificity = Math.max(specificity, p.literalWords)
        const strong = p.specificWords >= CREDIBILITY.strongPatternWords && p.specificChars >= CREDIBILITY.strongPatternChars
        // A strong message matched whole is the product's wherever it is in the paste: a stack
        // trace or neighbouring log lines around it change nothing.
        if (strong) credible = true
        else if (
          inContext
            ? lineShare(tokens, span) >= CREDIBILITY.genericCoverageInContext
            : (!p.systemError && lineShare(tokens, span) >= CREDIBILITY.genericCoverage) ||
              quotedAtLineStart(flat, match.index, match.index + match[0].length)
        ) {
          // A generic message counts when it is (nearly) all of its line(s): "Unknown error" alone
          // on a line is the product's message; "npm ERR! Unknown error" is npm's. A system error
          // text ("bind: permission denied") is every program's, so it needs the context. Quoted
          // at the start of its line, it is the message the user saw, named before saying where
          // ('"Connection lost" overlay'), not a phrase in a sentence about something else
          // ('I get "permission denied" running ls').
          credible = true
        }
        continue
      }
      // Partial: literal runs of three words or more found in the text, in any order. Words of a
      // system error text ("bind: address already in use") are found in every program's output,
      // so they do not count towards a partial match.
      let found = 0
      const spans: number[] = []
      p.runs.forEach((run, r) => {
        if (run.length < 3) return
        const at = findRun(tokens, index, run)
        if (at < 0) return
        found += p.runSpecificWords[r]!
        for (let i = at; i < at + run.length; i++) spans.push(i)
      })
      if (found < CREDIBILITY.partialWords || found < p.specificWords * CREDIBILITY.partialShare) continue
      for (const i of spans) covered.add(i)
      specificity = Math.max(specificity, found)
      // Judged on the lines it touches, not the whole paste, so surrounding lines do not dilute it.
      if (lineShare(tokens, spans) >= CREDIBILITY.partialLineShare) credible = true
    }
    if (covered.size === 0 && !foreign) return null
    return {entry: c.entry, covered, full, credible, values, specificity, foreign, foreignLines}
  }
}

/** Are the values a match read the ones its entry allows (`placeholderValues`)? */
function allowedValues(entry: SymptomEntry, match: RegExpExecArray | RegExpMatchArray): boolean {
  return Object.entries(entry.placeholderValues ?? {}).every(([name, allowed]) => {
    const raw = match.groups?.[name]
    if (raw === undefined) return true
    const value = cleanValue(raw)
    return allowed.some((a) => (typeof a === 'string' ? a === value : a.test(value)))
  })
}

/** A placeholder's value without the quote or punctuation that closed it in the text. */
function cleanValue(value: string): string {
  return value
    .trim()
    .replace(/["'`]?[.,;:)\]]*$/, '')
    .replace(/^["'`]/, '')
}

interface Token {
  word: string
  start: number
  end: number
  line: number
}

function tokenise(flat: string): Token[] {
  const out: Token[] = []
  const lineStarts = [...flat.matchAll(/\n/g)].map((m) => m.index)
  let line = 0
  for (const m of flat.matchAll(/[\p{L}\p{N}_]+/gu)) {
    while (line < lineStarts.length && lineStarts[line]! < m.index) line++
    out.push({word: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length, line})
  }
  return out
}

/** Is the match exactly a quotation that opens its line: a quote at the line's start right before it, the same quote right after it? */
function quotedAtLineStart(flat: string, start: number, end: number): boolean {
  const open = flat[start - 1]
  const close = flat.slice(end).replace(/^[.:;!]+/, '')[0]
  const lineStart = start - 1 === 0 || flat[start - 2] === '\n'
  return lineStart && open !== undefined && close !== undefined && QUOTES.includes(open) && close === open
}
const QUOTES = '"\'`'

/** The share of the words on the lines a match touches that the match covers. */
function lineShare(tokens: Token[], span: number[]): number {
  if (span.length === 0) return 0
  const lines = new Set(span.map((i) => tokens[i]!.line))
  const onLines = tokens.filter((t) => lines.has(t.line)).length
  return span.length / onLines
}

/** Where each word of the text is, in order: so that finding a pattern's words never rescans the text. */
type WordIndex = Map<string, number[]>

function indexWords(tokens: Token[]): WordIndex {
  const index: WordIndex = new Map()
  tokens.forEach((t, i) => {
    const at = index.get(t.word)
    if (at) at.push(i)
    else index.set(t.word, [i])
  })
  return index
}

/** The tokens inside [start, end): a binary search for the first, then a walk (tokens are in text order). */
function tokensWithin(tokens: Token[], start: number, end: number): number[] {
  let lo = 0
  let hi = tokens.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (tokens[mid]!.start < start) lo = mid + 1
    else hi = mid
  }
  const out: number[] = []
  for (let i = lo; i < tokens.length && tokens[i]!.start < end; i++) if (tokens[i]!.end <= end) out.push(i)
  return out
}

function findRun(tokens: Token[], index: WordIndex, run: string[]): number {
  // Only where the run's first word is; a run whose words are not all in the text cannot be there.
  if (!run.every((w) => index.has(w))) return -1
  outer: for (const i of index.get(run[0]!)!) {
    if (i + run.length > tokens.length) break
    for (let j = 1; j < run.length; j++) if (tokens[i + j]!.word !== run[j]) continue outer
    return i
  }
  return -1
}

function overlap(a: Set<number>, b: Set<number>): number {
  let n = 0
  for (const i of a) if (b.has(i)) n++
  return n
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000
}

/** Placeholders the text did not supply stay visible as `<name>` so a command is never half-filled silently. */
function toMatch(entry: SymptomEntry, score: number, values: Vars): ExplainMatch {
  const vars: Vars = {...values}
  if (vars.port === undefined) {
    const port = vars.preferred ?? portOf(vars.origin ?? vars.url ?? vars.baseUrl)
    if (port !== undefined) vars.port = port
  }
  const show = (template: string) => fill(template, vars).replace(/\{(\w+)\}/g, '<$1>')
  return {
    symptom: entry.id,
    target: entry.target,
    check: entry.check ?? null,
    title: entry.title,
    cause: entry.cause,
    fix: {summary: show(entry.fix.summary), commands: entry.fix.commands.map(show), docs: docsFor(entry)},
    score,
  }
}

function portOf(url: string | number | undefined): string | undefined {
  if (typeof url !== 'string') return undefined
  return /:(\d{1,5})(?:\/|$)/.exec(url)?.[1]
}
