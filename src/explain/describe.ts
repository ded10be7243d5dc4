/**
 * The fallback for reports in the user's own words ("the dev server keeps serving old code after
 * a rebase"): a small weighted term index over each entry's title, keywords, patterns, message,
 * cause and fix. Terms are weighted by how rare they are in the catalogue (IDF), and words the
 * catalogue has never seen count against the match, so a text about something else (a kernel
 * panic, a Python traceback) explains too little of itself to be credible.
 */
import type {SymptomEntry} from '../catalogue.js'
import {synonymTable} from './synonyms.js'

const STOPWORDS = new Set(
  `a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its
  it's just keep keeps kept me my no not of on or our so some than that the their them then there these they this
  to too up us was we were what when where which while who why will with would you your i'm i've it's get gets got
  any all also after again before being each other only same such very even still now here us let lets said says
  say every anymore since yet about via per`.split(/\s+/),
)

const SYNONYMS = synonymTable()

/** A deliberately small stemmer: enough to meet "serves/serving/served" and "rebase/rebased". */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/'s$/, '').replace(/'/g, '')
  // A synonym group's word is returned as it is: looked up before and after each step, so that
  // "rebases", "rebased" and "git pull" all meet at "rebase".
  const group = () => SYNONYMS.words.get(w)
  if (group()) return group()!
  if (/^-?\d+$/.test(w)) return w
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`
  else if (w.length > 4 && w.endsWith('sses')) w = w.slice(0, -2)
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1)
  if (group()) return group()!
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3)
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2)
  if (group()) return group()!
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1)
  if (w.length > 4 && /([^aeiouls])\1$/.test(w)) w = w.slice(0, -1)
  return group() ?? w
}

/**
 * Terms of a text: words split on anything that is not a letter or digit, stop words dropped,
 * stemmed. A negative number is a term of its own: RunWisp's exit codes -1 (skipped) and -2
 * (crashed) say more than any word around them (runwisp-facts §6.1).
 */
export function terms(text: string): string[] {
  const out: string[] = []
  const raws =
    text
      .toLowerCase()
      .replace(/n't\b/g, 'nt')
      .replace(/\$\{[^}\n]{0,64}\}|%[sdqvw]/g, ' ')
      .match(/(?<![\p{L}\p{N}-])-\d+\b|[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? []
  for (let i = 0; i < raws.length; i++) {
    // A phrase of a synonym group ("git pull", "switched branches") is one term: its group's word.
    const phrase = SYNONYMS.phrases.get(raws[i]!)?.find((p) => p.words.every((w, j) => raws[i + j] === w))
    if (phrase) {
      out.push(phrase.canonical)
      i += phrase.words.length - 1
      continue
    }
    const raw = raws[i]!
    if (raw.length < 2 || STOPWORDS.has(raw)) continue
    if (/^\d+$/.test(raw) && raw.length < 3) continue
    const t = stem(raw)
    if (t.length >= 2 && !STOPWORDS.has(t)) out.push(t)
  }
  return out
}

const URL = /\b[a-z][\w+.-]*:\/\/\S+/gi

/** How much each field of an entry says about the symptom. */
const FIELD_WEIGHTS = {title: 1, keywords: 1, patterns: 0.8, message: 0.6, cause: 0.5, fix: 0.3} as const

export interface DescriptionHit {
  entry: SymptomEntry
  /** Share of the text's term weight this entry accounts for, 0..1. */
  score: number
  matchedTerms: string[]
}

interface IndexedEntry {
  entry: SymptomEntry
  weights: Map<string, number>
  /** Keyword phrases of two or more terms: a phrase in the text is strong evidence. */
  phrases: string[][]
}

export class DescriptionIndex {
  private readonly entries: IndexedEntry[]
  private readonly idf = new Map<string, number>()
  private readonly maxIdf: number

  constructor(entries: readonly SymptomEntry[]) {
    this.entries = entries.map((entry) => {
      const weights = new Map<string, number>()
      // A URL in a message or fix is an example value ("https://your-instance.example.com"), not a description.
      const add = (text: string, weight: number) => {
        for (const t of terms(text.replace(URL, ' '))) weights.set(t, Math.max(weights.get(t) ?? 0, weight))
      }
      add(entry.title, FIELD_WEIGHTS.title)
      for (const k of entry.keywords ?? []) add(k, FIELD_WEIGHTS.keywords)
      for (const p of entry.patterns ?? []) add(p, FIELD_WEIGHTS.patterns)
      add(entry.message.replace(/\{\w+\}/g, ' '), FIELD_WEIGHTS.message)
      add(entry.cause, FIELD_WEIGHTS.cause)
      add(entry.fix.summary, FIELD_WEIGHTS.fix)
      const phrases = (entry.keywords ?? []).map((k) => terms(k)).filter((p) => p.length >= 2)
      return {entry, weights, phrases}
    })
    const df = new Map<string, number>()
    for (const e of this.entries) for (const t of e.weights.keys()) df.set(t, (df.get(t) ?? 0) + 1)
    const n = this.entries.length
    for (const [t, count] of df) this.idf.set(t, Math.log(1 + n / count))
    this.maxIdf = Math.log(1 + n)
  }

  /**
   * Entries ranked by how much of the text they account for; the caller applies the threshold.
   * `ignored` terms weigh in the text but account for nothing (words of a doubted generic message).
   */
  search(text: string, boost: (entry: SymptomEntry) => number = () => 1, ignored: ReadonlySet<string> = new Set()): DescriptionHit[] {
    const query = terms(text)
    const distinct = [...new Set(query)]
    if (distinct.length === 0) return []
    // Words the catalogue has never seen weigh like its rarer words: text about something else
    // is mostly made of them.
    const weightOf = (t: string) => this.idf.get(t) ?? this.maxIdf * 0.8
    const total = distinct.reduce((sum, t) => sum + weightOf(t), 0)
    const hits: DescriptionHit[] = []
    for (const e of this.entries) {
      let score = 0
      const matched: string[] = []
      for (const t of distinct) {
        const w = e.weights.get(t)
        if (w === undefined || ignored.has(t)) continue
        score += (this.idf.get(t) ?? 0) * w
        matched.push(t)
      }
      if (matched.length === 0) continue
      for (const phrase of e.phrases) {
        if (phrase.some((t) => ignored.has(t))) continue
        if (containsSequence(query, phrase)) score += phrase.reduce((sum, t) => sum + (this.idf.get(t) ?? 0), 0) * 0.5
      }
      hits.push({entry: e.entry, score: Math.min(1, (score / total) * boost(e.entry)), matchedTerms: matched})
    }
    return hits.sort((a, b) => b.score - a.score)
  }
}

function containsSequence(haystack: string[], needle: string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}
