/**
 * Parsers for Executor's state files, with the same acceptance rules as Executor itself
 * (executor-facts §2.1, §2.2, §2.4). Each returns a reason on rejection, so a finding can say
 * exactly what is wrong with the file instead of "invalid".
 */
import {jsonSyntaxProblem} from '../../config/json-position.js'

export type Parsed<T> = {ok: true; value: T} | {ok: false; reason: string}

export interface ServerManifest {
  version: 1
  kind: 'cli-daemon' | 'desktop-sidecar' | 'foreground'
  pid: number
  startedAt: string
  dataDir: string
  scopeDir: string | null
  connection: {origin: string; auth?: {kind: string; token?: string}}
  owner: {client: string; version: string | null; executablePath: string | null}
}

export interface DaemonRecord {
  version: 1
  hostname: string
  port: number
  pid: number
  startedAt: string
  scopeDir: string | null
  scopeId?: string
}

export interface StartLock {
  pid: number
  startedAt: string | null
}

const MANIFEST_KINDS = ['cli-daemon', 'desktop-sidecar', 'foreground'] as const

type Json = Record<string, unknown>

function parseJson(text: string): Parsed<unknown> {
  if (text.trim() === '') return {ok: false, reason: 'the file is empty'}
  try {
    return {ok: true, value: JSON.parse(text) as unknown}
  } catch {
    // Node quotes the offending input in its message (an unquoted token, garbage bytes): the
    // position alone is said.
    return {ok: false, reason: `not valid JSON (${jsonSyntaxProblem(text)}); it may have been truncated by a crash or a full disk`}
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export function describePid(pid: unknown): string | null {
  if (typeof pid !== 'number') return `"pid" is ${pid === undefined ? 'missing' : `a ${typeof pid}, not a number`}`
  if (!Number.isInteger(pid)) return `"pid" is ${pid}, not an integer`
  if (pid <= 0) return `"pid" is ${pid}; a pid must be a positive integer`
  if (pid > 4_194_304) return `"pid" is ${pid}, beyond any pid the kernel hands out (max 4194304)`
  return null
}

/** executor-facts §2.1: origin normalisation (trim, drop trailing "/", add http://, "/api" → "/"). */
export function normalizeOrigin(raw: string): string | null {
  let text = raw.trim().replace(/\/+$/, '')
  if (text === '') return null
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`
  try {
    const url = new URL(text)
    return url.origin === 'null' ? null : url.origin
  } catch {
    return null
  }
}

/** Mirrors `parseExecutorLocalServerManifest`: anything it would reject (and so ignore) is rejected here, with why. */
export function parseManifest(text: string): Parsed<ServerManifest> {
  const json = parseJson(text)
  if (!json.ok) return json
  const m = json.value
  if (!isObject(m)) return {ok: false, reason: 'the top level is not a JSON object'}
  if (m.version !== 1) return {ok: false, reason: `"version" is ${JSON.stringify(m.version)}; only version 1 is known`}
  if (!MANIFEST_KINDS.includes(m.kind as never))
    return {ok: false, reason: `"kind" is ${JSON.stringify(m.kind)}; expected one of ${MANIFEST_KINDS.join(', ')}`}
  const pidProblem = describePid(m.pid)
  if (pidProblem) return {ok: false, reason: pidProblem}
  if (typeof m.startedAt !== 'string') return {ok: false, reason: '"startedAt" is missing or not a string'}
  if (typeof m.dataDir !== 'string') return {ok: false, reason: '"dataDir" is missing or not a string'}
  if (m.scopeDir !== null && typeof m.scopeDir !== 'string') return {ok: false, reason: '"scopeDir" must be a string or null'}
  if (!isObject(m.connection)) return {ok: false, reason: '"connection" is missing or not an object'}
  if (typeof m.connection.origin !== 'string') return {ok: false, reason: '"connection.origin" is missing or not a string'}
  const origin = normalizeOrigin(m.connection.origin)
  if (!origin) return {ok: false, reason: `"connection.origin" ${JSON.stringify(m.connection.origin)} is not a URL`}
  if (!isObject(m.owner)) return {ok: false, reason: '"owner" is missing or not an object'}
  const owner = m.owner
  if (owner.version !== null && typeof owner.version !== 'string') return {ok: false, reason: '"owner.version" must be a string or null'}
  if (owner.executablePath !== null && typeof owner.executablePath !== 'string')
    return {ok: false, reason: '"owner.executablePath" must be a string or null'}
  const auth = isObject(m.connection.auth) ? (m.connection.auth as {kind: string; token?: string}) : undefined
  return {
    ok: true,
    value: {
      version: 1,
      kind: m.kind as ServerManifest['kind'],
      pid: m.pid as number,
      startedAt: m.startedAt,
      dataDir: m.dataDir,
      scopeDir: (m.scopeDir as string | null) ?? null,
      connection: {origin, ...(auth ? {auth} : {})},
      owner: {
        client: String(owner.client ?? ''),
        version: (owner.version as string | null) ?? null,
        executablePath: (owner.executablePath as string | null) ?? null,
      },
    },
  }
}

/** §2.4: the parser requires version 1 and the exact field types, else the CLI ignores the file. */
export function parseRecord(text: string): Parsed<DaemonRecord> {
  const json = parseJson(text)
  if (!json.ok) return json
  const r = json.value
  if (!isObject(r)) return {ok: false, reason: 'the top level is not a JSON object'}
  if (r.version !== 1) return {ok: false, reason: `"version" is ${JSON.stringify(r.version)}; only version 1 is known`}
  const pidProblem = describePid(r.pid)
  if (pidProblem) return {ok: false, reason: pidProblem}
  if (typeof r.hostname !== 'string') return {ok: false, reason: '"hostname" is missing or not a string'}
  if (typeof r.port !== 'number' || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535)
    return {ok: false, reason: `"port" ${JSON.stringify(r.port)} is not a TCP port`}
  if (typeof r.startedAt !== 'string') return {ok: false, reason: '"startedAt" is missing or not a string'}
  return {
    ok: true,
    value: {
      version: 1,
      hostname: r.hostname,
      port: r.port,
      pid: r.pid as number,
      startedAt: r.startedAt,
      scopeDir: (r.scopeDir as string | null) ?? null,
      ...(typeof r.scopeId === 'string' ? {scopeId: r.scopeId} : {}),
    },
  }
}

/** §2.2: start locks embed `{pid, …, startedAt}`; the CLI treats an unparseable pid as a live holder. */
export function parseStartLock(text: string): Parsed<StartLock> {
  const json = parseJson(text)
  if (!json.ok) return json
  const l = json.value
  if (!isObject(l)) return {ok: false, reason: 'the top level is not a JSON object'}
  const pidProblem = describePid(l.pid)
  if (pidProblem) return {ok: false, reason: pidProblem}
  return {ok: true, value: {pid: l.pid as number, startedAt: typeof l.startedAt === 'string' ? l.startedAt : null}}
}

/** Compares dotted versions numerically; missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .replace(/^v/, '')
    .split(/[.-]/)
    .map((x) => parseInt(x, 10) || 0)
  const pb = b
    .replace(/^v/, '')
    .split(/[.-]/)
    .map((x) => parseInt(x, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}
