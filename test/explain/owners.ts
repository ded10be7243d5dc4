/**
 * Which catalogue entries a reference message belongs to, decided from the entries' own
 * declarations, never from `explain`'s ranking:
 * - the entries with a pattern that matches the message's lines (most lines first): the entry
 *   that declares the product's verbatim text owns it;
 * - for a row the page words as a description ("Dev server serves old code while tests pass") or
 *   paraphrases (the page's "Refusing to start another local server…"), the entries whose `docs`
 *   or `keywords` name that row.
 */
import type {SymptomEntry} from '../../src/catalogue.js'
import {compilePattern, normalise} from '../../src/explain/index.js'
import type {ReferenceRow} from './reference-table.js'

const compiled = new WeakMap<SymptomEntry, Array<ReturnType<typeof compilePattern>>>()
function patternsOf(entry: SymptomEntry) {
  let list = compiled.get(entry)
  if (!list) compiled.set(entry, (list = (entry.patterns ?? []).map(compilePattern)))
  return list
}

const wordsOf = (text: string) => text.match(/[\p{L}\p{N}_]+/gu) ?? []

/**
 * Does the pattern account for (most of) this line? In full, or (for the pages' abbreviated
 * forms, "… is registered at … but is not reachable") by its literal text.
 */
function declares(entry: SymptomEntry, line: string): boolean {
  const flat = normalise(line).flat
  const lineWords = wordsOf(flat).map((w) => w.toLowerCase())
  const total = lineWords.length
  return patternsOf(entry).some((p) => {
    const m = p.regex.exec(flat)
    if (m !== null) return wordsOf(m[0]).length >= Math.max(1, total * 0.6)
    const joined = ` ${lineWords.join(' ')} `
    const found = p.runs.filter((run) => run.length >= 2 && joined.includes(` ${run.join(' ')} `)).reduce((n, run) => n + run.length, 0)
    return found >= Math.max(2, total * 0.6) && found >= p.literalWords * 0.5
  })
}

const simplify = (text: string) =>
  text
    .toLowerCase()
    .replace(/[`"'“”‘’]/g, '')
    .replace(/\s+/g, ' ')
    .trim()

export function ownersOf(row: ReferenceRow, renderedLines: string[], entries: readonly SymptomEntry[]): string[] {
  const candidates = entries.filter((e) => e.target === row.product)
  let best = 0
  let owners: string[] = []
  for (const entry of candidates) {
    const count = renderedLines.filter((line) => declares(entry, line)).length
    if (count > best) {
      best = count
      owners = [entry.id]
    } else if (count === best && count > 0) owners.push(entry.id)
  }
  if (owners.length > 0) return owners
  // RunWisp's page is one heading per symptom, so a line quoted under a heading also belongs to the
  // entry that cites the heading; Executor's sections group many symptoms, so only the row itself counts.
  const names = [row.template.join(' '), row.file === 'runwisp-troubleshooting.md' ? row.section : '']
    .map(simplify)
    .filter((n) => n.length > 0)
  return candidates
    .filter((e) => {
      const text = simplify([e.docs, ...(e.keywords ?? [])].join(' | '))
      return names.some((n) => text.includes(n))
    })
    .map((e) => e.id)
}
