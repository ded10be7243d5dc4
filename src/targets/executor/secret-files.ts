/**
 * Executor's files that can hold a secret (executor-facts §1.3, §1.4, §9.1 (4)), and whether each
 * holds one here. There are three different `auth.json` files; each is named by what it is:
 *
 * - `<dataDir>/server-control/auth.json`: the local bearer token. Always a secret.
 * - `<dataDir>/auth.json` (1.5.35, when EXECUTOR_DATA_DIR is set) and the XDG
 *   `executor/auth.json`: the file-secrets store (user secrets). Always a secret.
 * - `executor/auth.json.v1-v2-<nonce>`: the migration's transient backup of that store. A secret.
 *
 * server.json and server-connections.json are judged by content: a secret when they carry a
 * credential. 1.5.9 writes every file 0644 by design, but its server.json carries no credential
 * (its daemon has no auth) and its `daemon-active-*.json` pointer `token` is a random UUID that
 * only tells pointers apart — not a credential: any local process can call a 1.5.9 daemon anyway.
 * So no 1.5.9 file is a secret, and a 0644 1.5.9 data dir is not a finding.
 */
import {join} from 'node:path'
import type {CheckContext} from '../../context.js'
import {inOrder} from '../../probes/abort.js'
import type {ExecutorState} from './state.js'

export interface SecretCandidate {
  path: string
  /** What the file is, for messages ("the local bearer token"). */
  what: string
  /** `always`: secret by what it is; `content`: only when it carries a credential. */
  secret: 'always' | 'content'
}

export async function secretCandidates(ctx: CheckContext, state: ExecutorState): Promise<SecretCandidate[]> {
  const xdgData = ctx.env.XDG_DATA_HOME || join(ctx.env.HOME || ctx.home, '.local', 'share')
  const fileSecretsDir = join(xdgData, 'executor')
  const out: SecretCandidate[] = [
    {path: state.paths.bearer, what: 'the local bearer token, server-control/auth.json', secret: 'always'},
    {path: state.paths.manifest, what: 'the server manifest, which embeds the bearer token', secret: 'content'},
    {path: state.paths.connections, what: 'server profiles, which can hold basic passwords, bearer and OAuth tokens', secret: 'content'},
    {path: join(state.dataDir, 'auth.json'), what: 'the file-secrets store under the data dir (1.5.35)', secret: 'always'},
    {path: join(fileSecretsDir, 'auth.json'), what: 'the file-secrets store (XDG data dir)', secret: 'always'},
  ]
  const listing = await ctx.files.readdir(fileSecretsDir)
  if (listing.ok) {
    for (const name of listing.names.filter((n) => /^auth\.json\.v1-v2-/.test(n)))
      out.push({path: join(fileSecretsDir, name), what: 'a v1→v2 migration backup of the file-secrets store', secret: 'always'})
  }
  return out
}

/** Whether a server.json / server-connections.json text carries a credential. Unparseable: assume it may. */
export function carriesCredential(text: string): boolean {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return /"(token|password|accessToken|refreshToken)"\s*:/.test(text)
  }
  const hasAuth = (connection: unknown) => {
    const auth = (connection as {auth?: Record<string, unknown>} | null | undefined)?.auth
    return (
      typeof auth === 'object' &&
      auth !== null &&
      ['token', 'password', 'accessToken', 'refreshToken'].some((k) => typeof auth[k] === 'string' && (auth[k] as string).length > 0)
    )
  }
  const j = json as {connection?: unknown; profiles?: Array<{connection?: unknown}>} | null
  if (!j || typeof j !== 'object') return false
  if (hasAuth(j.connection)) return true
  return Array.isArray(j.profiles) && j.profiles.some((p) => hasAuth(p?.connection))
}

export type SecretInspection =
  | {kind: 'absent'}
  | {kind: 'not-secret'}
  | {kind: 'unknown'; reason: string}
  | {kind: 'secret'; link: string | null; mode: number; uid: number; realPath: string; dangling: false}
  | {kind: 'dangling'; link: string}

/**
 * lstat first (a link is reported, never silently followed); the target is then stat'ed for its
 * mode and, for content-judged files, read through its real path to see whether it holds a credential.
 */
export async function inspectSecret(ctx: CheckContext, candidate: SecretCandidate): Promise<SecretInspection> {
  const l = await ctx.files.lstat(candidate.path)
  if (!l.ok)
    return l.code === 'ENOENT' || l.code === 'ENOTDIR' ? {kind: 'absent'} : {kind: 'unknown', reason: `${candidate.path}: ${l.code}`}
  let link: string | null = null
  let realPath = candidate.path
  if (l.stat.isSymbolicLink()) {
    const text = await ctx.files.readlink(candidate.path)
    link = text.ok ? text.target : '?'
    const real = await ctx.files.realpath(candidate.path)
    if (!real) return {kind: 'dangling', link}
    realPath = real
  }
  const s = await ctx.files.stat(realPath)
  if (!s.ok)
    return s.code === 'ENOENT' ? {kind: 'dangling', link: link ?? candidate.path} : {kind: 'unknown', reason: `${realPath}: ${s.code}`}
  if (!s.stat.isFile()) return {kind: 'not-secret'}
  if (candidate.secret === 'content') {
    const read = await ctx.files.read(realPath, 4 * 1024 * 1024)
    if (!read.ok) return {kind: 'unknown', reason: `${realPath}: ${read.code}`}
    if (!carriesCredential(read.text)) return {kind: 'not-secret'}
  }
  return {kind: 'secret', link, mode: s.stat.mode & 0o777, uid: s.stat.uid, realPath, dangling: false}
}

/**
 * Every secret candidate of this install, inspected once per run (both secret checks judge the
 * same files), with what could not be inspected.
 */
export function inspectSecrets(
  ctx: CheckContext,
  state: ExecutorState,
): Promise<{inspected: Array<{candidate: SecretCandidate; seen: SecretInspection}>; unknown: string[]}> {
  return ctx.memo('executor:secrets', async () => {
    const inspected: Array<{candidate: SecretCandidate; seen: SecretInspection}> = []
    const unknown: string[] = []
    for await (const [candidate, seen] of inOrder(await secretCandidates(ctx, state), (candidate) => inspectSecret(ctx, candidate))) {
      if (seen.kind === 'unknown') unknown.push(seen.reason)
      inspected.push({candidate, seen})
    }
    return {inspected, unknown}
  })
}
