/**
 * Executor configuration as the CLI reads it: the bearer file, the profiles file, where an
 * environment variable was exported from. Secrets are only ever compared and fingerprinted here:
 * nothing returned carries a token's value.
 */
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import type {CheckContext} from '../../context.js'
import {jsonSyntaxProblem} from '../../config/json-position.js'
import {normalizeOrigin, type ServerManifest} from './formats.js'

/** First 8 hex of sha256: tells two tokens apart in a report without revealing either. */
export const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 8)

export type BearerFile =
  | {kind: 'missing'}
  | {kind: 'symlink'}
  | {kind: 'unreadable'; reason: string}
  | {kind: 'invalid'; reason: string}
  | {kind: 'ok'; token: string; mtimeMs: number}

/** §2.3 read rule: `typeof parsed.token === "string" && parsed.token.length > 0`, else a new token is minted. */
export async function readBearer(ctx: CheckContext, path: string): Promise<BearerFile> {
  const read = await ctx.files.read(path, 64 * 1024)
  if (!read.ok) {
    if (read.code === 'ENOENT') return {kind: 'missing'}
    if (read.code === 'ELOOP') return {kind: 'symlink'}
    if (read.code === 'TOO_LARGE') return {kind: 'invalid', reason: 'it is far larger than a token file (over 64 KB)'}
    if (read.code === 'NOT_FILE' || read.code === 'EISDIR') return {kind: 'invalid', reason: 'it is not a regular file'}
    return {kind: 'unreadable', reason: `${read.code}: ${read.message}`}
  }
  if (read.text.trim() === '') return {kind: 'invalid', reason: 'the file is empty'}
  let json: unknown
  try {
    json = JSON.parse(read.text)
  } catch {
    return {kind: 'invalid', reason: 'it is not valid JSON (truncated or hand-edited)'}
  }
  const token = (json as {token?: unknown} | null)?.token
  if (typeof token !== 'string')
    return {
      kind: 'invalid',
      reason: `"token" is ${token === undefined ? 'missing' : `a ${token === null ? 'null' : typeof token}, not a string`}`,
    }
  if (token.length === 0) return {kind: 'invalid', reason: '"token" is an empty string'}
  return {kind: 'ok', token, mtimeMs: read.stat.mtimeMs}
}

/** The bearer token embedded in a manifest (current generation only; 1.5.9 has none). */
export function manifestToken(manifest: ServerManifest): string | null {
  const auth = manifest.connection.auth
  return auth?.kind === 'bearer' && typeof auth.token === 'string' && auth.token.length > 0 ? auth.token : null
}

export interface Profile {
  name: string
  origin: string | null
  /** `bearer`, `basic`, `oauth`, or null when no credential is stored. */
  authKind: string | null
}

export interface Connections {
  defaultProfile: string | null
  profiles: Profile[]
}

/** `server-connections.json` (§2.4). */
export function parseConnections(text: string): {ok: true; value: Connections} | {ok: false; reason: string} {
  if (text.trim() === '') return {ok: false, reason: 'the file is empty'}
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return {ok: false, reason: `not valid JSON (${jsonSyntaxProblem(text)})`}
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {ok: false, reason: 'the top level is not a JSON object'}
  const c = json as {defaultProfile?: unknown; profiles?: unknown}
  if (c.defaultProfile !== undefined && c.defaultProfile !== null && typeof c.defaultProfile !== 'string')
    return {ok: false, reason: '"defaultProfile" must be a string or null'}
  if (c.profiles !== undefined && !Array.isArray(c.profiles)) return {ok: false, reason: '"profiles" is not an array'}
  const profiles = ((c.profiles ?? []) as unknown[]).flatMap((p): Profile[] => {
    if (typeof p !== 'object' || p === null) return []
    const entry = p as {name?: unknown; connection?: {origin?: unknown; auth?: {kind?: unknown}}}
    if (typeof entry.name !== 'string') return []
    const origin = typeof entry.connection?.origin === 'string' ? normalizeOrigin(entry.connection.origin) : null
    const authKind =
      entry.connection?.auth && typeof entry.connection.auth === 'object' ? String(entry.connection.auth.kind ?? 'unknown') : null
    return [{name: entry.name, origin, authKind}]
  })
  return {ok: true, value: {defaultProfile: (c.defaultProfile as string | null | undefined) ?? null, profiles}}
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK.has(new URL(origin).hostname)
  } catch {
    return false
  }
}

/** Same server: equal origins, or loopback aliases on the same port and scheme. */
export function sameServer(a: string, b: string): boolean {
  if (a === b) return true
  try {
    const ua = new URL(a)
    const ub = new URL(b)
    return ua.protocol === ub.protocol && ua.port === ub.port && LOOPBACK.has(ua.hostname) && LOOPBACK.has(ub.hostname)
  } catch {
    return false
  }
}

/** Shell startup files that commonly export variables, relative to home (and the project's env files). */
const RC_FILES = ['.bashrc', '.bash_profile', '.profile', '.zshrc', '.zshenv', '.zprofile', '.config/fish/config.fish', '.pam_environment']

export interface EnvSource {
  /** "exported in ~/.zshrc line 12", or "set in the environment doctor runs in". */
  text: string
  /** File and line that assigns it, when one does. */
  file: string | null
}

/**
 * Where a variable comes from: the environment always; plus the first startup file that assigns it.
 * Only the variable name is searched for; the assigned value is never read into the report.
 */
export async function envSource(ctx: CheckContext, variable: string): Promise<EnvSource> {
  const files = [...RC_FILES.map((f) => join(ctx.home, f)), join(ctx.cwd, '.env'), join(ctx.cwd, '.envrc')]
  const assign = new RegExp(`^\\s*(?:export\\s+|set\\s+-gx\\s+|setenv\\s+)?${variable}(?:=|\\s)`)
  for (const file of files) {
    const read = await ctx.files.read(file, 1024 * 1024)
    if (!read.ok) continue
    const lines = read.text.split(/\r?\n/)
    const index = lines.findIndex((line) => assign.test(line))
    if (index >= 0) {
      const shown = file.startsWith(`${ctx.home}/`) ? `~/${file.slice(ctx.home.length + 1)}` : file
      return {text: `exported in the environment; assigned in ${shown} line ${index + 1}`, file: `${shown}:${index + 1}`}
    }
  }
  return {text: 'exported in the environment doctor runs in (no shell startup file assigns it)', file: null}
}

/** A URL with any user:password@ part masked, for messages. */
export function displayUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@')
}
