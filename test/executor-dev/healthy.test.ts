import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runDoctor} from '../../src/engine/doctor.js'
import {freeBlockCheckout, releaseBlocks} from '../helpers/e2e-block.js'
import {killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'
import {makeCheckout, writeViteCache} from './skeleton.js'

const MINE = [
  'bootstrap-build',
  'vite-cache',
  'e2e-ports',
  'leaked-dev-servers',
  'playwright-browser',
  'auth-env',
  'token-drift',
  'secret-permissions',
  'symlinked-secret',
  'public-origin',
  'service-unit',
]

describe('executor dev and config: no false alarm on a healthy machine', () => {
  const tmp = tmpDirs()
  afterEach(async () => {
    await killAll()
    releaseBlocks()
    tmp.cleanup()
  })

  it('passes (or skips what does not apply) in a bootstrapped checkout beside a running daemon', async () => {
    const {root} = await freeBlockCheckout(() => makeCheckout(join(tmp.make(), 'executor')))
    // Vite cache built for the current lockfile, after the checkout's history.
    const lock = readFileSync(join(root, 'bun.lock'), 'utf-8') + statSync(join(root, 'patches')).mtimeMs.toString()
    mkdirSync(join(root, 'packages', 'app', 'node_modules', 'react'), {recursive: true})
    writeFileSync(join(root, 'packages', 'app', 'node_modules', 'react', 'index.js'), '')
    writeViteCache(join(root, 'packages', 'app', 'node_modules', '.vite'), {
      lockfileHash: createHash('sha256').update(lock).digest('hex').slice(0, 8),
      optimized: {react: {src: '../../react/index.js', file: 'react.js'}},
    })
    // Playwright's browsers where bootstrap puts them.
    const home = tmp.make()
    writeTree(root, {
      'node_modules/playwright-core/browsers.json': JSON.stringify({browsers: [{name: 'chromium', revision: '1187'}]}),
      'node_modules/playwright-core/package.json': '{"version": "1.56.1"}',
    })
    writeTree(home, {'.cache/ms-playwright/chromium-1187/INSTALLATION_COMPLETE': ''})
    // A current-generation daemon writing its files as Executor does.
    await startFixture('executor-daemon.ts', ['daemon', 'run', '--data-dir', join(home, '.executor'), '--port', '0'])
    const report = await runDoctor({cwd: root, home, env: {HOME: home, PATH: process.env.PATH}, options: {only: MINE}})
    const results = report.checks.filter((c) => MINE.includes(c.id))
    assert.equal(results.length, MINE.length)
    for (const r of results)
      assert.ok(r.status === 'pass' || r.status === 'skip', `${r.id}: ${r.status} ${JSON.stringify(r.findings)} ${r.reason ?? ''}`)
    assert.deepEqual(
      results
        .filter((r) => r.status === 'skip')
        .map((r) => r.id)
        .sort(),
      ['public-origin', 'service-unit'],
    )
  })
})
