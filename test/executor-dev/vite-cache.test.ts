import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import viteCache from '../../checks/vite-cache.js'
import {createContext} from '../../src/context.js'
import {lockfileHash, lockfileSearchOrder} from '../../src/targets/executor/dev/vite.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {tmpDirs} from '../helpers/tmp.js'
import {git, makeCheckout, writeViteCache} from './skeleton.js'

/** Vite's lockfileHash, computed here independently from the rule: sha256(bun.lock text + patches mtimeMs), 8 hex. */
function expectedHash(root: string): string {
  const content = readFileSync(join(root, 'bun.lock'), 'utf-8') + statSync(join(root, 'patches')).mtimeMs.toString()
  return createHash('sha256').update(content).digest('hex').slice(0, 8)
}

describe('executor dev: vite-cache', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  function checkoutWithCache(options: {writtenAtMs?: number} = {}) {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    writeTree(root)
    const cacheDir = join(root, 'packages', 'app', 'node_modules', '.vite')
    const metadata = writeViteCache(cacheDir, {
      lockfileHash: expectedHash(root),
      optimized: {react: {src: '../../react/index.js', file: 'react.js'}},
      ...options,
    })
    return {root, cacheDir, metadata}
  }

  function writeTree(root: string) {
    mkdirSync(join(root, 'packages', 'app', 'node_modules', 'react'), {recursive: true})
    writeFileSync(join(root, 'packages', 'app', 'node_modules', 'react', 'index.js'), 'module.exports = {}\n')
  }

  const run = (root: string) => runCheck(viteCache, {cwd: root, home: tmp.make(), env: {}})

  it('recomputes lockfileHash exactly as Vite (bun.lock + patches/ mtime)', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    const ctx = createContext({cwd: root, env: {}})
    try {
      const computed = await lockfileHash(ctx, join(root, 'packages', 'app'))
      assert.ok(computed.ok)
      assert.equal(computed.hash, expectedHash(root))
      assert.equal(computed.lockfile, join(root, 'bun.lock'))
    } finally {
      await ctx.close()
    }
    // Under bun, bun's formats come first; npm's .package-lock.json stays ahead of bun's otherwise.
    const order = lockfileSearchOrder().map((f) => f.path)
    assert.ok(order.indexOf('bun.lock') < order.indexOf('node_modules/.package-lock.json'), order.join(', '))
  })

  it('passes for a fresh cache built for the current lockfile after the last checkout', async () => {
    const {root} = checkoutWithCache()
    expectResult(await run(root), {status: 'pass'})
  })

  it('passes when a checkout has no Vite cache at all', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    expectResult(await run(root), {status: 'pass'})
  })

  it('reports a cache built for another bun.lock, with both hashes, size and age', async () => {
    const {root, cacheDir} = checkoutWithCache()
    const before = expectedHash(root)
    writeFileSync(
      join(root, 'bun.lock'),
      readFileSync(join(root, 'bun.lock'), 'utf8').replace('"packages": {}', '"packages": {"left-pad": ["left-pad@1.3.0"]}'),
    )
    const result = await run(root)
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/vite-cache-lockfile-changed'],
      mentions: [before, expectedHash(root), 'sizeBytes', 'ageS', cacheDir, 'bun run dev'],
    })
    assert.notEqual(before, expectedHash(root))
  })

  it('notices a touched patches/ directory (the mtime part of the hash)', async () => {
    const {root} = checkoutWithCache()
    const later = Date.now() / 1000 + 5
    utimesSync(join(root, 'patches'), later, later)
    expectResult(await run(root), {status: 'warn', symptoms: ['executor/vite-cache-lockfile-changed'], mentions: [expectedHash(root)]})
  })

  it('reports optimized deps whose source is gone', async () => {
    const {root} = checkoutWithCache()
    rmSync(join(root, 'packages', 'app', 'node_modules', 'react'), {recursive: true})
    expectResult(await run(root), {status: 'warn', symptoms: ['executor/vite-cache-missing-sources'], mentions: ['react →', '(missing)']})
  })

  it('reports a cache older than the last rebase (real git history)', async () => {
    const {root, metadata} = checkoutWithCache({writtenAtMs: Date.now() - 3600_000})
    git(root, ['checkout', '-qb', 'feature'], Date.now() - 3000_000)
    writeFileSync(join(root, 'feature.txt'), 'x\n')
    git(root, ['add', '-A'], Date.now() - 3000_000)
    git(root, ['commit', '-qm', 'feature'], Date.now() - 3000_000)
    git(root, ['checkout', '-q', 'main'], Date.now() - 2000_000)
    writeFileSync(join(root, 'main.txt'), 'y\n')
    git(root, ['add', '-A'], Date.now() - 2000_000)
    git(root, ['commit', '-qm', 'main moves on'], Date.now() - 2000_000)
    git(root, ['checkout', '-q', 'feature'], Date.now() - 1000_000)
    git(root, ['rebase', '-q', 'main'], Date.now() - 600_000)
    const result = await run(root)
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/vite-cache-pre-rebase'],
      mentions: ['rebase', metadata, 'pre-rebase code', '.tanstack'],
    })
  })

  it('reports a corrupt _metadata.json precisely, never crashing', async () => {
    const {root, metadata} = checkoutWithCache()
    writeFileSync(metadata, '{"hash": "1a2b3c4d", "optimized": {"react": {"src": ')
    expectResult(await run(root), {status: 'warn', symptoms: ['executor/vite-cache-corrupt'], mentions: ['not valid JSON', metadata]})
    writeFileSync(metadata, '')
    expectResult(await run(root), {status: 'warn', symptoms: ['executor/vite-cache-corrupt'], mentions: ['empty']})
  })

  it('covers every cache dir of the monorepo (cloud ssr environment, .tanstack beside it)', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    mkdirSync(join(root, 'apps', 'cloud', '.tanstack'), {recursive: true})
    writeViteCache(join(root, 'apps', 'cloud', 'node_modules', '.vite'), {lockfileHash: 'deadbeef'}, 'deps_ssr')
    const result = await run(root)
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/vite-cache-lockfile-changed'],
      mentions: ['deps_ssr', join(root, 'apps', 'cloud', '.tanstack')],
    })
  })

  it('recomputes the hash over a bun.lock with invalid UTF-8 as Vite reads it (U+FFFD)', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    writeFileSync(join(root, 'bun.lock'), Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]))
    writeViteCache(join(root, 'packages', 'app', 'node_modules', '.vite'), {lockfileHash: expectedHash(root)})
    expectResult(await run(root), {status: 'pass'})
  })
})
