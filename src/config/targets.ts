/**
 * `targets` in doctor.config.json: daemons declared as data (issue 14 §2, docs/targets.md). Each
 * entry is validated field by field against the rules below and comes out as a `TargetProfile`
 * with absolute paths, numeric modes and sizes, and compiled regexes.
 */
import {isBuiltinTargetId, TARGET_ID_MAX_LENGTH, TARGET_IDS, isTargetId, type TargetId} from '../types.js'
import type {
  DataDirSpec,
  DeclaredSymptom,
  DetectHints,
  HealthProbe,
  PidFileSpec,
  ProcessIdentity,
  SecretFileSpec,
  ServedByRule,
  TargetProfile,
} from '../targets/profile.js'
import {parseDuration} from '../duration.js'
import {expandPath, PathProblem, type ExpandContext} from './paths.js'
import {arrayOf, closest, describe, fail, mode, objectWith, port, regex, size, text, type JsonPath} from './rules.js'
import {GENERIC_SYMPTOMS} from '../targets/declared/symptoms.js'

export const TARGET_FIELDS = [
  'id',
  'name',
  'process',
  'ports',
  'health',
  'pidFile',
  'dataDir',
  'secrets',
  'env',
  'configs',
  'logs',
  'symptoms',
  'detect',
] as const
const PROCESS_FIELDS = ['names', 'executables']
const HEALTH_FIELDS = ['port', 'timeout', 'http', 'tcp']
const HTTP_FIELDS = ['path', 'status', 'body']
const TCP_FIELDS = ['send', 'expect', 'aliveToo']
const PID_FILE_FIELDS = ['path', 'locked']
const DATA_DIR_FIELDS = ['path', 'mode', 'owner', 'minFree', 'servedBy']
const SERVED_BY_FIELDS = ['flag', 'env']
const SECRET_FIELDS = ['path', 'mode', 'values']
const SYMPTOM_FIELDS = ['id', 'title', 'patterns', 'severity', 'cause', 'fix']
const FIX_FIELDS = ['summary', 'commands']
const DETECT_FIELDS = ['paths', 'env']

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const SLUG = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
/** A user name as useradd accepts it (with Samba's trailing `$`), or a numeric uid. */
const OWNER = /^(?:[a-z_][a-z0-9_-]*\$?|\d+)$/

/** Validates `targets` (already known to be present). `path` is `['targets']`. */
export function parseTargets(value: unknown, path: JsonPath, ctx: ExpandContext & {configPath: string}): TargetProfile[] {
  if (!Array.isArray(value))
    fail(path, `must be an array of target declarations ({"id": "kv", …}; see docs/targets.md), not ${describe(value)}`)
  const seen = new Map<string, number>()
  return value.map((entry, i) => {
    const profile = parseTarget(entry, [...path, i], ctx)
    const first = seen.get(profile.id)
    if (first !== undefined)
      fail([...path, i, 'id'], `"${profile.id}" is declared twice (first as targets[${first}]); a target id is unique`)
    seen.set(profile.id, i)
    return profile
  })
}

function parseTarget(value: unknown, at: JsonPath, ctx: ExpandContext & {configPath: string}): TargetProfile {
  const raw = objectWith(value, at, TARGET_FIELDS, 'a target declaration {"id", "name", …} (docs/targets.md)')
  const id = targetId(raw.id, [...at, 'id'])
  const pathOf = (v: unknown, p: JsonPath) => expanded(v, p, ctx)
  const paths = (v: unknown, p: JsonPath, what: string) => (v === undefined ? [] : unique(arrayOf(v, p, what, pathOf), p, 'path'))
  const health = raw.health === undefined ? undefined : healthProbe(raw.health, [...at, 'health'])
  const ports = raw.ports === undefined ? [] : unique(arrayOf(raw.ports, [...at, 'ports'], 'port numbers', port), [...at, 'ports'], 'port')
  // The health port is one of the target's ports whether or not `ports` repeats it: port-squatter watches it too.
  if (health && !ports.includes(health.port)) ports.push(health.port)
  const profile: TargetProfile = {
    id,
    name: raw.name === undefined ? id : text(raw.name, [...at, 'name'], 'the name shown in reports (a non-empty string)').trim(),
    ports,
    secrets:
      raw.secrets === undefined
        ? []
        : arrayOf(raw.secrets, [...at, 'secrets'], 'secret files (a path, or {"path", "mode", "values"})', (v, p) =>
            secretFile(v, p, pathOf),
          ),
    env:
      raw.env === undefined
        ? []
        : unique(arrayOf(raw.env, [...at, 'env'], 'environment variable names', envName), [...at, 'env'], 'variable'),
    configs: paths(raw.configs, [...at, 'configs'], 'config file paths'),
    logs: paths(raw.logs, [...at, 'logs'], 'log file paths'),
    symptoms: raw.symptoms === undefined ? [] : symptoms(raw.symptoms, [...at, 'symptoms'], id),
    source: {configPath: ctx.configPath},
  }
  if (raw.process !== undefined) profile.process = processIdentity(raw.process, [...at, 'process'], pathOf)
  if (health) profile.health = health
  if (raw.pidFile !== undefined) profile.pidFile = pidFile(raw.pidFile, [...at, 'pidFile'], pathOf)
  if (raw.dataDir !== undefined) profile.dataDir = dataDir(raw.dataDir, [...at, 'dataDir'], pathOf)
  if (raw.detect !== undefined) profile.detect = detectHints(raw.detect, [...at, 'detect'], pathOf)
  return profile
}

function targetId(value: unknown, path: JsonPath): TargetId {
  if (value === undefined) fail(path.slice(0, -1), 'needs an "id": the kebab-case name the target is known by ("kv", "nginx")')
  if (typeof value !== 'string') fail(path, `must be a kebab-case id such as "kv", not ${describe(value)}`)
  if (isBuiltinTargetId(value))
    fail(
      path,
      `"${value}" is a built-in target; a declared target needs an id of its own (built-ins: ${TARGET_IDS.join(', ')}; point a built-in elsewhere with --set ${value}.dataDir=…)`,
    )
  if (!isTargetId(value)) {
    const suggestion = value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^[^a-z]+|-+$/g, '')
    fail(
      path,
      `must be kebab-case (lower-case letters and digits in words joined by "-", starting with a letter, at most ${TARGET_ID_MAX_LENGTH} characters), not "${value}"`,
      isTargetId(suggestion) ? [`did you mean "${suggestion}"?`] : [],
    )
  }
  return value
}

function expanded(value: unknown, path: JsonPath, ctx: ExpandContext): string {
  if (typeof value !== 'string')
    fail(path, `must be a path (a string; "~", \${VAR} and paths relative to the config file are expanded), not ${describe(value)}`)
  try {
    return expandPath(value, ctx)
  } catch (error) {
    if (error instanceof PathProblem) fail(path, `${JSON.stringify(value)} ${error.message}`)
    throw error
  }
}

function unique<T>(values: T[], path: JsonPath, what: string): T[] {
  values.forEach((v, i) => {
    const first = values.indexOf(v)
    if (first !== i) fail([...path, i], `repeats the ${what} ${JSON.stringify(v)} (already at [${first}])`)
  })
  return values
}

function envName(value: unknown, path: JsonPath): string {
  if (typeof value !== 'string' || !ENV_NAME.test(value))
    fail(path, `must be an environment variable name (letters, digits and _, not starting with a digit), not ${describe(value)}`)
  return value
}

function processIdentity(value: unknown, at: JsonPath, pathOf: (v: unknown, p: JsonPath) => string): ProcessIdentity {
  const raw = objectWith(value, at, PROCESS_FIELDS, 'an object {"names": [...], "executables": [...]}')
  const names =
    raw.names === undefined
      ? []
      : arrayOf(raw.names, [...at, 'names'], 'process names', (v, p) => {
          const name = text(v, p, 'a process name (as in /proc/<pid>/comm or argv[0])')
          if (name.includes('/')) fail(p, `is a path; a process name has no "/" (put paths in "executables"): ${JSON.stringify(name)}`)
          return name
        })
  // A bare name matches the executable's basename; anything with a "/" is a path, expanded like the others.
  const executables =
    raw.executables === undefined
      ? []
      : arrayOf(raw.executables, [...at, 'executables'], 'executable paths or names', (v, p) =>
          typeof v === 'string' && !v.includes('/') && !v.startsWith('~') && !v.includes('${') ? text(v, p) : pathOf(v, p),
        )
  if (names.length === 0 && executables.length === 0)
    fail(at, 'must list at least one process name ("names") or executable ("executables")')
  return {names, executables}
}

function healthProbe(value: unknown, at: JsonPath): HealthProbe {
  const raw = objectWith(value, at, HEALTH_FIELDS, 'an object {"port", "http": {…}} or {"port", "tcp": {…}}')
  if (raw.port === undefined) fail(at, 'needs a "port": the port the probe connects to')
  const common: {port: number; timeoutMs?: number} = {port: port(raw.port, [...at, 'port'])}
  if (raw.timeout !== undefined) {
    const ms =
      typeof raw.timeout === 'number'
        ? Number.isInteger(raw.timeout) && raw.timeout > 0
          ? raw.timeout
          : null
        : typeof raw.timeout === 'string'
          ? parseDuration(raw.timeout)
          : null
    if (ms === null)
      fail([...at, 'timeout'], `must be a positive duration ("2s", "500ms") or a whole number of ms, not ${describe(raw.timeout)}`)
    common.timeoutMs = ms
  }
  if (raw.http !== undefined && raw.tcp !== undefined) fail(at, 'has both "http" and "tcp"; a health probe is one of them')
  if (raw.http !== undefined) {
    const http = objectWith(raw.http, [...at, 'http'], HTTP_FIELDS, 'an object {"path", "status", "body"}')
    const path = http.path === undefined ? '/' : text(http.path, [...at, 'http', 'path'], 'a request path starting with "/"')
    if (!path.startsWith('/') || /\s/.test(path))
      fail([...at, 'http', 'path'], `must be a request path starting with "/" and without spaces, not ${JSON.stringify(path)}`)
    const status = http.status === undefined ? 200 : http.status
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
      fail([...at, 'http', 'status'], `must be an HTTP status from 100 to 599, not ${describe(status)}`)
    return {...common, kind: 'http', path, status, ...(http.body === undefined ? {} : {body: regex(http.body, [...at, 'http', 'body'])})}
  }
  if (raw.tcp !== undefined) {
    const tcp = objectWith(raw.tcp, [...at, 'tcp'], TCP_FIELDS, 'an object {"send", "expect", "aliveToo"} ({} to only connect)')
    const probe: HealthProbe = {...common, kind: 'tcp'}
    if (tcp.send !== undefined) {
      if (typeof tcp.send !== 'string' || tcp.send === '')
        fail([...at, 'tcp', 'send'], `must be the text to send (such as "PING\\r\\n"), not ${describe(tcp.send)}`)
      probe.send = tcp.send
    }
    if (tcp.expect !== undefined) probe.expect = regex(tcp.expect, [...at, 'tcp', 'expect'])
    if (tcp.aliveToo !== undefined) {
      if (tcp.expect === undefined)
        fail([...at, 'tcp', 'aliveToo'], 'needs "expect": it lists answers that are not the expected one but still prove the daemon alive')
      probe.aliveToo = arrayOf(tcp.aliveToo, [...at, 'tcp', 'aliveToo'], 'regular expressions', (v, p) => regex(v, p))
    }
    return probe
  }
  return fail(at, 'must say how to probe: "http": {"path", "status", "body"} or "tcp": {"send", "expect"} ({} to only connect)', [])
}

function pidFile(value: unknown, at: JsonPath, pathOf: (v: unknown, p: JsonPath) => string): PidFileSpec {
  if (typeof value === 'string') return {path: pathOf(value, at)}
  const raw = objectWith(value, at, PID_FILE_FIELDS, 'a path, or an object {"path", "locked"}')
  if (raw.path === undefined) fail(at, 'needs a "path"')
  const spec: PidFileSpec = {path: pathOf(raw.path, [...at, 'path'])}
  if (raw.locked !== undefined) {
    if (typeof raw.locked !== 'boolean')
      fail([...at, 'locked'], `must be true or false (whether the live daemon holds a lock on the file), not ${describe(raw.locked)}`)
    spec.locked = raw.locked
  }
  return spec
}

function dataDir(value: unknown, at: JsonPath, pathOf: (v: unknown, p: JsonPath) => string): DataDirSpec {
  if (typeof value === 'string') return {path: pathOf(value, at)}
  const raw = objectWith(value, at, DATA_DIR_FIELDS, 'a path, or an object {"path", "mode", "owner", "minFree", "servedBy"}')
  if (raw.path === undefined) fail(at, 'needs a "path"')
  const spec: DataDirSpec = {path: pathOf(raw.path, [...at, 'path'])}
  if (raw.mode !== undefined) spec.mode = mode(raw.mode, [...at, 'mode'])
  if (raw.owner !== undefined) {
    if (typeof raw.owner !== 'string' || !OWNER.test(raw.owner))
      fail([...at, 'owner'], `must be a user name or a numeric uid, not ${describe(raw.owner)}`)
    spec.owner = raw.owner
  }
  if (raw.minFree !== undefined) spec.minFree = size(raw.minFree, [...at, 'minFree'])
  if (raw.servedBy !== undefined) spec.servedBy = servedBy(raw.servedBy, [...at, 'servedBy'])
  return spec
}

const SERVED_BY = '"cwd", {"flag": "--dir"}, {"env": "KV_DATA"}, or a list of them tried in order'

/** `dataDir.servedBy`: how duplicate-daemon tells the data dir a running daemon serves (docs/targets.md). */
function servedBy(value: unknown, at: JsonPath): ServedByRule[] {
  if (!Array.isArray(value)) return [servedByRule(value, at)]
  if (value.length === 0) fail(at, `must name at least one rule (${SERVED_BY}), not an empty array`)
  const rules = value.map((v, i) => servedByRule(v, [...at, i]))
  const keys = rules.map((r) => JSON.stringify(r))
  keys.forEach((key, i) => {
    const first = keys.indexOf(key)
    // A repeated rule can never answer where its first copy did not: a typo for another rule.
    if (first !== i) fail([...at, i], `repeats the rule at [${first}]; each rule is tried once, in order`)
  })
  return rules
}

function servedByRule(value: unknown, at: JsonPath): ServedByRule {
  if (typeof value === 'string') {
    if (value === 'cwd') return {kind: 'cwd'}
    return fail(at, `must be ${SERVED_BY}, not ${describe(value)}`, closest(value, ['cwd']))
  }
  const raw = objectWith(value, at, SERVED_BY_FIELDS, `${SERVED_BY}`)
  if ((raw.flag === undefined) === (raw.env === undefined))
    fail(at, 'must have exactly one of "flag" (a command-line flag such as "--dir") or "env" (an environment variable name)')
  if (raw.env !== undefined) return {kind: 'env', env: envName(raw.env, [...at, 'env'])}
  const flag = raw.flag
  if (typeof flag !== 'string' || !/^--?[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(flag))
    fail(
      [...at, 'flag'],
      `must be a command-line flag such as "--dir" or "-d" (its value is the next argument or follows "="), not ${describe(flag)}`,
    )
  return {kind: 'flag', flag}
}

function secretFile(value: unknown, at: JsonPath, pathOf: (v: unknown, p: JsonPath) => string): SecretFileSpec {
  if (typeof value === 'string') return {path: pathOf(value, at)}
  const raw = objectWith(value, at, SECRET_FIELDS, 'a path, or an object {"path", "mode", "values"}')
  if (raw.path === undefined) fail(at, 'needs a "path"')
  const spec: SecretFileSpec = {path: pathOf(raw.path, [...at, 'path'])}
  if (raw.mode !== undefined) spec.mode = mode(raw.mode, [...at, 'mode'])
  if (raw.values !== undefined) {
    spec.values = arrayOf(raw.values, [...at, 'values'], 'regular expressions whose first group is a secret value', (v, p) =>
      regex(v, p, {groups: 1, searches: true}),
    )
    if (spec.values.length === 0) fail([...at, 'values'], 'is empty; leave "values" out for a file that is wholly secret (never copied)')
  }
  return spec
}

function symptoms(value: unknown, at: JsonPath, target: TargetId): DeclaredSymptom[] {
  const seen = new Map<string, number>()
  return arrayOf(value, at, 'symptoms ({"id", "title", "patterns", "cause", "fix"})', (entry, p) => {
    const raw = objectWith(entry, p, SYMPTOM_FIELDS, 'a symptom {"id", "title", "patterns", "cause", "fix"}')
    for (const key of ['id', 'title', 'patterns', 'cause', 'fix'] as const) if (raw[key] === undefined) fail(p, `needs "${key}"`)
    const id = text(raw.id, [...p, 'id'], `a symptom id "${target}/<slug>"`)
    const slug = id.startsWith(`${target}/`) ? id.slice(target.length + 1) : null
    if (slug === null)
      fail(
        [...p, 'id'],
        `must start with the target's id: "${target}/${id.includes('/') ? id.split('/').slice(1).join('/') : id}", not "${id}"`,
      )
    if (!SLUG.test(slug!)) fail([...p, 'id'], `must be "${target}/<slug>" with a kebab-case slug, not "${id}"`)
    if ((GENERIC_SYMPTOMS as readonly string[]).includes(slug!))
      fail(
        [...p, 'id'],
        `"${id}" is a symptom the generic checks report for every declared target (${GENERIC_SYMPTOMS.join(', ')}); give the target's own symptom another slug`,
      )
    const first = seen.get(id)
    if (first !== undefined) fail([...p, 'id'], `"${id}" is declared twice in this target (first as symptoms[${first}])`)
    seen.set(id, p[p.length - 1] as number)
    const patterns = arrayOf(raw.patterns, [...p, 'patterns'], 'regular expressions (what the daemon writes)', (v, q) =>
      regex(v, q, {searches: true}),
    )
    if (patterns.length === 0)
      fail([...p, 'patterns'], 'is empty: a symptom is recognised by at least one pattern of what the daemon writes')
    const severity = raw.severity === undefined ? 'fail' : raw.severity
    if (severity !== 'fail' && severity !== 'warn')
      fail(
        [...p, 'severity'],
        `must be "fail" or "warn", not ${describe(severity)}`,
        typeof severity === 'string' ? closest(severity, ['fail', 'warn']) : [],
      )
    const fix = objectWith(raw.fix, [...p, 'fix'], FIX_FIELDS, 'an object {"summary", "commands"}')
    if (fix.summary === undefined) fail([...p, 'fix'], 'needs "summary": what to do, in a sentence')
    return {
      id,
      title: text(raw.title, [...p, 'title']).trim(),
      patterns,
      severity,
      cause: text(raw.cause, [...p, 'cause']).trim(),
      fix: {
        summary: text(fix.summary, [...p, 'fix', 'summary']).trim(),
        commands:
          fix.commands === undefined
            ? []
            : arrayOf(fix.commands, [...p, 'fix', 'commands'], 'commands (strings)', (v, q) =>
                text(v, q, 'a command (a non-empty string)'),
              ),
      },
    }
  })
}

function detectHints(value: unknown, at: JsonPath, pathOf: (v: unknown, p: JsonPath) => string): DetectHints {
  const raw = objectWith(value, at, DETECT_FIELDS, 'an object {"paths", "env"}')
  return {
    paths: raw.paths === undefined ? [] : arrayOf(raw.paths, [...at, 'paths'], 'paths', pathOf),
    env: raw.env === undefined ? [] : arrayOf(raw.env, [...at, 'env'], 'environment variable names', envName),
  }
}
