/**
 * `--set <target>.<key>=<value>`: point any target elsewhere from the command line, built-in or
 * declared (issue 14 §1). Values are validated by the same rules as doctor.config.json; paths
 * expand `~`, `${VAR}` and `${VAR:-default}` and are relative to the working directory, as any
 * path on a command line is. The per-target flags (`--executor-data-dir`, …) keep working and
 * mean the same as their `--set` form; giving both with different values is a usage error.
 */
import type {TargetOverrides} from '../context.js'
import {UsageError} from '../engine/doctor.js'
import {parseDuration} from '../duration.js'
import type {TargetProfile} from '../targets/profile.js'
import {TARGET_IDS, type BuiltinTargetId, type TargetId} from '../types.js'
import {expandPath, PathProblem, type ExpandContext} from './paths.js'
import {closest, Invalid, mode, port, size, text, type JsonPath} from './rules.js'

type Parse<T> = (value: string, expand: ExpandContext) => T

const path: Parse<string> = (value, expand) => {
  try {
    return expandPath(value, expand)
  } catch (error) {
    if (error instanceof PathProblem) throw new Invalid([], `the path ${JSON.stringify(value)} ${error.message}`)
    throw error
  }
}
const portNumber: Parse<number> = (value) => port(/^\d+$/.test(value) ? Number(value) : value, [])
const list =
  <T>(item: Parse<T>): Parse<T[]> =>
  (value, expand) => {
    const items = value.split(',').map((v) => v.trim())
    if (items.some((v) => v === ''))
      throw new Invalid([], `must be a comma-separated list without empty items, not ${JSON.stringify(value)}`)
    return items.map((v) => item(v, expand))
  }
const bool: Parse<boolean> = (value) => {
  if (value !== 'true' && value !== 'false') throw new Invalid([], `must be true or false, not ${JSON.stringify(value)}`)
  return value === 'true'
}
const duration: Parse<number> = (value) => {
  const ms = parseDuration(value)
  if (ms === null) throw new Invalid([], `must be a duration such as "2s" or "500ms", not ${JSON.stringify(value)}`)
  return ms
}
const at: JsonPath = []

/** What `--set` can change on a built-in target: the same overrides as its own flags. */
const BUILTIN_KEYS: Record<
  BuiltinTargetId,
  Record<string, {flag: string; apply: (o: TargetOverrides, value: string, expand: ExpandContext) => void}>
> = {
  executor: {
    dataDir: {flag: '--executor-data-dir', apply: (o, v, e) => (o.dataDir = path(v, e))},
    port: {flag: '--executor-port', apply: (o, v, e) => (o.port = portNumber(v, e))},
    checkout: {flag: '--executor-checkout', apply: (o, v, e) => (o.checkout = path(v, e))},
  },
  runwisp: {
    dataDir: {flag: '--runwisp-data-dir', apply: (o, v, e) => (o.dataDir = path(v, e))},
    config: {flag: '--runwisp-config', apply: (o, v, e) => (o.config = path(v, e))},
    port: {flag: '--runwisp-port', apply: (o, v, e) => (o.port = portNumber(v, e))},
  },
}

/** What `--set` can change on a declared target: the facts that say where it is (docs/targets.md). */
const DECLARED_KEYS: Record<string, (p: TargetProfile, value: string, expand: ExpandContext) => void> = {
  name: (p, v) => (p.name = text(v, at, 'a non-empty name').trim()),
  dataDir: (p, v, e) => (p.dataDir = {...p.dataDir, path: path(v, e)}),
  'dataDir.mode': (p, v) => (needs(p.dataDir, p, 'dataDir').mode = mode(v, at)),
  'dataDir.owner': (p, v) => {
    if (!/^(?:[a-z_][a-z0-9_-]*\$?|\d+)$/.test(v)) throw new Invalid([], `must be a user name or a numeric uid, not ${JSON.stringify(v)}`)
    needs(p.dataDir, p, 'dataDir').owner = v
  },
  'dataDir.minFree': (p, v) => (needs(p.dataDir, p, 'dataDir').minFree = size(v, at)),
  pidFile: (p, v, e) => (p.pidFile = {...p.pidFile, path: path(v, e)}),
  'pidFile.locked': (p, v, e) => (needs(p.pidFile, p, 'pidFile').locked = bool(v, e)),
  ports: (p, v, e) => {
    const ports = [...new Set(list(portNumber)(v, e))]
    // The health port stays among the ports, as when the config declares it.
    if (p.health && !ports.includes(p.health.port)) ports.push(p.health.port)
    p.ports = ports
  },
  'health.port': (p, v, e) => {
    const health = needs(p.health, p, 'health')
    const next = portNumber(v, e)
    p.ports = [...new Set(p.ports.map((q) => (q === health.port ? next : q)).concat(next))]
    health.port = next
  },
  'health.timeout': (p, v, e) => (needs(p.health, p, 'health').timeoutMs = duration(v, e)),
  logs: (p, v, e) => (p.logs = list(path)(v, e)),
  configs: (p, v, e) => (p.configs = list(path)(v, e)),
}

function needs<T>(value: T | undefined, profile: TargetProfile, key: string): T {
  if (value === undefined)
    throw new Invalid(
      [],
      `cannot be set: ${profile.id} declares no "${key}" (set ${profile.id}.${key} first, or declare it in ${profile.source.configPath})`,
    )
  return value
}

export interface SetResult {
  /** Overrides of the built-in targets, merged with their own flags'. */
  targetOptions: Partial<Record<TargetId, TargetOverrides>>
  /** The declared profiles with the settings applied (copies; the config's are left as loaded). */
  profiles: TargetProfile[]
  /** The ids of the declared profiles a value changed: only those need a new definition. */
  changed: TargetId[]
}

/**
 * Applies `--set` values in order, to the built-ins and to every declared profile given: the
 * config's and a host's (`defineTarget`), which are the same kind of declaration. Throws UsageError (exit 2) naming the flag for an unknown
 * target or key, a malformed assignment or a value the config would refuse.
 */
export function applySetFlags(
  values: readonly string[],
  init: {profiles: readonly TargetProfile[]; targetOptions?: Partial<Record<TargetId, TargetOverrides>>; expand: ExpandContext},
): SetResult {
  const profiles = init.profiles.map((p) => structuredClone(p))
  const fromFlags = init.targetOptions ?? {}
  const targetOptions: Partial<Record<TargetId, TargetOverrides>> = Object.fromEntries(
    Object.entries(fromFlags).map(([id, o]) => [id, {...o}]),
  )
  const known = [...TARGET_IDS, ...profiles.map((p) => p.id)]
  const changed: TargetId[] = []
  for (const raw of values) {
    const shown = `--set "${raw}"`
    const m = /^([^.=\s]+)\.([^=\s]+)=(.*)$/s.exec(raw)
    if (!m)
      throw new UsageError(`${shown} is not <target>.<key>=<value>`, ['for example --set kv.dataDir=/srv/kv or --set executor.port=4790'])
    const [, id, key, value] = m as unknown as [string, string, string, string]
    const builtin = (TARGET_IDS as readonly string[]).includes(id) ? BUILTIN_KEYS[id as BuiltinTargetId] : null
    const profile = profiles.find((p) => p.id === id)
    if (!builtin && !profile) {
      throw new UsageError(`${shown} names no target "${id}"`, [
        ...closest(id, known),
        `known targets: ${known.join(', ')}${profiles.length === 0 ? ' (declare others in doctor.config.json `targets`, docs/targets.md)' : ''}`,
      ])
    }
    const keys = builtin ? Object.keys(builtin) : Object.keys(DECLARED_KEYS)
    if (!keys.includes(key))
      throw new UsageError(`${shown}: "${key}" is not a key --set knows for ${id}`, [
        ...closest(key, keys),
        `keys for ${id}: ${keys.join(', ')}`,
      ])
    try {
      if (builtin) {
        const overrides: TargetOverrides = {}
        builtin[key]!.apply(overrides, value, init.expand)
        const current = (targetOptions[id as TargetId] ??= {})
        const field = Object.keys(overrides)[0] as keyof TargetOverrides
        const given = fromFlags[id as TargetId]?.[field]
        if (given !== undefined && given !== overrides[field] && String(given) !== value) {
          throw new UsageError(`${shown} contradicts ${builtin[key]!.flag} ${String(given)}`, ['give one of them'])
        }
        Object.assign(current, overrides)
      } else {
        DECLARED_KEYS[key]!(profile!, value, init.expand)
        if (!changed.includes(profile!.id)) changed.push(profile!.id)
      }
    } catch (error) {
      if (error instanceof Invalid) throw new UsageError(`${shown}: ${id}.${key} ${error.problem}`, error.suggestions)
      throw error
    }
  }
  return {targetOptions, profiles, changed}
}
