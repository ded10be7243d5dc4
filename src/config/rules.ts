/**
 * The field rules a config is validated with. Each rule takes the raw JSON value and its path
 * and returns the typed value or throws `Invalid` naming the path; `parseConfig` turns that into
 * a `ConfigError` with the JSON pointer and the line and column in the file. Hand-written rather
 * than a JSON Schema engine at run time: see docs/ARCHITECTURE.md ("Config validation").
 */
import type {JsonSegment} from './json-position.js'

export type JsonPath = readonly JsonSegment[]
export type Json = Record<string, unknown>

/** A value that breaks a rule: where, what is wrong, and what to do. */
export class Invalid extends Error {
  constructor(
    readonly path: JsonPath,
    readonly problem: string,
    readonly suggestions: string[] = [],
    /** An unknown key is pointed at where the key is written, a bad value where the value is. */
    readonly at: 'key' | 'value' = 'value',
  ) {
    super(problem)
    this.name = 'Invalid'
  }
}

export function fail(path: JsonPath, problem: string, suggestions: string[] = [], at: 'key' | 'value' = 'value'): never {
  throw new Invalid(path, problem, suggestions, at)
}

/** `suppress[0].reason`, `targets[1].dataDir.mode`: how the key is named in messages. */
export function keyName(path: JsonPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export const describe = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'string'
        ? `the string ${JSON.stringify(v)}`
        : typeof v === 'object'
          ? 'an object'
          : `${typeof v} ${String(v)}`

/**
 * Checks that `value` is an object whose keys are all in `known`; an unknown key is refused with
 * the closest known name. `what` completes "must be …" ("an object {path, mode}").
 */
export function objectWith(value: unknown, path: JsonPath, known: readonly string[], what: string, field = 'field'): Json {
  if (!isObject(value)) fail(path, `must be ${what}, not ${describe(value)}`)
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      fail([...path, key], `is not a ${field} doctor knows (known: ${known.join(', ')})`, closest(key, known), 'key')
  }
  return value
}

export function arrayOf<T>(value: unknown, path: JsonPath, what: string, item: (v: unknown, path: JsonPath) => T): T[] {
  if (!Array.isArray(value)) fail(path, `must be an array of ${what}, not ${describe(value)}`)
  return value.map((v, i) => item(v, [...path, i]))
}

export function text(value: unknown, path: JsonPath, what = 'a non-empty string'): string {
  if (typeof value !== 'string' || value.trim() === '') fail(path, `must be ${what}, not ${describe(value)}`)
  return value
}

export function port(value: unknown, path: JsonPath): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535)
    fail(path, `must be a port number from 1 to 65535, not ${describe(value)}`)
  return value
}

/**
 * A regular expression written as a JSON string (JavaScript syntax, no delimiters or flags).
 * `groups`: how many capture groups it must have at least (a secret's value is group 1).
 * `searches`: it is looked for in lines of text, so one that matches the empty string would
 * match every line.
 */
export function regex(value: unknown, path: JsonPath, options: {groups?: number; searches?: boolean} = {}): RegExp {
  if (typeof value !== 'string' || value === '')
    fail(path, `must be a regular expression written as a string (such as "^ok$"), not ${describe(value)}`)
  let compiled: RegExp
  try {
    compiled = new RegExp(value)
  } catch (error) {
    return fail(
      path,
      `is not a valid regular expression: ${JSON.stringify(value)} (${(error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')})`,
    )
  }
  // The number of groups: an alternative that matches the empty string makes every group appear.
  const count = new RegExp(`${value}|`).exec('')!.length - 1
  if (count < (options.groups ?? 0))
    fail(path, `must capture the secret in a group, as in "^password\\\\s+(\\\\S+)": ${JSON.stringify(value)} has no capture group`)
  if (options.searches && compiled.test(''))
    fail(path, `matches the empty string (${JSON.stringify(value)}), so it would match every line; make it say what it looks for`)
  return compiled
}

/** A permission mode as an octal string ("0700", "600"); a JSON number would be read as decimal. */
export function mode(value: unknown, path: JsonPath): number {
  if (typeof value === 'number')
    fail(path, `must be an octal string such as "0700", not the number ${value} (JSON numbers are decimal: 0700 would be read as 700)`)
  if (typeof value !== 'string' || !/^0?[0-7]{3}$/.test(value))
    fail(path, `must be an octal mode string such as "0700" or "0600", not ${describe(value)}`)
  return Number.parseInt(value, 8)
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

/** A size in bytes: a whole number, or a string such as "500MB" or "1GiB". */
export function size(value: unknown, path: JsonPath): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined
  if (!m || unit === undefined || !(Number(m[1]) * unit >= 1))
    fail(path, `must be a size such as "500MB", "2GiB" or a whole number of bytes, not ${describe(value)}`)
  return Math.round(Number(m![1]) * unit!)
}

/**
 * "did you mean" for a misspelt key or id: the same letters ignoring case and separators, else the
 * nearest names within two edits, else names one is a prefix of. Only the best kind is offered.
 */
export function closest(wrong: string, candidates: readonly string[]): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, '')
  const w = norm(wrong)
  const score = (c: string): number => {
    const n = norm(c)
    if (n === w) return 0
    const d = editDistance(n, w)
    if (d <= 2) return d
    return w.length > 1 && (n.startsWith(w) || w.startsWith(n)) ? 3 : Infinity
  }
  const scored = candidates.map((c) => ({c, s: score(c)})).filter((x) => x.s !== Infinity)
  const best = Math.min(...scored.map((x) => x.s))
  const near = scored.filter((x) => x.s === best).map((x) => x.c)
  return near.length > 0 ? [`did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`] : []
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}
