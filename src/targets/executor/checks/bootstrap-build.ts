import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import type {Finding} from '../../../types.js'
import {gitConfig, gitDirs} from '../dev/git.js'
import {isCheckout, requireCheckout} from '../dev/require.js'
import {join} from 'node:path'
import {bootstrapStep, findExecutable, manualStep, runStep, shellQuote} from '../../../fix/steps.js'
import {documentedStep} from '../../../fix/documented.js'
import type {FixStep} from '../../../fix/types.js'

/**
 * What `bun run bootstrap` leaves behind (executor-facts §7.3), as data: each built entry is read
 * from the package's own export map (`default` condition, what Node resolves when a Vite config
 * loads), falling back to the documented path. A package that is not in the checkout (the apps
 * plugin is new in 1.5.35) is not required.
 */
const BUILD_OUTPUTS: ReadonlyArray<{pkgDir: string; exportPath: string; documented: string; why: string}> = [
  {
    pkgDir: 'packages/core/vite-plugin',
    exportPath: '.',
    documented: 'dist/index.js',
    why: 'every Vite config imports @executor-js/vite-plugin',
  },
  {
    pkgDir: 'packages/react',
    exportPath: './console-routes',
    documented: 'dist/console-routes.js',
    why: '@executor-js/react/console-routes',
  },
  {
    pkgDir: 'packages/plugins/apps',
    exportPath: './vite',
    documented: 'dist/vite.js',
    why: 'apps/cloud/vite.config.ts imports its ./vite entry',
  },
]

/** bun.lock is text (JSONC); Executor's is a few MB. */
const LOCK_CAP = 128 * 1024 * 1024

export const executorBootstrapBuild: TargetCheck = {
  symptoms: ['executor/bootstrap-missing', 'executor/git-hooks-unset', 'executor/bun-lock-broken'],
  async detect(ctx, _target) {
    const checkout = await requireCheckout(ctx)
    if (!isCheckout(checkout)) return checkout
    const {root} = checkout
    const missing: string[] = []
    let pluginMissing = false
    for (const output of BUILD_OUTPUTS) {
      const pkgJson = join(root, output.pkgDir, 'package.json')
      const pkg = await ctx.files.read(pkgJson, 256 * 1024)
      if (!pkg.ok) {
        if (pkg.code === 'ENOENT') continue
        throw new Undetermined(`cannot read ${pkgJson} (${pkg.code})`)
      }
      const entry = exportEntry(pkg.text, output.exportPath) ?? output.documented
      const path = join(root, output.pkgDir, entry)
      const stat = await ctx.files.stat(path)
      if (!stat.ok || !stat.stat.isFile()) {
        missing.push(`${output.pkgDir}/${entry.replace(/^\.\//, '')} (${output.why})`)
        if (output.pkgDir === 'packages/core/vite-plugin') pluginMissing = true
      }
    }
    const vitest = join(root, 'node_modules', '.bin', 'vitest')
    const vitestStat = await ctx.files.stat(vitest)
    if (!vitestStat.ok) {
      const nodeModules = await ctx.files.stat(join(root, 'node_modules'))
      missing.push(nodeModules.ok ? 'node_modules/.bin/vitest (bun install did not finish)' : 'node_modules (bun install never ran)')
    }
    const findings: Finding[] = []
    if (missing.length > 0) {
      const consequence = pluginMissing
        ? ' Vite dev servers fail with "Failed to resolve entry for package \'@executor-js/vite-plugin\'".'
        : ''
      // Source: executor-facts §7.3
      const why = `The build outputs every Vite config loads are missing (${missing.join('; ')}); \`bun run bootstrap\` installs and builds them, and is idempotent.`
      findings.push(
        finding('executor/bootstrap-missing', {
          vars: {root, missing: missing.join('; '), consequence},
          evidence: {root, missing},
          plan: [bootstrapStep({checkout: root, pathEnv: ctx.env.PATH, why})],
        }),
      )
    }
    const hooks = await hooksFinding(ctx, root)
    if (hooks) findings.push(hooks)
    const lock = await lockFinding(ctx, root)
    if (lock) findings.push(lock)
    return findings
  },
}

/** `exports[sub]` → its `default` condition (a string, or nested conditions), or null. */
export function exportEntry(pkgText: string, sub: string): string | null {
  let pkg: {exports?: unknown}
  try {
    pkg = JSON.parse(pkgText) as {exports?: unknown}
  } catch {
    return null
  }
  let node: unknown = pkg.exports
  if (typeof node === 'object' && node !== null && !Array.isArray(node) && sub in node) node = (node as Record<string, unknown>)[sub]
  else if (sub !== '.') return null
  for (let depth = 0; depth < 5; depth++) {
    if (typeof node === 'string') return node
    if (typeof node !== 'object' || node === null) return null
    node = (node as Record<string, unknown>).default
  }
  return null
}

async function hooksFinding(ctx: CheckContext, root: string): Promise<Finding | null> {
  const hooksDir = await ctx.files.stat(join(root, '.githooks'))
  if (!hooksDir.ok || !hooksDir.stat.isDirectory()) return null // this generation has no hooks to enable
  const dirs = await gitDirs(ctx, root)
  if (!dirs) return null // not a git clone (a tarball): there is nothing to configure
  const hit = await gitConfig(ctx, dirs, 'core', 'hooksPath')
  const value = hit?.value.replace(/\/+$/, '')
  if (value === '.githooks' || value === join(root, '.githooks')) return null
  return finding('executor/git-hooks-unset', {
    vars: {root, value: hit ? `"${hit.value}" (from ${hit.file})` : 'unset'},
    evidence: {root, hooksPath: hit?.value ?? null, configFile: hit?.file ?? null},
    plan: [hooksStep(ctx, root, hit?.value ?? null)],
  })
}

async function lockFinding(ctx: CheckContext, root: string): Promise<Finding | null> {
  const path = join(root, 'bun.lock')
  const read = await ctx.files.read(path, LOCK_CAP)
  if (!read.ok) {
    if (read.code === 'ENOENT') return null
    if (read.code === 'EACCES' || read.code === 'OTHER') throw new Undetermined(`cannot read ${path} (${read.code}): ${read.message}`)
    return withDocumentedPlan(
      finding('executor/bun-lock-broken', {vars: {path, root, reason: read.message}, evidence: {path, error: read.code}}),
    )
  }
  const reason = brokenLockReason(read.bytes)
  if (!reason) return null
  return withDocumentedPlan(
    finding('executor/bun-lock-broken', {vars: {path, root, reason}, evidence: {path, sizeBytes: read.stat.size, reason}}),
  )
}

/** Which side of a conflicted lockfile to keep is the user's call: the documented commands, by hand. */
const withDocumentedPlan = (f: Finding): Finding => ({...f, plan: [documentedStep(f)]})

/**
 * Unset: `git config core.hooksPath .githooks`, bootstrap's own last step (executor-facts §7.3),
 * after a confirm. Set to something else (husky, a global hooks dir): that was someone's choice,
 * so the command is only shown.
 */
function hooksStep(ctx: CheckContext, root: string, current: string | null): FixStep {
  const git = findExecutable('git', ctx.env.PATH)
  const command = ['config', 'core.hooksPath', '.githooks']
  if (current !== null || !git) {
    return manualStep({
      title: `Point git at the repository's hooks in ${root}`,
      // Source: executor-facts §7.3
      why:
        current !== null
          ? `core.hooksPath is "${current}": replacing it is your decision (bootstrap sets .githooks).`
          : 'git is not on PATH, so the doctor cannot run it.',
      instructions: [`git -C ${shellQuote(root)} ${command.join(' ')}`],
    })
  }
  return runStep({
    command: [git, '-C', root, ...command],
    cwd: root,
    title: `Run \`git -C ${root} ${command.join(' ')}\``,
    // Source: executor-facts §7.3
    why: "core.hooksPath is unset, so the repository's .githooks never run; this is the last step of `bun run bootstrap`.",
    timeoutMs: 15_000,
    undo: `git -C ${shellQuote(root)} config --unset core.hooksPath`,
  })
}

/** Why a bun.lock text lockfile cannot be installed from, or null when it looks whole. */
export function brokenLockReason(bytes: Buffer): string | null {
  if (bytes.length === 0) return 'it is empty'
  if (bytes.includes(0)) return 'it contains NUL bytes: it is not the text lockfile bun writes'
  const text = bytes.toString('utf8')
  const marker = /^(<<<<<<<|=======|>>>>>>>)( |$)/m.exec(text)
  if (marker) {
    const line = text.slice(0, marker.index).split('\n').length
    return `it contains a merge conflict marker ("${marker[1]}") at line ${line}`
  }
  const trimmed = text.trimEnd()
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return 'it is truncated (it does not end with the closing "}")'
  return null
}
