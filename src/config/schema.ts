/**
 * `doctor.config.json`: what a project tells the doctor (docs/preflight.md). Validated by hand so
 * that every mistake names its key (`suppress[1].expires`) and says what was expected; a bad
 * config is a usage error (exit 2), never a silently ignored setting (doctor-anchors c.5, d.12).
 */
import {homedir} from 'node:os'
import {dirname, resolve} from 'node:path'
import {parseDuration} from '../duration.js'
import {UsageError} from '../engine/doctor.js'
import {TARGET_IDS, type TargetId} from '../types.js'
import type {TargetProfile} from '../targets/profile.js'
import {jsonSyntaxProblem, locateJsonPath, toJsonPointer} from './json-position.js'
import type {ExpandContext} from './paths.js'
import {closest, describe, fail, Invalid, isObject, keyName, port, type Json, type JsonPath} from './rules.js'
import {parseTargets} from './targets.js'
import type {GenericSymptom} from '../check.js'
import {GENERIC_SYMPTOMS, genericSymptomCheck} from '../targets/declared/symptoms.js'

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
  /** Target ids (built-in or declared) none of whose checks run: detected and reported, their checks listed as skipped. */
  skipTargets?: string[]
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
  /**
   * Targets a host defined in code (`defineTarget`): the config may skip, suppress and name them
   * and their generic symptoms as it does its own declared targets, but not declare them again.
   */
  hostTargets?: readonly TargetProfile[]
}

/** Where in the file a config mistake is: the JSON pointer and, when found, the line and column. */
export interface ConfigPlace {
  /** RFC 6901 pointer to the offending key or value (`/targets/0/dataDir/mode`); empty for the whole file. */
  pointer: string
  line?: number
  column?: number
}

/** A usage error (exit 2) that names the file, the key, its JSON pointer and its line. */
export class ConfigError extends UsageError {
  readonly pointer: string
  readonly line?: number
  readonly column?: number

  constructor(
    readonly file: string,
    /** The offending key, as a path (`suppress[0].reason`); empty for the whole file. */
    readonly key: string,
    problem: string,
    suggestions: string[] = [],
    place: ConfigPlace = {pointer: ''},
  ) {
    const where = place.pointer
      ? ` (${place.line === undefined ? '' : `line ${place.line}, column ${place.column}, `}at ${place.pointer})`
      : ''
    super(`${file}: ${key ? `"${key}" ` : ''}${problem}${where}`, suggestions)
    this.name = 'ConfigError'
    this.pointer = place.pointer
    if (place.line !== undefined) [this.line, this.column] = [place.line, place.column]
  }
}

const TOP_KEYS = ['$schema', 'skip', 'suppress', 'timeouts', 'watchPorts', 'targets'] as const
const SUPPRESS_KEYS = ['check', 'symptom', 'target', 'reason', 'expires'] as const

/** Where `~` and `${VAR}` in declared paths come from; default: this process. */
export interface ExpandFrom {
  env?: Readonly<Record<string, string | undefined>>
  home?: string
}

/** Parses and validates the text of a config file. Throws `ConfigError` naming the key. */
export function parseConfig(text: string, file: string, known: KnownIds, from: ExpandFrom = {}): DoctorConfig {
  const body = text.replace(/^\uFEFF/, '')
  const whole = (problem: string): never => {
    throw new ConfigError(file, '', problem)
  }
  if (body.trim() === '') whole('is empty; write {} for a config that changes nothing')
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch {
    // By position only: V8's message quotes the file, which may hold a secret.
    whole(`is not valid JSON: ${jsonSyntaxProblem(body)}`)
  }
  if (!isObject(raw)) return whole(`must hold a JSON object, not ${describe(raw)}`)
  try {
    return validate(raw, file, known, {
      env: from.env ?? process.env,
      home: from.home ?? from.env?.HOME ?? process.env.HOME ?? homedir(),
      baseDir: dirname(resolve(file)),
    })
  } catch (error) {
    if (!(error instanceof Invalid)) throw error
    const place = locateJsonPath(body, error.path, error.at)
    throw new ConfigError(file, keyName(error.path), error.problem, error.suggestions, {
      pointer: toJsonPointer(error.path),
      ...(place ?? {}),
    })
  }
}

function validate(raw: Json, file: string, known: KnownIds, expand: ExpandContext): DoctorConfig {
  for (const key of Object.keys(raw)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) fail([key], `is not a setting doctor knows`, closest(key, TOP_KEYS), 'key')
  }
  // Declared targets first: suppressions may name them and their symptoms.
  const targets = raw.targets === undefined ? [] : parseTargets(raw.targets, ['targets'], {...expand, configPath: resolve(file)})
  const hosted = known.hostTargets ?? []
  targets.forEach((t, i) => {
    if (hosted.some((h) => h.id === t.id))
      fail(['targets', i, 'id'], `"${t.id}" is a target the program defines itself; give the declaration an id of its own`)
  })
  const declaredOrHosted = [...targets, ...hosted]
  const targetIds: string[] = [...TARGET_IDS, ...declaredOrHosted.map((t) => t.id)]
  // A declared target's generic symptoms (`<id>/stale-pid-file`, …) can be suppressed like its own.
  const symptoms = new Set([
    ...known.symptoms,
    ...declaredOrHosted.flatMap((t) => [...t.symptoms.map((s) => s.id), ...GENERIC_SYMPTOMS.map((slug) => `${t.id}/${slug}`)]),
  ])

  const checkId = (path: JsonPath, value: unknown, at: 'key' | 'value' = 'value'): string => {
    if (typeof value !== 'string' || value === '') return fail(path, `must be a check id, not ${describe(value)}`)
    if (!known.checks.has(value))
      return fail(
        path,
        `names no check: "${value}"`,
        [...closest(value, [...known.checks.keys()]), 'run `doctor checks` to list every check id'],
        at,
      )
    return value
  }

  const skip: string[] = []
  const skipTargets: string[] = []
  if (raw.skip !== undefined) {
    if (!Array.isArray(raw.skip))
      fail(['skip'], `must be an array of check ids, not ${describe(raw.skip)}`, ['a target id skips every check of that target'])
    ;(raw.skip as unknown[]).forEach((v, i) => {
      const path = ['skip', i]
      if (typeof v === 'string' && targetIds.includes(v) && !known.checks.has(v)) return void skipTargets.push(v)
      // A symptom is accepted for a while, with a reason, never skipped for good.
      if (typeof v === 'string' && symptoms.has(v))
        fail(path, `is a symptom ("${v}"), and skip names checks and targets`, [
          `to accept it for a while, suppress it: {"symptom": "${v}", "reason": "…", "expires": "YYYY-MM-DD"}`,
        ])
      if (typeof v === 'string' && v !== '' && !known.checks.has(v))
        fail(path, `names no check: "${v}" (nor any target)`, [
          ...closest(v, [...known.checks.keys(), ...targetIds]),
          'run `doctor checks` to list every check id and the targets doctor.config.json declares',
        ])
      skip.push(checkId(path, v))
    })
  }

  const timeouts: Record<string, number> = {}
  if (raw.timeouts !== undefined) {
    if (!isObject(raw.timeouts))
      fail(['timeouts'], `must be an object of check id to duration ("10s", "1500ms" or a number of ms), not ${describe(raw.timeouts)}`)
    for (const [id, value] of Object.entries(raw.timeouts)) {
      const path = ['timeouts', id]
      checkId(path, id, 'key')
      const ms =
        typeof value === 'number'
          ? Number.isInteger(value) && value > 0
            ? value
            : null
          : typeof value === 'string'
            ? parseDuration(value)
            : null
      if (ms === null) fail(path, `must be a positive duration ("10s", "1500ms", "2m") or a whole number of ms, not ${describe(value)}`)
      timeouts[id] = ms
    }
  }

  const watchPorts: number[] = []
  if (raw.watchPorts !== undefined) {
    if (!Array.isArray(raw.watchPorts)) fail(['watchPorts'], `must be an array of port numbers, not ${describe(raw.watchPorts)}`)
    ;(raw.watchPorts as unknown[]).forEach((v, i) => {
      const p = port(v, ['watchPorts', i])
      if (!watchPorts.includes(p)) watchPorts.push(p)
    })
  }

  const suppress: Suppression[] = []
  if (raw.suppress !== undefined) {
    if (!Array.isArray(raw.suppress))
      fail(['suppress'], `must be an array of {check or symptom, reason, expires}, not ${describe(raw.suppress)}`)
    ;(raw.suppress as unknown[]).forEach((entry, i) => {
      const at = ['suppress', i]
      if (!isObject(entry)) return fail(at, `must be an object {check or symptom, reason, expires}, not ${describe(entry)}`)
      for (const key of Object.keys(entry)) {
        if (!(SUPPRESS_KEYS as readonly string[]).includes(key))
          fail([...at, key], 'is not a suppression field', closest(key, SUPPRESS_KEYS), 'key')
      }
      if (entry.check === undefined && entry.symptom === undefined) fail(at, 'must name a "check" or a "symptom" to suppress')
      const s: Partial<Suppression> = {}
      if (entry.check !== undefined) s.check = checkId([...at, 'check'], entry.check)
      if (entry.symptom !== undefined) {
        const id = entry.symptom
        if (typeof id !== 'string' || !symptoms.has(id)) {
          fail(
            [...at, 'symptom'],
            typeof id === 'string'
              ? `names no known symptom: "${id}"`
              : `must be a symptom id such as "executor/stale-record", not ${describe(id)}`,
            typeof id === 'string' ? closest(id, [...symptoms]) : [],
          )
        }
        const declared = declaredOrHosted.some((t) => (id as string).startsWith(`${t.id}/`)) || !known.symptoms.has(id as string)
        // A declared symptom is recognised in the target's logs: daemon-log-errors reports it; a
        // declared target's generic symptom, the generic check it belongs to.
        const slug = (id as string).slice((id as string).indexOf('/') + 1) as GenericSymptom
        const reportedBy = declared ? [GENERIC_SYMPTOMS.includes(slug) ? genericSymptomCheck(slug) : 'daemon-log-errors'] : null
        // A host's own check may report its target's symptoms too.
        if (s.check && !reportedBy?.includes(s.check) && !known.checks.get(s.check)!.includes(id as string))
          fail([...at, 'symptom'], `"${id as string}" is not reported by check "${s.check}"`)
        s.symptom = id as string
      }
      if (entry.target !== undefined) {
        if (typeof entry.target !== 'string' || !targetIds.includes(entry.target))
          fail(
            [...at, 'target'],
            `must be one of ${targetIds.join(', ')}, not ${describe(entry.target)}`,
            typeof entry.target === 'string' ? closest(entry.target, targetIds) : [],
          )
        s.target = entry.target as TargetId
      }
      if (entry.reason === undefined)
        fail([...at, 'reason'], 'is required: say why this is accepted for now (it is shown wherever the result is)')
      if (typeof entry.reason !== 'string' || entry.reason.trim() === '')
        fail([...at, 'reason'], `must be a non-empty sentence saying why, not ${describe(entry.reason)}`)
      s.reason = (entry.reason as string).trim()
      if (entry.expires === undefined)
        fail([...at, 'expires'], 'is required: a date such as "2030-01-31" after which the suppression fails the run')
      const expiresAtMs = typeof entry.expires === 'string' ? parseExpiry(entry.expires) : null
      if (expiresAtMs === null)
        fail([...at, 'expires'], `must be a date "YYYY-MM-DD" or an ISO date-time with a zone, not ${describe(entry.expires)}`)
      s.expires = entry.expires as string
      s.expiresAtMs = expiresAtMs!
      suppress.push(s as Suppression)
    })
  }
  return {skip, ...(skipTargets.length > 0 ? {skipTargets} : {}), suppress, timeouts, watchPorts, targets}
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
