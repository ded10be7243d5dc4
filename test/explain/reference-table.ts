/**
 * The generated table behind the explain tests: every message the reference pages quote, as
 * (reference file, section, message), parsed from the pages themselves so that a message added
 * to a page is tested without anyone writing a test for it.
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
 * its placeholders (`${name}`, Go verbs, `<name>`, `…`) and its `a\|b` alternatives, which are
 * expanded into one message each.
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {REPO} from '../helpers/processes.js'

export type Product = 'executor' | 'runwisp'

export interface ReferenceRow {
  product: Product
  file: string
  section: string
  /** The message as the page writes it (template lines). */
  template: string[]
  /** True for troubleshooting-page rows: symptom index, headings, accordions (the paraphrase targets). */
  symptomRow: boolean
  /** A heading or index row that names a symptom in words rather than quoting a message. */
  descriptive: boolean
}

/**
 * The reference pages live beside the repository (`../shared/reference`), or in a worktree's
 * ancestor; `DOCTORKIT_REFERENCE_DIR` overrides. Never skipped: a missing spec is a failure.
 */
export function referenceDir(): string {
  const override = process.env.DOCTORKIT_REFERENCE_DIR
  if (override) return override
  for (let dir = REPO; ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'reference')
    if (existsSync(join(candidate, 'executor-facts.md'))) return candidate
    if (dirname(dir) === dir) break
  }
  throw new Error(`cannot find shared/reference/ above ${resolve(REPO)}; set DOCTORKIT_REFERENCE_DIR`)
}

const read = (name: string) => readFileSync(join(referenceDir(), name), 'utf8')

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
const COMMAND = /^(?:rm|bun|bunx|git|cd|curl|sudo|systemctl|journalctl|ss|lsof|pkill|docker|npm|loginctl|launchctl|schtasks|set|export|-|\$\{cliPrefix\}|executor [a-z]|runwisp [a-z])/
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
  let sub = ''
  for (const line of body.split('\n')) {
    const heading = /^#{2,3}\s+(.*)$/.exec(line)
    if (heading) {
      sub = heading[1]!.replace(/`/g, '')
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
      fence = fence === null ? open[1] ?? '' : null
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
      if (isMessage(quote[1]!)) rows.push({product: 'runwisp', file, section: title, template: [quote[1]!], symptomRow: false, descriptive: false})
    }
  })
  return rows
}

/** RunWisp's headings mix quoted messages ("401 Invalid password") with descriptions ("A scheduled task never fires"). */
function looksQuoted(title: string): boolean {
  return /^[a-z0-9"]/.test(title)
}

// --- the table -----------------------------------------------------------------------------------

export function referenceRows(): ReferenceRow[] {
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

// --- rendering: the message as a user would paste it -----------------------------------------------

export interface Samples {
  port: string
  pid: string
  path: string
  url: string
  host: string
  version: string
  text: string
}

export const DEFAULT_SAMPLES: Samples = {
  port: '43127',
  pid: '31337',
  path: '/home/dev/work/data',
  url: 'http://localhost:43127',
  host: 'localhost',
  version: '1.5.35',
  text: 'connection refused',
}

/** Other values in the same slots: the edges of the port and pid ranges, paths with spaces, IPv6 and Windows. */
export const OTHER_SAMPLES: Samples = {
  port: '65535',
  pid: '4194303',
  path: 'C:\\Users\\Jane Doe\\AppData\\Local\\executor data',
  url: 'http://[::1]:1',
  host: '127.0.0.1',
  version: '0.16.4',
  text: 'EACCES: permission denied',
}

const SAMPLE_BY_NAME: Array<[RegExp, keyof Samples | ((s: Samples) => string)]> = [
  [/^(?:login|command)$/i, () => 'executor login'],
  [/platform/i, () => 'freebsd'],
  [/^(?:pid|pids)$/i, 'pid'],
  [/port|^p$|^selected$|^preferred$/i, 'port'],
  [/^p\+1$/i, (s) => String(Number(s.port) - 1)],
  [/url|origin|fallback/i, 'url'],
  [/host/i, 'host'],
  [/version|^current$|^latest$/i, 'version'],
  [/path|dir|log|file/i, 'path'],
  [/^(?:code|n|a|b|attempt|max)$/i, () => '3'],
  [/^signal$/i, () => 'SIGTERM'],
  [/^kind$/i, () => 'cli-daemon'],
  [/^scopeId$/i, () => 'cwd:/home/dev/project'],
  [/^cliPrefix$/i, () => 'executor'],
  [/^target$/i, () => 'selfhost'],
  [/^label$/i, () => 'selfhost'],
  [/^token$/i, () => 'Xy3abcDEF_ghi-JKLmno'],
  [/^name$/i, () => 'staging'],
  [/^(?:cmd)$/i, () => 'install'],
  [/^varName$/i, () => 'EXECUTOR_WEB_BASE_URL'],
  [/^pkg$/i, () => '@executor-js/plugin-openapi'],
  [/^context$/i, () => 'stdio transport error'],
]

function sampleFor(name: string, s: Samples): string {
  for (const [test, value] of SAMPLE_BY_NAME) if (test.test(name)) return typeof value === 'function' ? value(s) : s[value]
  return s.text
}

/** Expands `a\|b` alternatives (inside `${…}` or bare words) into separate templates. */
export function expandAlternatives(line: string): string[] {
  const inside = /\$\{([^}]*\\\|[^}]*)\}/.exec(line)
  if (inside) {
    const options = inside[1]!.split('\\|')
    // `${stderr|stdout}` names output streams: a placeholder, not literal alternatives.
    if (options.every((o) => /^std(?:err|out)$/.test(o))) return expandAlternatives(line.replace(inside[0], '${output}'))
    return options.flatMap((o) => expandAlternatives(line.replace(inside[0], o)))
  }
  const bare = /(\S+)\\\|(\S+)/.exec(line)
  if (bare) return [bare[1]!, bare[2]!].flatMap((o) => expandAlternatives(line.replace(bare[0], o)))
  return [line]
}

/** Fills placeholders with sample values. */
export function render(template: string, s: Samples = DEFAULT_SAMPLES, elided: 'sample' | 'empty' = 'sample'): string {
  return template
    .replace(/\$\{([^}]*)\}/g, (_, name: string) => sampleFor(name, s))
    .replace(/\(v%s, pid %d\)/g, `(v${s.version}, pid ${s.pid})`)
    .replace(/on %s:%d/g, `on ${s.host}:${s.port}`)
    .replace(/port %d on %s/g, `port ${s.port} on ${s.host}`)
    .replace(/port %d/g, `port ${s.port}`)
    .replace(/pid %[ds]/g, `pid ${s.pid}`)
    .replace(/%d/g, '3')
    .replace(/%q/g, `"${s.path}"`)
    .replace(/%[sv]/g, s.path)
    .replace(/%w/g, s.text)
    .replace(/<url>/g, s.url)
    .replace(/<datadir>|<data-dir>/g, s.path)
    .replace(/<path>/g, s.path)
    .replace(/<[a-z][\w-]*>/gi, 'value')
    .replace(/\$config\b/g, `${s.path}/runwisp.toml`)
    .replace(/\bpid N\b/g, `pid ${s.pid}`)
    // An ellipsis is detail the page left out: the fact sheets elide values (a user's paste has
    // them); the troubleshooting pages abbreviate the message itself (a user may paste it so).
    .replace(/…(?=\/)|(?<=\b(?:at|GET) )…/g, s.url)
    .replace(/(?<=pid\(s\): )…/g, `${s.pid}, 4242`)
    .replace(/=…/g, '=1')
    .replace(/…(?!$)|…(?<!\) …)$/g, elided === 'sample' ? s.text : '')
    .replace(/ {2,}/g, ' ')
    .trim()
}

/** A row's message as lines with one choice of alternatives each; several when the page offers alternatives. */
export function elisionOf(row: ReferenceRow): 'sample' | 'empty' {
  return row.file.endsWith('troubleshooting.md') ? 'empty' : 'sample'
}

export function variantsOf(row: ReferenceRow): string[][] {
  let variants: string[][] = [[]]
  for (const line of row.template) {
    const options = expandAlternatives(line)
    variants = variants.flatMap((v) => options.map((o) => [...v, o]))
  }
  return variants
}
