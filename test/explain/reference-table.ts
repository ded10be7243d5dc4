/**
 * The table behind the explain tests: every message the reference pages quote, as (reference
 * page, section, message). The rows are committed test data (data/reference-messages.json,
 * generated from the pages by scripts/reference-messages.ts); the tests never read the pages, so
 * a bare clone runs them. This module renders the rows as a user would paste them.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Product, ReferenceRow, ReferenceTable} from '../../scripts/reference-messages.js'
import {REPO} from '../helpers/processes.js'

export type {Product, ReferenceRow}

const TABLE = join(REPO, 'test/explain/data/reference-messages.json')

let cached: ReferenceTable | null = null
const table = () => (cached ??= JSON.parse(readFileSync(TABLE, 'utf8')) as ReferenceTable)

export function referenceRows(): ReferenceRow[] {
  return table().rows
}

/** DESIGN.md's public check ids (committed with the table). */
export function designCheckIds(): Set<string> {
  return new Set(table().checkIds.ids)
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
  return (
    template
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
  )
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
