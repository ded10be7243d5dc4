/**
 * Vite's dependency-optimizer caches in an Executor checkout (executor-facts §7.1, §7.2): where
 * they are, what `_metadata.json` says, and the `lockfileHash` recomputed exactly as Vite 8.0.8's
 * `getLockfileHash` does, so a mismatch here is the one Vite itself will act on.
 */
import {createHash} from 'node:crypto'
import {dirname, join, relative, sep} from 'node:path'
import type {CheckContext} from '../../../context.js'
import {jsonSyntaxProblem} from '../../../config/json-position.js'

export interface ViteApp {
  app: string
  /** Vite's `root` for this app, relative to the checkout. */
  root: string
  /** `<pkgDir>/node_modules/.vite`: pkgDir is the nearest ancestor of root with a package.json. */
  cacheDir: string
  /** TanStack router/start caches written beside the Vite root (RUNNING.md ".tanstack-adjacent"). */
  tanstack: string[]
}

/** §7.1's table. No Executor vite config sets `cacheDir`, so each cache is at its package dir. */
export const VITE_APPS: readonly ViteApp[] = [
  {
    app: 'apps/local and packages/app',
    root: 'packages/app',
    cacheDir: 'packages/app/node_modules/.vite',
    tanstack: ['packages/app/.tanstack', 'apps/local/.tanstack'],
  },
  {
    app: 'apps/host-selfhost',
    root: 'apps/host-selfhost/web',
    cacheDir: 'apps/host-selfhost/node_modules/.vite',
    tanstack: ['apps/host-selfhost/web/.tanstack', 'apps/host-selfhost/.tanstack'],
  },
  {
    app: 'apps/host-cloudflare',
    root: 'apps/host-cloudflare/web',
    cacheDir: 'apps/host-cloudflare/node_modules/.vite',
    tanstack: ['apps/host-cloudflare/web/.tanstack', 'apps/host-cloudflare/.tanstack'],
  },
  {app: 'apps/cloud', root: 'apps/cloud', cacheDir: 'apps/cloud/node_modules/.vite', tanstack: ['apps/cloud/.tanstack']},
  {app: 'e2e/viewer', root: 'e2e/viewer', cacheDir: 'e2e/node_modules/.vite', tanstack: []},
  {app: 'apps/desktop', root: 'apps/desktop/src/renderer', cacheDir: 'apps/desktop/node_modules/.vite', tanstack: []},
  {app: 'repository root', root: '.', cacheDir: 'node_modules/.vite', tanstack: ['.tanstack']},
]

/**
 * Vite 8.0.8 `lockfileFormats`, in source order. Vite re-sorts it with
 * `(_, {manager}) => npm_config_user_agent?.startsWith(manager) ? 1 : -1`; Executor's dev servers
 * are started by `bun run`, which sets `npm_config_user_agent=bun/…`.
 */
const LOCKFILE_FORMATS: ReadonlyArray<{path: string; checkPatchesDir: string | false; manager: string}> = [
  {path: 'node_modules/.package-lock.json', checkPatchesDir: 'patches', manager: 'npm'},
  {path: 'node_modules/.yarn-state.yml', checkPatchesDir: false, manager: 'yarn'},
  {path: '.pnp.cjs', checkPatchesDir: '.yarn/patches', manager: 'yarn'},
  {path: '.pnp.js', checkPatchesDir: '.yarn/patches', manager: 'yarn'},
  {path: 'node_modules/.yarn-integrity', checkPatchesDir: 'patches', manager: 'yarn'},
  {path: 'node_modules/.pnpm/lock.yaml', checkPatchesDir: false, manager: 'pnpm'},
  {path: '.rush/temp/shrinkwrap-deps.json', checkPatchesDir: false, manager: 'pnpm'},
  {path: 'bun.lock', checkPatchesDir: 'patches', manager: 'bun'},
  {path: 'bun.lockb', checkPatchesDir: 'patches', manager: 'bun'},
]

export const DEV_USER_AGENT = 'bun/1 npm/? node/? linux x64'

/** The format list in the order Vite searches it, given the user agent it runs under. */
export function lockfileSearchOrder(userAgent: string | undefined = DEV_USER_AGENT): typeof LOCKFILE_FORMATS {
  // Same array, same comparator, same engine (V8) as Vite under Node: the same order.
  return [...LOCKFILE_FORMATS].sort((_, {manager}) => (userAgent?.startsWith(manager) ? 1 : -1))
}

/** Vite's `getHash`: sha256 hex, first 8 characters. */
export const viteHash = (text: string) => createHash('sha256').update(text).digest('hex').substring(0, 8)

/** A lockfile can be large; Executor's is a few MB. Past this, the hash cannot be recomputed. */
const LOCKFILE_CAP = 128 * 1024 * 1024

export type LockfileHash =
  | {ok: true; hash: string; lockfile: string | null; patchesDir: string | null; patchesMtimeMs: number | null}
  | {ok: false; reason: string; lockfile: string}

/** `getLockfileHash(environment)`, from Vite's `root` (absolute). */
export function lockfileHash(ctx: CheckContext, viteRoot: string): Promise<LockfileHash> {
  return ctx.memo(`executor:vite-lockfile:${viteRoot}`, async () => {
    const order = lockfileSearchOrder()
    let found: {path: string; format: (typeof LOCKFILE_FORMATS)[number]} | null = null
    // lookupFile: at each level from root up, the first listed name that is a file (stat follows links).
    for (let dir = viteRoot; dir && !found;) {
      for (const format of order) {
        const full = join(dir, format.path)
        const stat = await ctx.files.stat(full)
        if (stat.ok && stat.stat.isFile()) {
          found = {path: full, format}
          break
        }
      }
      const parent = dirname(dir)
      if (parent === dir) break
      dir = parent
    }
    if (!found) return {ok: true, hash: viteHash(''), lockfile: null, patchesDir: null, patchesMtimeMs: null}
    const read = await ctx.files.read(found.path, LOCKFILE_CAP)
    if (!read.ok) {
      // read() refuses symlinks; Vite follows them. Report rather than guess.
      const why = read.code === 'ELOOP' ? 'it is a symlink (Vite follows it; the doctor does not read through links)' : read.message
      return {ok: false, reason: `cannot read ${found.path}: ${why}`, lockfile: found.path}
    }
    // readFileSync(path, 'utf-8'): invalid bytes become U+FFFD before hashing, as here.
    let content = read.bytes.toString('utf8')
    let patchesDir: string | null = null
    let patchesMtimeMs: number | null = null
    if (found.format.checkPatchesDir) {
      const baseDir = found.path.slice(0, -found.format.path.length)
      const full = join(baseDir, found.format.checkPatchesDir)
      const stat = await ctx.files.stat(full)
      if (stat.ok && stat.stat.isDirectory()) {
        content += stat.stat.mtimeMs.toString()
        patchesDir = full
        patchesMtimeMs = stat.stat.mtimeMs
      }
    }
    return {ok: true, hash: viteHash(content), lockfile: found.path, patchesDir, patchesMtimeMs}
  })
}

export interface OptimizedDep {
  id: string
  src: string | null
  file: string | null
}

export interface DepsMetadata {
  hash: string | null
  configHash: string | null
  lockfileHash: string | null
  browserHash: string | null
  optimized: OptimizedDep[]
}

export type ParsedMetadata = {ok: true; value: DepsMetadata} | {ok: false; reason: string}

/** `_metadata.json` as `stringifyDepsOptimizerMetadata` writes it; anything else is corrupt. */
export function parseDepsMetadata(text: string): ParsedMetadata {
  if (text.trim() === '') return {ok: false, reason: 'the file is empty'}
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return {ok: false, reason: `not valid JSON (${jsonSyntaxProblem(text)}); a dev server was probably killed while writing it`}
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {ok: false, reason: 'the top level is not a JSON object'}
  const m = json as Record<string, unknown>
  const str = (v: unknown) => (typeof v === 'string' ? v : null)
  if (m.optimized !== undefined && (typeof m.optimized !== 'object' || m.optimized === null || Array.isArray(m.optimized)))
    return {ok: false, reason: '"optimized" is not an object'}
  if (str(m.hash) === null && str(m.browserHash) === null)
    return {ok: false, reason: 'it has neither "hash" nor "browserHash"; Vite did not write it'}
  const optimized = Object.entries((m.optimized ?? {}) as Record<string, unknown>).map(([id, info]) => {
    const entry = (typeof info === 'object' && info !== null ? info : {}) as Record<string, unknown>
    return {id, src: str(entry.src), file: str(entry.file)}
  })
  return {
    ok: true,
    value: {
      hash: str(m.hash),
      configHash: str(m.configHash),
      lockfileHash: str(m.lockfileHash),
      browserHash: str(m.browserHash),
      optimized,
    },
  }
}

/** Whether `path` is inside `root` (both absolute). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..')
}

export interface DirSize {
  bytes: number
  files: number
  truncated: boolean
}

/** Total size of a directory tree, bounded (a cache of 100k files costs at most `maxEntries` lstats). */
export async function dirSize(ctx: CheckContext, dir: string, maxEntries = 20_000): Promise<DirSize> {
  const out: DirSize = {bytes: 0, files: 0, truncated: false}
  const queue = [dir]
  let seen = 0
  while (queue.length > 0) {
    const current = queue.pop()!
    const listing = await ctx.files.readdir(current)
    if (!listing.ok) continue
    for (const name of listing.names) {
      if (++seen > maxEntries) {
        out.truncated = true
        return out
      }
      const path = join(current, name)
      const stat = await ctx.files.lstat(path)
      if (!stat.ok) continue
      if (stat.stat.isDirectory()) queue.push(path)
      else {
        out.bytes += stat.stat.size
        out.files++
      }
    }
  }
  return out
}
