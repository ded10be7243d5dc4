/**
 * Regenerates test/explain/data/reference-messages.json: every message the products' reference
 * pages quote, as (product, page, section, message lines), parsed from the pages themselves, and
 * the check ids DESIGN.md declares public.
 * The tests read only that committed table (a bare clone has no reference pages beside it); run
 * this by hand when the pages change, and review the diff:
 *
 *   node --import tsx scripts/reference-messages.ts <reference-dir>          # the products' reference pages
 *   node --import tsx scripts/reference-messages.ts --check <reference-dir>  # exit 1 when the table is out of date
 *
 * The directory is always given: the repository never looks for files outside itself.
 *
 * Sources:
 * - executor-facts.md §5 and runwisp-facts.md §7: the message tables (first column) and the
 *   bullets and paragraphs of those sections, every code span that is a message;
 * - executor-troubleshooting.md: the symptom index (first column), the headings and accordion
 *   titles, and the output lines of its code blocks;
 * - runwisp-troubleshooting.md (a flattened web page): every section heading, and the messages it
 *   quotes in “curly quotes”.
 *
 * A message keeps its lines (spans joined by ` + ` or by an elision `…` are lines of one output),
 * its placeholders (`${name}`, Go verbs, `<name>`, `…`) and its `a\\|b` alternatives (the test
 * expands them).
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const REPO = fileURLToPath(new URL('..', import.meta.url))
export const TABLE = join(REPO, 'test/explain/data/reference-messages.json')

export type Product = 'executor' | 'runwisp'

export interface ReferenceRow {
  product: Product
  /** The reference page the message is quoted on. */
  file: string
  /** Its section (heading) on that page. */
  section: string
  /** The message as the page writes it (template lines). */
  template: string[]
  /** True for troubleshooting-page rows: symptom index, headings, accordions (the paraphrase targets). */
  symptomRow: boolean
  /** A heading or index row that names a symptom in words rather than quoting a message. */
  descriptive: boolean
}

/** The reference pages: the directory given on the command line (never looked for outside the repo). */
function referenceDir(given: string | undefined): string {
  if (!given) throw new Error('pass the directory of the reference pages (executor-facts.md, runwisp-facts.md, …) as an argument')
  const dir = resolve(given)
  if (!existsSync(join(dir, 'executor-facts.md')))
    throw new Error(`${dir} holds no executor-facts.md: is it the reference pages' directory?`)
  return dir
}

let dir = ''
const read = (name: string) => readFileSync(join(dir, name), 'utf8')

// --- Markdown code spans -------------------------------------------------------------------------

interface Piece {
  kind: 'code' | 'text'
  text: string
}

/** Splits Markdown into code spans (any backtick fence length) and the text between them. */
export function pieces(input: string): Piece[] {
  // An escaped backtick (\`) is a literal backtick inside a span, not a fence.
  const markdown = input.replace(/\\`/g, ESCAPED_TICK)
  const restore = (text: string) => text.split(ESCAPED_TICK).join('`')
  const out: Piece[] = []
  let i = 0
  let text = ''
  while (i < markdown.length) {
    if (markdown[i] === '`') {
      let n = 0
      while (markdown[i + n] === '`') n++
      const fence = '`'.repeat(n)
      const close = markdown.indexOf(fence, i + n)
      if (close > 0 && markdown[close + n] !== '`') {
        if (text) out.push({kind: 'text', text: restore(text)})
        text = ''
        out.push({kind: 'code', text: restore(markdown.slice(i + n, close).replace(/^ (.*) $/s, '$1'))})
        i = close + n
        continue
      }
      text += fence
      i += n
      continue
    }
    text += markdown[i]
    i++
  }
  if (text) out.push({kind: 'text', text: restore(text)})
  return out
}

const ESCAPED_TICK = '\u0001'

/** Commands, flags, paths, identifiers and regexes quoted beside the messages: not messages. */
const COMMAND =
  /^(?:rm|bun|bunx|git|cd|curl|sudo|systemctl|journalctl|ss|lsof|pkill|docker|npm|loginctl|launchctl|schtasks|set|export|-|\$\{cliPrefix\}|executor [a-z]|runwisp [a-z])/
function isMessage(span: string): boolean {
  const text = span.trim()
  if (!/\s/.test(text)) return false
  if (COMMAND.test(text)) return false
  if (text.startsWith('/') || text.startsWith('{')) return false
  const words = text.replace(/\$\{[^}]*\}|%[a-z]/g, ' ').match(/[A-Za-z]{2,}/g) ?? []
  if (words.length < 2) return false
  // Field labels of a banner ("Web UI:", "Data directory:", "caused by:").
  if (/:\s*$/.test(text) && words.length <= 3) return false
  return true
}

/**
 * Messages of one table cell, bullet or paragraph: code spans joined by `+` or `…` are lines of
 * one message; spans separated by anything else (`/`, `,`, `or`, prose) are different messages.
 */
function messagesOf(markdown: string): string[][] {
  const out: string[][] = []
  let current: string[] | null = null
  let joinNext = false
  for (const piece of pieces(markdown)) {
    if (piece.kind === 'text') {
      joinNext = /^\s*(?:\+|…)\s*$/.test(piece.text) || /^\s*\+/.test(piece.text)
      if (!joinNext) current = null
      continue
    }
    const lines = piece.text
      .split(/\\n/)
      .map((l) => l.replace(/\[ ([^\]]+)\]/g, ' $1').trim())
      .filter((l) => l !== '' && l !== '…')
    const kept = lines.filter(isMessage)
    if (kept.length === 0) continue
    if (current && joinNext) current.push(...kept)
    else {
      current = [...kept]
      out.push(current)
    }
  }
  return out
}

// --- fact sheets: message sections ---------------------------------------------------------------

function section(markdown: string, start: RegExp, end: RegExp): string {
  const from = markdown.search(start)
  if (from < 0) throw new Error(`reference section ${start} not found`)
  const rest = markdown.slice(from)
  const to = rest.slice(1).search(end)
  return to < 0 ? rest : rest.slice(0, to + 1)
}

function firstCell(row: string): string {
  const cells = row.split(/(?<!\\)\|/)
  return (cells[1] ?? '').trim()
}

function factSheetRows(product: Product, file: string, body: string): ReferenceRow[] {
  const rows: ReferenceRow[] = []
  // A row's section: the numbered section, then the sub-heading ("§5 User-facing messages (verbatim) › apps/cli/src/daemon.ts").
  let top = ''
  let sub = ''
  for (const line of body.split('\n')) {
    const heading = /^(#{2,3})\s+(.*)$/.exec(line)
    if (heading) {
      const title = heading[2]!.replace(/`/g, '')
      if (heading[1] === '##') sub = top = title.replace(/^(\d+)\.\s*/, '§$1 ')
      else sub = `${top} › ${title}`
      continue
    }
    if (/^\|\s*(?:Message|-{3})/.test(line)) continue
    const source = line.startsWith('|') ? firstCell(line) : line.replace(/^\s*(?:[-*]|\d+\.)\s+/, '')
    for (const template of messagesOf(source)) rows.push({product, file, section: sub, template, symptomRow: false, descriptive: false})
  }
  return rows
}

// --- Executor troubleshooting page (MDX) ---------------------------------------------------------

function executorPageRows(): ReferenceRow[] {
  const file = 'executor-troubleshooting.md'
  const page = read(file)
  const rows: ReferenceRow[] = []
  const add = (section: string, template: string[], symptomRow: boolean, descriptive = false) =>
    rows.push({product: 'executor', file, section, template, symptomRow, descriptive})

  const index = section(page, /^## Symptom index/m, /^## /m)
  for (const line of index.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*(?:Symptom|-{3})/.test(line)) continue
    const cell = firstCell(line)
    const messages = messagesOf(cell)
    if (messages.length > 0) for (const m of messages) add('Symptom index', m, true)
    else add('Symptom index', [cell], true, true)
  }
  let heading = ''
  let fence: string | null = null
  for (const line of page.split('\n')) {
    const h = /^#{2,3}\s+(.*)$/.exec(line)
    if (h && fence === null) {
      heading = h[1]!
      for (const m of messagesOf(heading)) add(heading.replace(/`/g, ''), m, true)
      continue
    }
    const accordion = /<Accordion title="([^"]+)">/.exec(line)
    if (accordion) add(`Recovery command reference › ${accordion[1]}`, [accordion[1]!], true, true)
    const open = /^```(\w*)/.exec(line)
    if (open) {
      fence = fence === null ? (open[1] ?? '') : null
      continue
    }
    // Output lines inside code blocks: what a terminal showed, not the commands typed.
    if (fence !== null && (fence === 'text' || fence === 'bash') && isMessage(line) && !line.trim().startsWith('#')) {
      add(heading, [line.trim()], false)
    }
  }
  return rows
}

// --- RunWisp troubleshooting page (flattened HTML) -----------------------------------------------

/** Sections of the page that are not symptoms. */
const RUNWISP_NON_SYMPTOMS = new Set(['Diagnostics that always help', 'Where to next'])

function runwispPageRows(): ReferenceRow[] {
  const file = 'runwisp-troubleshooting.md'
  const lines = read(file).split('\n')
  const PREFIX = 'Section titled “'
  // The flattened page prints a heading's text, then `Section titled “<heading>”` and the body on
  // the same line. A heading may itself contain ” ("”permission denied” on the data directory"),
  // so the title is the longest candidate that the previous line ends with.
  const headings: Array<{title: string; line: number; rest: string}> = []
  lines.forEach((line, i) => {
    if (!line.startsWith(PREFIX)) return
    const rest = line.slice(PREFIX.length)
    const candidates = [...rest.matchAll(/”/g)].map((m) => rest.slice(0, m.index))
    const previous = (lines[i - 1] ?? '').trimEnd()
    const title = [...candidates].reverse().find((c) => c !== '' && previous.endsWith(c)) ?? candidates[0] ?? rest
    headings.push({title, line: i, rest: rest.slice(title.length + 1)})
  })
  const rows: ReferenceRow[] = []
  headings.forEach((h, i) => {
    const next = headings[i + 1]
    // A group heading ("Daemon won't start") is followed directly by its first child's heading.
    if (next && h.rest.trim() === next.title) return
    const title = h.title.replace(/”/g, '"').replace(/’/g, "'")
    if (RUNWISP_NON_SYMPTOMS.has(title)) return
    rows.push({product: 'runwisp', file, section: title, template: [title], symptomRow: true, descriptive: !looksQuoted(title)})
    const body = [h.rest, ...lines.slice(h.line + 1, next ? next.line : undefined)].join('\n')
    for (const quote of body.matchAll(/“([^”\n]{12,})”/g)) {
      if (isMessage(quote[1]!))
        rows.push({product: 'runwisp', file, section: title, template: [quote[1]!], symptomRow: false, descriptive: false})
    }
  })
  return rows
}

/** RunWisp's headings mix quoted messages ("401 Invalid password") with descriptions ("A scheduled task never fires"). */
function looksQuoted(title: string): boolean {
  return /^[a-z0-9"]/.test(title)
}

// --- the table -----------------------------------------------------------------------------------

function referenceRows(): ReferenceRow[] {
  const executorFacts = section(read('executor-facts.md'), /^## 5\. /m, /^## 6\. /m)
  const runwispFacts = section(read('runwisp-facts.md'), /^## 7\. /m, /^## 8\. /m)
  const rows = [
    ...factSheetRows('executor', 'executor-facts.md', executorFacts),
    ...executorPageRows(),
    ...factSheetRows('runwisp', 'runwisp-facts.md', runwispFacts),
    ...runwispPageRows(),
  ]
  return dedupe(rows)
}

function dedupe(rows: ReferenceRow[]): ReferenceRow[] {
  const seen = new Set<string>()
  return rows.filter((r) => {
    const key = `${r.product}\0${r.symptomRow}\0${r.template.join('\n')}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function referenceRowsFrom(referenceDirectory: string): ReferenceRow[] {
  dir = referenceDirectory
  return referenceRows()
}

/** DESIGN.md (beside the reference pages) "Check ids (the public contract; add more, never rename)": every backticked id. */
export function designCheckIds(referenceDirectory: string): string[] {
  const design = readFileSync(join(referenceDirectory, '..', 'DESIGN.md'), 'utf8')
  const from = design.indexOf('## Check ids')
  if (from < 0) throw new Error('DESIGN.md has no "Check ids" section')
  const body = design.slice(from, design.indexOf('\n## ', from + 1))
  return [...body.matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1]!)
}

export interface ReferenceTable {
  about: string
  checkIds: {source: string; ids: string[]}
  rows: ReferenceRow[]
}

/** The committed form: stable order and formatting, so a regeneration diff shows only what changed. */
export function serialise(referenceDirectory: string): string {
  const table: ReferenceTable = {
    about:
      "Messages quoted by the Executor and RunWisp reference pages (page and section per row), and DESIGN.md's check ids. Generated by scripts/reference-messages.ts; do not edit by hand.",
    checkIds: {source: 'DESIGN.md › Check ids (the public contract; add more, never rename)', ids: designCheckIds(referenceDirectory)},
    rows: referenceRowsFrom(referenceDirectory),
  }
  return JSON.stringify(table, null, 1) + '\n'
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const check = args.includes('--check')
  let source: string
  try {
    source = referenceDir(args.find((a) => a !== '--check'))
  } catch (error) {
    console.error(`reference-messages: ${(error as Error).message}`)
    process.exit(2)
  }
  const text = serialise(source)
  if (check) {
    const current = existsSync(TABLE) ? readFileSync(TABLE, 'utf8') : ''
    if (current !== text) {
      console.error(
        `${relative(process.cwd(), TABLE)} is out of date with ${source}: run node --import tsx scripts/reference-messages.ts ${source}`,
      )
      process.exit(1)
    }
    console.log(`${relative(process.cwd(), TABLE)} is up to date`)
  } else {
    writeFileSync(TABLE, text)
    console.log(`wrote ${JSON.parse(text).rows.length} rows to ${relative(process.cwd(), TABLE)}`)
  }
}
