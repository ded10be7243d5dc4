/**
 * Parsers for what RunWisp writes and reads: `daemon.pid`, the identity payload, cron expressions,
 * sizes, and systemd units. Each returns a reason on rejection, so a finding can say exactly what is
 * wrong instead of "invalid".
 */
import {formatBytes} from '../../text.js'
import type {Tristate} from './generations.js'

export type Parsed<T> = {ok: true; value: T} | {ok: false; reason: string}

/** runwisp-facts §1.2: `daemon.pid` is the decimal pid and a newline. */
export function parsePidFile(bytes: Buffer): Parsed<number> {
  if (bytes.length === 0) return {ok: false, reason: 'the file is empty'}
  if (bytes.includes(0)) return {ok: false, reason: `it holds binary data (${bytes.length} bytes with NUL bytes), not a decimal pid`}
  const text = bytes.toString('utf8')
  const trimmed = text.replace(/\r?\n$/, '')
  if (!/^\d+$/.test(trimmed)) {
    const shown = JSON.stringify(trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed)
    return {ok: false, reason: `it holds ${shown}, not a decimal pid followed by a newline`}
  }
  const pid = Number(trimmed)
  if (!Number.isSafeInteger(pid) || pid <= 0) return {ok: false, reason: `${trimmed} is not a valid pid`}
  if (pid > 4_194_304) return {ok: false, reason: `${trimmed} is beyond any pid the kernel hands out (max 4194304)`}
  return {ok: true, value: pid}
}

/** runwisp-facts §2.4: `App`, `Version`, `Fingerprint`, `Pid`, `DataDir`, `ConfigPath`, `SocketPath`; camelCase since 0.14, snake_case before. */
export interface RunwispIdentity {
  app: string
  version: string | null
  pid: number | null
  dataDir: string | null
  configPath: string | null
  socketPath: string | null
}

export function parseIdentity(body: string): Parsed<RunwispIdentity> {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return {ok: false, reason: 'the answer is not JSON'}
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {ok: false, reason: 'the answer is not a JSON object'}
  const o = json as Record<string, unknown>
  const pick = (...keys: string[]) => keys.map((k) => o[k]).find((v) => v !== undefined)
  const str = (...keys: string[]) => {
    const v = pick(...keys)
    return typeof v === 'string' && v !== '' ? v : null
  }
  const app = str('app', 'App')
  if (app === null) return {ok: false, reason: 'the answer has no "app" field'}
  const pid = pick('pid', 'Pid')
  return {
    ok: true,
    value: {
      app,
      version: str('version', 'Version'),
      pid: typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : null,
      dataDir: str('dataDir', 'data_dir', 'DataDir'),
      configPath: str('configPath', 'config_path', 'ConfigPath'),
      socketPath: str('socketPath', 'socket_path', 'SocketPath'),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Cron (runwisp-facts §5.1): 5 fields; 6 with seconds since 0.9; `@every`; day-of-week 7 = Sunday
// since 0.14; impossible schedules rejected since 1.5.0.

export interface CronRules {
  seconds: Tristate
  sundayAsSeven: Tristate
}

interface FieldSpec {
  name: string
  min: number
  max: number
  names?: string[]
  /** `?` is accepted (day-of-month and day-of-week). */
  any?: boolean
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const SECOND: FieldSpec = {name: 'second', min: 0, max: 59}
const FIELDS: FieldSpec[] = [
  {name: 'minute', min: 0, max: 59},
  {name: 'hour', min: 0, max: 23},
  {name: 'day-of-month', min: 1, max: 31, any: true},
  {name: 'month', min: 1, max: 12, names: MONTHS},
  {name: 'day-of-week', min: 0, max: 6, names: DAYS, any: true},
]
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'])
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export type CronVerdict = {ok: true; impossible?: string} | {ok: false; reason: string}

export function validateCron(raw: string, rules: CronRules): CronVerdict {
  let expr = raw.trim()
  const tz = /^(?:CRON_TZ|TZ)=\S+\s+/.exec(expr)
  if (tz) expr = expr.slice(tz[0].length)
  if (expr === '') return {ok: false, reason: 'the expression is empty'}
  if (expr.startsWith('@')) {
    const [word, ...rest] = expr.split(/\s+/)
    if (word === '@every') {
      const duration = rest.join('')
      if (rest.length !== 1 || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(duration)) {
        return {ok: false, reason: `"@every" needs one Go duration such as 5m, 1h30m or 90s (got ${JSON.stringify(rest.join(' '))})`}
      }
      if (!/[1-9]/.test(duration)) return {ok: false, reason: '"@every" needs a duration above zero'}
      return {ok: true}
    }
    if (DESCRIPTORS.has(word!.toLowerCase()) && rest.length === 0) return {ok: true}
    return {
      ok: false,
      reason: `${JSON.stringify(word)} is not a known descriptor (@every <duration>, @hourly, @daily, @weekly, @monthly, @yearly)`,
    }
  }
  const parts = expr.split(/\s+/)
  let specs = FIELDS
  if (parts.length === 6) {
    if (rules.seconds === 'no')
      return {
        ok: false,
        reason:
          '6 fields (with seconds) are accepted only since RunWisp 0.9; this version takes 5 (minute hour day-of-month month day-of-week)',
      }
    specs = [SECOND, ...FIELDS]
  } else if (parts.length !== 5) {
    return {
      ok: false,
      reason: `it has ${parts.length} fields; RunWisp takes 5 (minute hour day-of-month month day-of-week)${rules.seconds === 'no' ? '' : ', or 6 with seconds first'}`,
    }
  }
  const sets: Array<Set<number> | null> = []
  for (let i = 0; i < specs.length; i++) {
    let spec = specs[i]!
    if (spec.name === 'day-of-week' && rules.sundayAsSeven !== 'no') spec = {...spec, max: 7}
    const parsed = parseField(parts[i]!, spec)
    if (!parsed.ok) return {ok: false, reason: `${spec.name} field ${JSON.stringify(parts[i])}: ${parsed.reason}`}
    sets.push(parsed.value)
  }
  const offset = specs.length - 5
  const dom = sets[offset + 2]
  const month = sets[offset + 3]
  const dow = sets[offset + 4]
  if (dom && dow === null) {
    const months = month ? [...month] : Array.from({length: 12}, (_, i) => i + 1)
    const possible = months.some((m) => [...dom].some((d) => d <= DAYS_IN_MONTH[m - 1]!))
    if (!possible) return {ok: true, impossible: `day ${[...dom].join(',')} never occurs in month ${months.join(',')}`}
  }
  return {ok: true}
}

/** The values a field allows, or null for "every value" (`*` / `?`). */
function parseField(field: string, spec: FieldSpec): Parsed<Set<number> | null> {
  if (field === '*' || (spec.any && field === '?')) return {ok: true, value: null}
  const values = new Set<number>()
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/')
    if (extra !== undefined) return {ok: false, reason: `"${part}" has more than one "/"`}
    let step = 1
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) return {ok: false, reason: `step "${stepText}" must be a positive integer`}
      step = Number(stepText)
    }
    let lo: number
    let hi: number
    if (range === '*' || (spec.any && range === '?')) {
      lo = spec.min
      hi = spec.max
    } else {
      const [a, b, more] = (range ?? '').split('-')
      if (more !== undefined) return {ok: false, reason: `"${range}" is not a range`}
      const av = value(a ?? '', spec)
      if (typeof av === 'string') return {ok: false, reason: av}
      lo = av
      if (b !== undefined) {
        const bv = value(b, spec)
        if (typeof bv === 'string') return {ok: false, reason: bv}
        hi = bv
        if (lo > hi) return {ok: false, reason: `range ${range} runs backwards`}
      } else hi = stepText !== undefined ? spec.max : lo
    }
    for (let v = lo; v <= hi; v += step) values.add(spec.name === 'day-of-week' && v === 7 ? 0 : v)
  }
  return {ok: true, value: values}
}

function value(text: string, spec: FieldSpec): number | string {
  if (text === '') return 'empty value'
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1
  if (named >= 0) return spec.name === 'month' ? named + 1 : named
  if (!/^\d+$/.test(text)) return `"${text}" is not a number${spec.names ? ` or a ${spec.name === 'month' ? 'month' : 'day'} name` : ''}`
  const n = Number(text)
  if (n < spec.min || n > spec.max) {
    const note = spec.name === 'day-of-week' && n === 7 && spec.max === 6 ? ' (7 for Sunday is accepted only since 0.14)' : ''
    return `${n} is out of range ${spec.min}-${spec.max}${note}`
  }
  return n
}

// ---------------------------------------------------------------------------------------------
// Sizes (runwisp-facts §5.1): integers are bytes; units b/kb/mb/gb/tb, case-insensitive.

const UNITS: Record<string, number> = {b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4}

/**
 * Bytes of a RunWisp size. Units are read as binary multiples (1 gb = 1024³ bytes): the source
 * does not say, and the larger reading makes a `min_free_space` threshold the stricter one.
 */
export function parseSize(raw: unknown): Parsed<number> {
  if (typeof raw === 'number')
    return Number.isFinite(raw) && raw >= 0 ? {ok: true, value: raw} : {ok: false, reason: `${raw} is not a size`}
  if (typeof raw !== 'string') return {ok: false, reason: `${JSON.stringify(raw)} is not a size`}
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw)
  if (!m) return {ok: false, reason: `${JSON.stringify(raw)} is not a size such as "500mb" or "5gb"`}
  const unit = (m[2] || 'b').toLowerCase()
  const factor = UNITS[unit]
  if (factor === undefined) return {ok: false, reason: `unit "${m[2]}" in ${JSON.stringify(raw)} is not one of b, kb, mb, gb, tb`}
  return {ok: true, value: Math.round(Number(m[1]) * factor)}
}

export {formatBytes}

// ---------------------------------------------------------------------------------------------
// systemd units: enough of systemd.syntax(7) to read User=, ExecStart= and Environment=.

export interface UnitFile {
  /** section → key → values in order (a key may repeat; an empty assignment resets it). */
  sections: Map<string, Map<string, string[]>>
}

export function parseUnit(text: string, into: UnitFile = {sections: new Map()}): UnitFile {
  let section = ''
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i]!
    const t = line.trim()
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue
    const header = /^\[(.+)\]$/.exec(t)
    if (header) {
      section = header[1]!
      if (!into.sections.has(section)) into.sections.set(section, new Map())
      continue
    }
    const eq = t.indexOf('=')
    if (eq <= 0) continue
    const key = t.slice(0, eq).trim()
    const val = t.slice(eq + 1).trim()
    const map = into.sections.get(section) ?? new Map<string, string[]>()
    into.sections.set(section, map)
    if (val === '') map.set(key, [])
    else map.set(key, [...(map.get(key) ?? []), val])
  }
  return into
}

export function unitValue(unit: UnitFile, section: string, key: string): string | null {
  return unit.sections.get(section)?.get(key)?.at(-1) ?? null
}

export function unitValues(unit: UnitFile, section: string, key: string): string[] {
  return unit.sections.get(section)?.get(key) ?? []
}

/** Splits a command line the way systemd does for ExecStart= (double and single quotes). */
export function splitWords(text: string): string[] {
  const words: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!))
  return words
}

/** The value of `--name v`, `--name=v` or a short alias in argv, or null. */
export function flagValue(argv: readonly string[], names: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    for (const name of names) {
      if (arg === name && i + 1 < argv.length) return argv[i + 1]!
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1)
    }
  }
  return null
}

/** `Environment=` assignments: `A=1 "B=two words"`. */
export function parseEnvironment(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(environmentAssignments(values))
}

/** Every `NAME=value` of `Environment=` values in order, repeats kept (a later one wins in systemd). */
export function environmentAssignments(values: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const value of values) {
    for (const word of splitWords(value)) {
      const eq = word.indexOf('=')
      if (eq > 0) out.push([word.slice(0, eq), word.slice(eq + 1)])
    }
  }
  return out
}
