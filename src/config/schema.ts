/**
 * `doctor.config.json`: what a project tells the doctor (docs/preflight.md). Validated by hand so
 * that every mistake names its key (`suppress[1].expires`) and says what was expected; a bad
 * config is a usage error (exit 2), never a silently ignored setting (doctor-anchors c.5, d.12).
 */
import {parseDuration} from '../duration.js'
import {UsageError} from '../engine/doctor.js'
import {isBuiltinTargetId, TARGET_IDS, type TargetId} from '../types.js'
import type {TargetProfile} from '../targets/profile.js'
import {locateJsonError} from './json-position.js'

export interface Suppression {
  check?: string
  symptom?: string
  target?: TargetId
  reason: string
  /** As written: `YYYY-MM-DD` or an ISO date-time with a zone. */
  expires: string
  /** Epoch ms from which the suppression no longer holds. */
  expiresAtMs: number
}

export interface DoctorConfig {
  /** Check ids not to run at all. */
  skip: string[]
  suppress: Suppression[]
  /** Per-check timeouts in ms, by check id. */
  timeouts: Record<string, number>
  /** Extra ports whose squatters port-squatter reports. */
  watchPorts: number[]
  /** Targets declared in the config (docs/targets.md), validated and with paths expanded. */
  targets: TargetProfile[]
}

/** What the validator checks names against: the registry and the catalogue of this build. */
export interface KnownIds {
  checks: ReadonlyMap<string, readonly string[]>
  symptoms: ReadonlySet<string>
}

/** A usage error (exit 2) that names the file and the key. */
export class ConfigError extends UsageError {
  constructor(
    readonly file: string,
    /** The offending key, as a path (`suppress[0].reason`); empty for the whole file. */
    readonly key: string,
    problem: string,
    suggestions: string[] = [],
  ) {
    super(`${file}: ${key ? `"${key}" ` : ''}${problem}`, suggestions)
    this.name = 'ConfigError'
  }
}

const TOP_KEYS = ['$schema', 'skip', 'suppress', 'timeouts', 'watchPorts'] as const
const SUPPRESS_KEYS = ['check', 'symptom', 'target', 'reason', 'expires'] as const

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`)

/** Parses and validates the text of a config file. Throws `ConfigError` naming the key. */
export function parseConfig(text: string, file: string, known: KnownIds): DoctorConfig {
  const fail = (key: string, problem: string, suggestions: string[] = []): never => {
    throw new ConfigError(file, key, problem, suggestions)
  }
  const body = text.replace(/^\uFEFF/, '')
  if (body.trim() === '') fail('', 'is empty; write {} for a config that changes nothing')
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch (error) {
    const where = locateJsonError(body)
    fail('', `is not valid JSON: ${where ? `${where.what} at line ${where.line}, column ${where.column}` : (error as Error).message}`)
  }
  if (!isObject(raw)) return fail('', `must hold a JSON object, not ${describe(raw)}`)

  for (const key of Object.keys(raw)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) fail(key, `is not a setting doctor knows`, closest(key, TOP_KEYS))
  }
  const checkId = (key: string, value: unknown): string => {
    if (typeof value !== 'string' || value === '') return fail(key, `must be a check id, not ${describe(value)}`)
    if (!known.checks.has(value)) return fail(key, `names no check: "${value}"`, [...closest(value, [...known.checks.keys()]), 'run `doctor checks` to list every check id'])
    return value
  }

  const skip: string[] = []
  if (raw.skip !== undefined) {
    if (!Array.isArray(raw.skip)) fail('skip', `must be an array of check ids, not ${describe(raw.skip)}`)
    ;(raw.skip as unknown[]).forEach((v, i) => skip.push(checkId(`skip[${i}]`, v)))
  }

  const timeouts: Record<string, number> = {}
  if (raw.timeouts !== undefined) {
    if (!isObject(raw.timeouts)) fail('timeouts', `must be an object of check id to duration ("10s", "1500ms" or a number of ms), not ${describe(raw.timeouts)}`)
    for (const [id, value] of Object.entries(raw.timeouts as Json)) {
      const key = `timeouts.${id}`
      checkId(key, id)
      const ms = typeof value === 'number' ? (Number.isInteger(value) && value > 0 ? value : null) : typeof value === 'string' ? parseDuration(value) : null
      if (ms === null) fail(key, `must be a positive duration ("10s", "1500ms", "2m") or a whole number of ms, not ${describe(value)}`)
      timeouts[id] = ms!
    }
  }

  const watchPorts: number[] = []
  if (raw.watchPorts !== undefined) {
    if (!Array.isArray(raw.watchPorts)) fail('watchPorts', `must be an array of port numbers, not ${describe(raw.watchPorts)}`)
    ;(raw.watchPorts as unknown[]).forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) fail(`watchPorts[${i}]`, `must be a port number from 1 to 65535, not ${describe(v)}`)
      if (!watchPorts.includes(v as number)) watchPorts.push(v as number)
    })
  }

  const suppress: Suppression[] = []
  if (raw.suppress !== undefined) {
    if (!Array.isArray(raw.suppress)) fail('suppress', `must be an array of {check or symptom, reason, expires}, not ${describe(raw.suppress)}`)
    ;(raw.suppress as unknown[]).forEach((entry, i) => {
      const at = `suppress[${i}]`
      if (!isObject(entry)) return fail(at, `must be an object {check or symptom, reason, expires}, not ${describe(entry)}`)
      for (const key of Object.keys(entry)) {
        if (!(SUPPRESS_KEYS as readonly string[]).includes(key)) fail(`${at}.${key}`, 'is not a suppression field', closest(key, SUPPRESS_KEYS))
      }
      if (entry.check === undefined && entry.symptom === undefined) fail(at, 'must name a "check" or a "symptom" to suppress')
      const s: Partial<Suppression> = {}
      if (entry.check !== undefined) s.check = checkId(`${at}.check`, entry.check)
      if (entry.symptom !== undefined) {
        const id = entry.symptom
        if (typeof id !== 'string' || !known.symptoms.has(id)) {
          fail(`${at}.symptom`, typeof id === 'string' ? `names no known symptom: "${id}"` : `must be a symptom id such as "executor/stale-record", not ${describe(id)}`, typeof id === 'string' ? closest(id, [...known.symptoms]) : [])
        }
        if (s.check && !known.checks.get(s.check)!.includes(id as string)) fail(`${at}.symptom`, `"${id as string}" is not reported by check "${s.check}"`)
        s.symptom = id as string
      }
      if (entry.target !== undefined) {
        if (!isBuiltinTargetId(entry.target)) fail(`${at}.target`, `must be one of ${TARGET_IDS.join(', ')}, not ${describe(entry.target)}`)
        s.target = entry.target as TargetId
      }
      if (entry.reason === undefined) fail(`${at}.reason`, 'is required: say why this is accepted for now (it is shown wherever the result is)')
      if (typeof entry.reason !== 'string' || entry.reason.trim() === '') fail(`${at}.reason`, `must be a non-empty sentence saying why, not ${describe(entry.reason)}`)
      s.reason = (entry.reason as string).trim()
      if (entry.expires === undefined) fail(`${at}.expires`, 'is required: a date such as "2030-01-31" after which the suppression fails the run')
      const expiresAtMs = typeof entry.expires === 'string' ? parseExpiry(entry.expires) : null
      if (expiresAtMs === null) fail(`${at}.expires`, `must be a date "YYYY-MM-DD" or an ISO date-time with a zone, not ${describe(entry.expires)}`)
      s.expires = entry.expires as string
      s.expiresAtMs = expiresAtMs!
      suppress.push(s as Suppression)
    })
  }
  const targets: TargetProfile[] = []
  return {skip, suppress, timeouts, watchPorts, targets}
}

/**
 * When a suppression stops holding. A bare date holds through the end of that day in UTC (so
 * "2030-01-31" is still in force all of 31 January, whatever the runner's zone); a date-time must
 * carry its zone so that it means the same instant on every machine.
 */
export function parseExpiry(text: string): number | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])]
    const start = Date.UTC(y, m - 1, d)
    const check = new Date(start)
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null
    return start + 24 * 60 * 60 * 1000
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? null : ms
}

/** "did you mean" for a misspelt key or id: same letters ignoring case and separators, or a near edit. */
function closest(wrong: string, candidates: readonly string[]): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '')
  const near = candidates.filter((c) => norm(c) === norm(wrong) || norm(c).startsWith(norm(wrong)) || norm(wrong).startsWith(norm(c)) || editDistance(norm(c), norm(wrong)) <= 2)
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
