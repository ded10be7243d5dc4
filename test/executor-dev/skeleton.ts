/**
 * Skeleton Executor monorepos, built from scratch in temp dirs: the markers the doctor keys on,
 * the packages whose builds bootstrap makes, a bun.lock, patches/, .githooks/ and a real git
 * history (commits dated in the past so a later rebase is "newer" than caches written before it).
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeTree} from '../helpers/tmp.js'

export const BUN_LOCK = '{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": {"name": "executor-monorepo"}\n  },\n  "packages": {}\n}\n'

export interface SkeletonOptions {
  /** Build outputs, vitest and core.hooksPath present (default true). */
  bootstrapped?: boolean
  /** Make it a git repository with history (default true). */
  git?: boolean
  /** Add the 1.5.35 apps plugin package. */
  appsPlugin?: boolean
}

const DAY = 24 * 3600 * 1000

export function git(root: string, args: string[], whenMs = Date.now() - 2 * DAY): string {
  const date = `${Math.round(whenMs / 1000)} +0000`
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args],
    {
      cwd: root,
      env: {PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date},
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
}

export function makeCheckout(root: string, options: SkeletonOptions = {}): string {
  const bootstrapped = options.bootstrapped ?? true
  mkdirSync(root, {recursive: true})
  writeTree(root, {
    'package.json': JSON.stringify(
      {name: 'executor-monorepo', private: true, workspaces: ['apps/*', 'packages/*', 'packages/core/*', 'e2e']},
      null,
      2,
    ),
    'apps/cli/package.json': JSON.stringify({name: 'executor', version: '1.5.35'}),
    'apps/cloud/package.json': JSON.stringify({name: '@executor-js/cloud'}),
    'packages/app/package.json': JSON.stringify({name: '@executor-js/app'}),
    'packages/core/vite-plugin/package.json': JSON.stringify({
      name: '@executor-js/vite-plugin',
      exports: {'.': {types: './src/index.ts', bun: './src/index.ts', default: './dist/index.js'}},
    }),
    'packages/core/vite-plugin/src/index.ts': 'export default function executor() {}\n',
    'packages/react/package.json': JSON.stringify({
      name: '@executor-js/react',
      exports: {'./console-routes': {types: './src/console-routes.ts', default: './dist/console-routes.js'}},
    }),
    'e2e/src/ports.ts': '// claimPorts: FNV-1a over the repo root\n',
    'e2e/package.json': JSON.stringify({name: '@executor-js/e2e'}),
    'bun.lock': BUN_LOCK,
    'patches/agents@0.0.1.patch': 'diff --git a/x b/x\n',
    '.githooks/pre-commit': '#!/bin/sh\nexit 0\n',
    '.gitignore': 'node_modules\ndist\n.tanstack\ne2e/.dev\n',
    ...(options.appsPlugin
      ? {
          'packages/plugins/apps/package.json': JSON.stringify({
            name: '@executor-js/plugin-apps',
            exports: {'./vite': {default: './dist/vite.js'}},
          }),
        }
      : {}),
  })
  if (options.git ?? true) {
    git(root, ['init', '-q'])
    git(root, ['add', '-A'])
    git(root, ['commit', '-qm', 'initial'])
  }
  if (bootstrapped) bootstrap(root, options)
  return root
}

/** What `bun run bootstrap` leaves behind. */
export function bootstrap(root: string, options: SkeletonOptions = {}): void {
  writeTree(root, {
    'packages/core/vite-plugin/dist/index.js': 'export default function executor() {}\n',
    'packages/react/dist/console-routes.js': 'export const routes = []\n',
    'node_modules/.bin/vitest': '#!/bin/sh\n',
    ...(options.appsPlugin ? {'packages/plugins/apps/dist/vite.js': 'export default {}\n'} : {}),
  })
  if (options.git ?? true) git(root, ['config', 'core.hooksPath', '.githooks'])
}

export interface CacheSpec {
  lockfileHash: string
  optimized?: Record<string, {src: string; file: string}>
  /** mtime of _metadata.json, epoch ms (default: now). */
  writtenAtMs?: number
}

/** A Vite optimizer cache as Vite writes it: deps/_metadata.json (2-space JSON) plus the bundles. */
export function writeViteCache(cacheDir: string, spec: CacheSpec, env = 'deps'): string {
  const deps = join(cacheDir, env)
  mkdirSync(deps, {recursive: true})
  const optimized = Object.fromEntries(
    Object.entries(spec.optimized ?? {}).map(([id, o]) => [id, {...o, fileHash: 'abcd1234', needsInterop: false}]),
  )
  for (const o of Object.values(optimized)) writeFileSync(join(deps, o.file), 'export default {}\n')
  const metadata = join(deps, '_metadata.json')
  writeFileSync(
    metadata,
    JSON.stringify(
      {hash: '1a2b3c4d', configHash: '5e6f7a8b', lockfileHash: spec.lockfileHash, browserHash: '9c0d1e2f', optimized, chunks: {}},
      null,
      2,
    ),
  )
  const when = (spec.writtenAtMs ?? Date.now()) / 1000
  utimesSync(metadata, when, when)
  return metadata
}
