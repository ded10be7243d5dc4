import {join, resolve} from 'node:path'
import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import type {Finding} from '../../../types.js'
import {gitDirs, lastTreeChange, type TreeChange} from '../dev/git.js'
import {humanAge, isCheckout, requireCheckout} from '../dev/require.js'
import {dirSize, isInside, lockfileHash, parseDepsMetadata, VITE_APPS, type ViteApp} from '../dev/vite.js'
import {liveDevServers, stopLiveServersStep} from '../dev/fix-plans.js'
import {quarantineStep} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import {excerpt} from '../../../text.js'

/** A dep cache with more broken sources than this is reported with this many examples. */
const MAX_SOURCES_CHECKED = 2000

interface CacheDir {
  app: string
  root: string
  cacheDir: string
  tanstack: string[]
}

export const executorViteCache: TargetCheck = {
  symptoms: [
    'executor/vite-cache-lockfile-changed',
    'executor/vite-cache-missing-sources',
    'executor/vite-cache-pre-rebase',
    'executor/vite-cache-corrupt',
  ],
  async detect(ctx, _target) {
    const checkout = await requireCheckout(ctx)
    if (!isCheckout(checkout)) return checkout
    const {root} = checkout
    const caches = await cacheDirs(ctx, root)
    const dirs = await gitDirs(ctx, root)
    const treeChange = dirs ? await lastTreeChange(ctx, dirs) : null
    const findings: Finding[] = []
    for (const cache of caches) {
      const judged = await judgeCache(ctx, root, cache, treeChange)
      if (judged.length === 0) continue
      const live = await liveDevServers(ctx, root)
      const plan = await clearPlan(ctx, root, cache, live)
      const liveDevServersEvidence = live.map((p) => `pid ${p.pid}: ${excerpt(p.cmdline)}`)
      findings.push(
        ...judged.map((f) => ({
          ...f,
          evidence: {...f.evidence, liveDevServers: liveDevServersEvidence},
          ...(plan.length > 0 ? {plan} : {}),
        })),
      )
    }
    return findings
  },
}

/** §7.1's known caches plus any other `node_modules/.vite` one level under apps/ and packages/. */
async function cacheDirs(ctx: CheckContext, root: string): Promise<CacheDir[]> {
  const known: ViteApp[] = [...VITE_APPS]
  for (const parent of ['apps', 'packages']) {
    const listing = await ctx.files.readdir(join(root, parent))
    if (!listing.ok) continue
    for (const name of listing.names) {
      const cacheDir = `${parent}/${name}/node_modules/.vite`
      if (!known.some((k) => k.cacheDir === cacheDir))
        known.push({app: `${parent}/${name}`, root: `${parent}/${name}`, cacheDir, tanstack: [`${parent}/${name}/.tanstack`]})
    }
  }
  const out: CacheDir[] = []
  for (const app of known) {
    const stat = await ctx.files.stat(join(root, app.cacheDir))
    if (!stat.ok || !stat.stat.isDirectory()) continue
    const tanstack: string[] = []
    for (const rel of app.tanstack) {
      const t = await ctx.files.stat(join(root, rel))
      if (t.ok && t.stat.isDirectory()) tanstack.push(join(root, rel))
    }
    out.push({app: app.app, root: join(root, app.root), cacheDir: join(root, app.cacheDir), tanstack})
  }
  return out
}

/**
 * Clearing a stale cache is what RUNNING.md prescribes (executor-facts §7.2): the cache dir and the
 * `.tanstack` dirs beside it go to the quarantine; Vite rebuilds them at its next start. Safe while
 * no dev server of this checkout runs; with one running, a manual "stop it first" comes before
 * and moving the caches needs a confirm (the server may be writing into them).
 */
async function clearPlan(ctx: CheckContext, root: string, cache: CacheDir, live: ProcessInfo[]): Promise<FixStep[]> {
  const steps: FixStep[] = []
  if (live.length > 0) steps.push(stopLiveServersStep(root, live))
  const why = (what: string) =>
    // Source: executor-facts §7.1, §7.2
    `${what} of ${cache.app} is stale; Vite and the TanStack plugins rebuild it at the next start.${live.length > 0 ? ` ${live.length} dev server${live.length === 1 ? '' : 's'} of this checkout ${live.length === 1 ? 'is' : 'are'} running (pid ${live.map((p) => p.pid).join(', ')}): stop ${live.length === 1 ? 'it' : 'them'} first.` : ''}`
  for (const [path, what] of [
    [cache.cacheDir, 'The Vite optimizer cache'] as const,
    ...cache.tanstack.map((t) => [t, 'The .tanstack cache'] as const),
  ]) {
    const st = await ctx.files.lstat(path)
    if (!st.ok) continue
    steps.push(quarantineStep({path, stat: st.stat, risk: live.length > 0 ? 'confirm' : 'safe', why: why(what)}))
  }
  return steps
}

async function judgeCache(ctx: CheckContext, checkoutRoot: string, cache: CacheDir, treeChange: TreeChange | null): Promise<Finding[]> {
  const listing = await ctx.files.readdir(cache.cacheDir)
  if (!listing.ok) throw new Undetermined(`cannot list ${cache.cacheDir} (${listing.code}): ${listing.message}`)
  // deps/ is the client environment, deps_<env>/ the others (deps_ssr); *_temp_* are in-flight builds.
  const envDirs = listing.names.filter((n) => (n === 'deps' || n.startsWith('deps_')) && !n.includes('_temp_'))
  const size = await dirSize(ctx, cache.cacheDir)
  const clear = [cache.cacheDir, ...cache.tanstack].map(quote).join(' ')
  const findings: Finding[] = []
  for (const envDir of envDirs) {
    const depsDir = join(cache.cacheDir, envDir)
    const metadataPath = join(depsDir, '_metadata.json')
    const read = await ctx.files.read(metadataPath, 32 * 1024 * 1024)
    if (!read.ok) {
      if (read.code === 'ENOENT') continue // a deps dir Vite is still building
      if (read.code === 'EACCES' || read.code === 'OTHER')
        throw new Undetermined(`cannot read ${metadataPath} (${read.code}): ${read.message}`)
      findings.push(
        finding('executor/vite-cache-corrupt', {
          vars: {path: metadataPath, reason: read.message, clear},
          evidence: {path: metadataPath, error: read.code, app: cache.app},
        }),
      )
      continue
    }
    const ageMs = ctx.now() - read.stat.mtimeMs
    const base = {
      app: cache.app,
      cacheDir: cache.cacheDir,
      metadata: metadataPath,
      sizeBytes: size.bytes,
      files: size.files,
      sizeTruncated: size.truncated,
      writtenAt: new Date(read.stat.mtimeMs).toISOString(),
      ageS: Math.round(ageMs / 1000),
      tanstackCaches: cache.tanstack,
    }
    const parsed = parseDepsMetadata(read.text)
    if (!parsed.ok) {
      findings.push(
        finding('executor/vite-cache-corrupt', {
          vars: {path: metadataPath, reason: parsed.reason, clear},
          evidence: {...base, reason: parsed.reason},
        }),
      )
      continue
    }
    const meta = parsed.value
    // 1. lockfileHash, recomputed exactly (Vite < 5.1 did not record it: nothing to compare then).
    if (meta.lockfileHash !== null) {
      const current = await lockfileHash(ctx, cache.root)
      if (!current.ok) throw new Undetermined(`cannot recompute Vite's lockfileHash: ${current.reason}`, {lockfile: current.lockfile})
      if (current.hash !== meta.lockfileHash) {
        findings.push(
          finding('executor/vite-cache-lockfile-changed', {
            vars: {
              metadata: metadataPath,
              cached: meta.lockfileHash,
              current: current.hash,
              lockfile: current.lockfile ?? '(no lockfile)',
              clear,
            },
            evidence: {
              ...base,
              cachedLockfileHash: meta.lockfileHash,
              currentLockfileHash: current.hash,
              lockfile: current.lockfile,
              patchesDir: current.patchesDir,
              patchesMtimeMs: current.patchesMtimeMs,
            },
          }),
        )
      }
    }
    // 2. Optimized deps whose source is gone or outside this checkout.
    const broken: string[] = []
    for (const dep of meta.optimized.slice(0, MAX_SOURCES_CHECKED)) {
      if (!dep.src) continue
      const src = resolve(depsDir, dep.src)
      if (!isInside(checkoutRoot, src)) {
        broken.push(`${dep.id} → ${src} (outside this checkout)`)
        continue
      }
      const stat = await ctx.files.stat(src)
      if (!stat.ok && (stat.code === 'ENOENT' || stat.code === 'ENOTDIR')) broken.push(`${dep.id} → ${src} (missing)`)
    }
    if (broken.length > 0) {
      findings.push(
        finding('executor/vite-cache-missing-sources', {
          vars: {metadata: metadataPath, count: broken.length, example: broken[0]!, clear},
          evidence: {...base, brokenSources: broken.slice(0, 20), brokenCount: broken.length, optimizedCount: meta.optimized.length},
        }),
      )
    }
    // 3. Older than the last rebase / checkout: the gap neither hash covers.
    if (treeChange && read.stat.mtimeMs < treeChange.atMs) {
      findings.push(
        finding('executor/vite-cache-pre-rebase', {
          vars: {
            metadata: metadataPath,
            age: humanAge(ageMs),
            what: treeChange.what,
            changedAt: new Date(treeChange.atMs).toISOString(),
            clear,
          },
          evidence: {
            ...base,
            treeChangedAt: new Date(treeChange.atMs).toISOString(),
            treeChange: treeChange.what,
            treeChangeSource: treeChange.source,
          },
        }),
      )
    }
  }
  return findings
}

const quote = (path: string) => (/^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`)
