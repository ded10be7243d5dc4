/**
 * `runwisp.toml`: where it is, what it says, and whether the RunWisp generation in use would load
 * it (runwisp-facts §5). Parsing uses smol-toml; errors carry line and column. The semantic rules
 * are generation-aware: a key renamed in 0.5 is wrong on 0.16 and right on 0.4.
 */
import type {CheckContext} from '../../context.js'
import type {FileError} from '../../probes/files.js'
import {configCandidates, type ConfigCandidate} from './paths.js'
import {loadRunwispState} from './state.js'

export type TomlTable = Record<string, unknown>

export interface Position {
  line: number
  column: number
}

export type ConfigState =
  | {kind: 'missing'; candidate: ConfigCandidate; explicit: boolean; looked: string[]}
  | {kind: 'unreadable'; candidate: ConfigCandidate; error: FileError}
  | {kind: 'too-large'; candidate: ConfigCandidate; sizeBytes: number}
  | {kind: 'invalid'; candidate: ConfigCandidate; reason: string; position: Position | null}
  | {kind: 'ok'; candidate: ConfigCandidate; data: TomlTable; positions: KeyPositions}

/** Far above any real config; a bigger file is reported, not parsed. */
export const CONFIG_CAP = 4 * 1024 * 1024

export function loadConfig(ctx: CheckContext, extra: ConfigCandidate[] = []): Promise<ConfigState> {
  return ctx.memo('runwisp:config', async () => {
    const {explicit, defaults} = configCandidates(ctx)
    const all = explicit ? [explicit] : [...defaults, ...extra, ...(await adoptedConfig(ctx))]
    const candidates = all.filter((c, i) => all.findIndex((o) => o.path === c.path) === i)
    for (const candidate of candidates) {
      // RunWisp reads a linked runwisp.toml (home-manager, stow) through the link; the doctor only reads it.
      const read = await ctx.files.read(candidate.path, CONFIG_CAP, {follow: true})
      if (!read.ok && read.code === 'ENOENT' && !explicit) continue
      if (!read.ok) {
        if (read.code === 'ENOENT') return {kind: 'missing', candidate, explicit: true, looked: [candidate.path]}
        if (read.code === 'TOO_LARGE') {
          const st = await ctx.files.stat(candidate.path)
          return {kind: 'too-large', candidate, sizeBytes: st.ok ? st.stat.size : CONFIG_CAP + 1}
        }
        if (read.code === 'NOT_FILE' || read.code === 'EISDIR')
          return {
            kind: 'invalid',
            candidate,
            reason: `${candidate.path} is ${read.code === 'EISDIR' ? 'a directory' : (read.what ?? 'not a regular file')}, not a regular file (RunWisp reads its config from a single TOML file)`,
            position: null,
          }
        return {kind: 'unreadable', candidate, error: read}
      }
      return await parseConfig(candidate, read.bytes)
    }
    const first = candidates[0]!
    return {kind: 'missing', candidate: first, explicit: false, looked: candidates.map((c) => c.path)}
  })
}

/** The config of the daemon this run adopted (it has no RunWisp state of its own), as that daemon learnt it. */
async function adoptedConfig(ctx: CheckContext): Promise<ConfigCandidate[]> {
  const {adopted} = await loadRunwispState(ctx)
  const config = adopted?.facts.config
  return adopted && config
    ? [{path: config.path, source: 'daemon', label: `the config of the running RunWisp daemon pid ${adopted.proc.pid}: ${config.how}`}]
    : []
}

/**
 * TOML is UTF-8 text without control characters: say where the first bad byte is, as a parser
 * would. smol-toml is imported here, on first use, so runs without a runwisp.toml never load it.
 */
export async function parseConfig(candidate: ConfigCandidate, bytes: Buffer): Promise<ConfigState> {
  const {parse, TomlError} = await import('smol-toml')
  const nul = bytes.indexOf(0)
  if (nul >= 0) {
    return {
      kind: 'invalid',
      candidate,
      reason: `it contains a NUL byte: this is binary data, not a TOML file`,
      position: positionOfOffset(bytes, nul),
    }
  }
  const badUtf8 = firstInvalidUtf8(bytes)
  if (badUtf8 >= 0) {
    return {
      kind: 'invalid',
      candidate,
      reason: `byte 0x${bytes[badUtf8]!.toString(16).padStart(2, '0')} is not valid UTF-8 (TOML files must be UTF-8; was it saved as Latin-1?)`,
      position: positionOfOffset(bytes, badUtf8),
    }
  }
  const text = bytes.toString('utf8')
  try {
    const data = parse(text, {maxDepth: 100}) as TomlTable
    return {kind: 'ok', candidate, data, positions: locateKeys(text)}
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')
      return {kind: 'invalid', candidate, reason: first, position: {line: error.line, column: error.column}}
    }
    // smol-toml recurses on dotted headers; a pathological file can exhaust the stack.
    return {
      kind: 'invalid',
      candidate,
      reason: `the file cannot be parsed (${(error as Error).message}); it is nested far deeper than any RunWisp config`,
      position: null,
    }
  }
}

function positionOfOffset(bytes: Buffer, offset: number): Position {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++
      lineStart = i + 1
    }
  }
  return {line, column: offset - lineStart + 1}
}

function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (len === 0 || i + len > bytes.length) return i
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i
    i += len
  }
  return -1
}

// ---------------------------------------------------------------------------------------------
// Where each key is written, so a semantic finding can point at line:column like the parser does.

export type KeyPath = ReadonlyArray<string | number>
export type KeyPositions = Map<string, Position>

export const pathKey = (path: KeyPath) => path.join('\u0000')

const BARE = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`
const DOTTED = new RegExp(String.raw`^\s*(${BARE}(?:\s*\.\s*${BARE})*)\s*=`)
const TABLE = new RegExp(String.raw`^\s*\[\s*(${BARE}(?:\s*\.\s*${BARE})*)\s*\]`)
const ARRAY_TABLE = new RegExp(String.raw`^\s*\[\[\s*(${BARE}(?:\s*\.\s*${BARE})*)\s*\]\]`)

function splitKey(text: string): string[] {
  const out: string[] = []
  const re = new RegExp(BARE, 'g')
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) {
    const k = m[0]
    out.push(k.startsWith('"') ? (JSON.parse(k) as string) : k.startsWith("'") ? k.slice(1, -1) : k)
  }
  return out
}

/** Line and column of every table header and key in a TOML text (arrays of tables indexed). */
export function locateKeys(text: string): KeyPositions {
  const positions: KeyPositions = new Map()
  const counts = new Map<string, number>()
  let table: KeyPath = []
  let inMultiline: string | null = null
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (inMultiline) {
      if (line.split(inMultiline).length % 2 === 0) inMultiline = null
      continue
    }
    const column = line.length - line.trimStart().length + 1
    const at = {line: i + 1, column}
    const array = ARRAY_TABLE.exec(line)
    const header = array ? null : TABLE.exec(line)
    if (array) {
      const name = splitKey(array[1]!)
      const k = pathKey(name)
      const index = counts.get(k) ?? 0
      counts.set(k, index + 1)
      table = [...name, index]
      if (!positions.has(pathKey(name))) positions.set(pathKey(name), at)
      positions.set(pathKey(table), at)
      continue
    }
    if (header) {
      table = splitKey(header[1]!)
      // `[notifiers.slack]` also defines `notifiers`: a finding about the parent points here.
      for (let n = 1; n <= Math.min(table.length, 8); n++)
        if (!positions.has(pathKey(table.slice(0, n)))) positions.set(pathKey(table.slice(0, n)), at)
      continue
    }
    const key = DOTTED.exec(line)
    if (key) {
      const full = [...table, ...splitKey(key[1]!)]
      if (!positions.has(pathKey(full))) positions.set(pathKey(full), at)
      for (const quote of ['"""', "'''"]) if (line.split(quote).length % 2 === 0) inMultiline = quote
    }
  }
  return positions
}

/** The position of a key, else of its nearest written ancestor (a key inside an inline table). */
export function positionOf(positions: KeyPositions, path: KeyPath): Position | null {
  for (let n = path.length; n > 0; n--) {
    const p = positions.get(pathKey(path.slice(0, n)))
    if (p) return p
  }
  return null
}

export const isTable = (v: unknown): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
