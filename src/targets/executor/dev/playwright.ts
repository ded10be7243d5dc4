/**
 * Where Playwright keeps its browsers and which Chromium build the checkout's Playwright expects.
 * Bootstrap runs `bunx playwright install chromium` (executor-facts §7.3); Playwright writes an
 * `INSTALLATION_COMPLETE` marker into a browser's folder only once the download is whole.
 */
import {join, resolve} from 'node:path'
import type {CheckContext} from '../../../context.js'
import {jsonSyntaxProblem} from '../../../config/json-position.js'

export const INSTALLED_MARKER = 'INSTALLATION_COMPLETE'

export interface BrowsersLocation {
  dir: string
  source: string
}

/** Playwright's registry directory: `PLAYWRIGHT_BROWSERS_PATH`, else the per-OS cache folder. */
export function browsersLocation(ctx: CheckContext, playwrightCoreDir: string | null): BrowsersLocation {
  const env = ctx.env.PLAYWRIGHT_BROWSERS_PATH
  if (env === '0' && playwrightCoreDir)
    return {dir: join(playwrightCoreDir, '.local-browsers'), source: 'PLAYWRIGHT_BROWSERS_PATH=0 (inside playwright-core)'}
  if (env) return {dir: resolve(ctx.cwd, env), source: 'PLAYWRIGHT_BROWSERS_PATH'}
  if (ctx.platform === 'darwin')
    return {dir: join(ctx.home, 'Library', 'Caches', 'ms-playwright'), source: 'the default cache (~/Library/Caches/ms-playwright)'}
  if (ctx.platform === 'win32')
    return {
      dir: join(ctx.env.LOCALAPPDATA ?? join(ctx.home, 'AppData', 'Local'), 'ms-playwright'),
      source: 'the default cache (%LOCALAPPDATA%\\ms-playwright)',
    }
  const cache = ctx.env.XDG_CACHE_HOME || join(ctx.home, '.cache')
  return {
    dir: join(cache, 'ms-playwright'),
    source: ctx.env.XDG_CACHE_HOME ? 'the default cache under $XDG_CACHE_HOME' : 'the default cache (~/.cache/ms-playwright)',
  }
}

export interface ExpectedBuild {
  name: string
  revision: string
  /** Folder name in the registry: `chromium-1140`, `chromium_headless_shell-1140`. */
  folder: string
}

export interface PlaywrightCore {
  dir: string
  version: string | null
  builds: ExpectedBuild[]
}

/** The checkout's playwright-core (e2e's first, then the root's, then bun's isolated store). */
export async function findPlaywrightCore(ctx: CheckContext, root: string): Promise<PlaywrightCore | null | {invalid: string; dir: string}> {
  const candidates = [join(root, 'e2e', 'node_modules', 'playwright-core'), join(root, 'node_modules', 'playwright-core')]
  const store = await ctx.files.readdir(join(root, 'node_modules', '.bun'))
  if (store.ok) {
    for (const name of store.names.filter((n) => n.startsWith('playwright-core@')).reverse())
      candidates.push(join(root, 'node_modules', '.bun', name, 'node_modules', 'playwright-core'))
  }
  for (const dir of candidates) {
    const read = await ctx.files.read(join(dir, 'browsers.json'), 256 * 1024)
    if (!read.ok) continue
    let json: {browsers?: Array<{name?: unknown; revision?: unknown}>}
    try {
      json = JSON.parse(read.text) as typeof json
    } catch {
      return {invalid: `${join(dir, 'browsers.json')} is not valid JSON (${jsonSyntaxProblem(read.text)})`, dir}
    }
    const builds = (json.browsers ?? []).flatMap((b) => {
      if ((b.name !== 'chromium' && b.name !== 'chromium-headless-shell') || typeof b.revision !== 'string') return []
      return [{name: b.name, revision: b.revision, folder: `${b.name.replace(/-/g, '_')}-${b.revision}`}]
    })
    const pkg = await ctx.files.read(join(dir, 'package.json'), 256 * 1024)
    let version: string | null = null
    if (pkg.ok) {
      try {
        version = (JSON.parse(pkg.text) as {version?: string}).version ?? null
      } catch {
        version = null
      }
    }
    return {dir, version, builds}
  }
  return null
}
