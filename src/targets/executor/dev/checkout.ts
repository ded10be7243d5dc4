/**
 * Finding the Executor monorepo checkout the doctor runs in (or was pointed at with
 * `--executor-checkout`). A directory is a checkout root when it holds the three things every
 * contributor tool keys on: the CLI package, the Vite plugin package and the e2e port allocator
 * (executor-facts §3.3, §7.3).
 */
import {dirname, join, resolve} from 'node:path'
import type {CheckContext} from '../../../context.js'
import {inOrder} from '../../../probes/abort.js'

export interface Checkout {
  /** Absolute, symlinks resolved: the path `e2e/src/ports.ts` hashes (its import.meta.url is real). */
  root: string
  source: 'flag' | 'cwd'
}

export type CheckoutDetection = {found: true; checkout: Checkout} | {found: false; reason: string}

/** The markers, as data: the file, and the package name it must declare (null: it must only exist). */
export const CHECKOUT_MARKERS: ReadonlyArray<{path: string; packageName: string | null}> = [
  {path: 'apps/cli/package.json', packageName: 'executor'},
  {path: 'packages/core/vite-plugin/package.json', packageName: '@executor-js/vite-plugin'},
  {path: 'e2e/src/ports.ts', packageName: null},
]

/** Why `dir` is not a checkout root, or null when it is one. */
export async function missingMarker(ctx: CheckContext, dir: string): Promise<string | null> {
  for (const marker of CHECKOUT_MARKERS) {
    const path = join(dir, marker.path)
    if (marker.packageName === null) {
      const stat = await ctx.files.stat(path)
      if (!stat.ok || !stat.stat.isFile()) return `no ${marker.path}`
      continue
    }
    const read = await ctx.files.read(path, 256 * 1024)
    if (!read.ok) return `no readable ${marker.path} (${read.code})`
    const name = packageName(read.text)
    if (name !== marker.packageName)
      return `${marker.path} names package ${name === null ? '(none)' : JSON.stringify(name)}, not "${marker.packageName}"`
  }
  return null
}

function packageName(text: string): string | null {
  try {
    const json = JSON.parse(text) as {name?: unknown}
    return typeof json.name === 'string' ? json.name : null
  } catch {
    return null
  }
}

/** The checkout root containing `start`, walking up; null when none does. */
export async function checkoutContaining(ctx: CheckContext, start: string): Promise<string | null> {
  const dirs = [resolve(start)]
  for (let parent = dirname(dirs[0]!); parent !== dirs.at(-1); parent = dirname(parent)) dirs.push(parent)
  // Every level is asked at once (a round trip each, one after another, was ~3 ms from a deep directory); the nearest root wins.
  for await (const [dir, missing] of inOrder(dirs, (dir) => missingMarker(ctx, dir))) if (missing === null) return dir
  return null
}

/** The checkout this run is about, found once per run. */
export function detectCheckout(ctx: CheckContext): Promise<CheckoutDetection> {
  return ctx.memo('executor:checkout', async () => {
    const flag = ctx.options.targetOptions.executor?.checkout
    if (flag) {
      const dir = resolve(ctx.cwd, flag)
      const stat = await ctx.files.stat(dir)
      if (!stat.ok || !stat.stat.isDirectory())
        return {found: false, reason: `--executor-checkout ${dir} is not a directory (${stat.ok ? 'not a dir' : stat.code})`}
      const root = await checkoutContaining(ctx, dir)
      if (!root)
        return {found: false, reason: `--executor-checkout ${dir} is not an Executor monorepo checkout: ${await missingMarker(ctx, dir)}`}
      return {found: true, checkout: {root: await real(ctx, root), source: 'flag'}}
    }
    const root = await checkoutContaining(ctx, ctx.cwd)
    if (!root)
      return {
        found: false,
        reason: `no Executor monorepo checkout at or above ${ctx.cwd} (a root holds apps/cli, packages/core/vite-plugin and e2e/src/ports.ts; point at one with --executor-checkout)`,
      }
    return {found: true, checkout: {root: await real(ctx, root), source: 'cwd'}}
  })
}

async function real(ctx: CheckContext, path: string): Promise<string> {
  return (await ctx.files.realpath(path)) ?? path
}
