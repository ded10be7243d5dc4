/**
 * `doctor bundle` stays bounded whatever the data dir holds (issue 13 §3): 20,000 daemon records
 * and 20,000 start locks, 100,000 RunWisp run logs, built for real. At most `maxPerKind` files of
 * a kind go in, the rest are counted in manifest.json and the summary, and `--timeout` is a
 * wall-clock promise: the bundle is written within it, or says it was cut short, or errors.
 */
import assert from 'node:assert/strict'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {collectBundle} from '../../src/bundle/collect.js'
import {DEFAULT_BUNDLE_OPTIONS} from '../../src/bundle/options.js'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {readArchive} from './helpers.js'

interface ManifestShape {
  complete: boolean
  cutShort?: string
  files: Array<{path: string}>
  leftOut: Array<{what: string; found: number; foundAtLeast?: boolean; kept: number; cause: string; reason: string}>
}

/** `count` files named by `name(i)` in `dir`; empty unless `body` is given (an open and close is 3× faster than a write). */
function manyFiles(dir: string, count: number, name: (i: number) => string, body?: (i: number) => string): void {
  mkdirSync(dir, {recursive: true})
  for (let i = 0; i < count; i++) {
    if (body) writeFileSync(join(dir, name(i)), body(i))
    else closeSync(openSync(join(dir, name(i)), 'w'))
  }
}

describe('doctor bundle is bounded (40k state files, 100k run logs)', function () {
  this.timeout(120_000)
  const tmp = tmpDirs()
  let root: string
  let env: NodeJS.ProcessEnv
  let cwd: string

  before(() => {
    root = tmp.make('doctorkit-bounded-')
    const home = join(root, 'home')
    cwd = join(root, 'work')
    const dataDir = join(home, '.executor')
    mkdirSync(join(dataDir, 'server-control'), {recursive: true})
    // Records of dead daemons on 20,000 ports and as many start locks (executor-facts §1.3 names).
    manyFiles(
      dataDir,
      20_000,
      (i) => `daemon-127.0.0.1-${20_000 + i}.json`,
      (i) =>
        JSON.stringify({
          version: 1,
          hostname: '127.0.0.1',
          port: 20_000 + i,
          pid: 999_999,
          startedAt: '2026-01-01T00:00:00.000Z',
          scopeDir: null,
        }),
    )
    manyFiles(dataDir, 20_000, (i) => `daemon-active-127.0.0.1-${i.toString(16).padStart(24, '0')}.json.lock`)
    // The newest record by mtime is one with a low port: the cap keeps the newest, not the first names.
    const future = new Date(Date.now() + 60_000)
    utimesSync(join(dataDir, 'daemon-127.0.0.1-20000.json'), future, future)
    // 100 tasks × 1,000 run logs in a RunWisp data dir (runwisp-facts §1.4 layout).
    const logs = join(cwd, '.runwisp', 'logs')
    for (let t = 0; t < 100; t++) manyFiles(join(logs, `task-${t}`), 1000, (i) => `run-${i}.log`)
    writeFileSync(join(cwd, '.runwisp', 'runwisp.db'), '')
    env = {HOME: home, XDG_STATE_HOME: join(root, 'state')}
  })
  after(() => tmp.cleanup())

  it('holds at most the cap per kind, the newest, and counts the rest in manifest.json and the summary', async () => {
    const result = await runCli(['bundle', '--output', 'b.tar.gz'], {env, cwd, timeoutMs: 60_000})
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const files = await readArchive(join(cwd, 'b.tar.gz'))
    const names = [...files.keys()]
    const records = names.filter((n) => /^executor\/daemon-127/.test(n) && n.endsWith('.json'))
    const locks = names.filter((n) => n.endsWith('.json.lock'))
    assert.equal(records.length, DEFAULT_BUNDLE_OPTIONS.maxPerKind)
    assert.equal(locks.length, DEFAULT_BUNDLE_OPTIONS.maxPerKind)
    assert.ok(records.includes('executor/daemon-127.0.0.1-20000.json'), 'the most recently modified record is kept')
    assert.ok(names.length < 200, `${names.length} files in the bundle`)
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as ManifestShape
    assert.equal(manifest.complete, true)
    const record = manifest.leftOut.find((l) => l.what === 'Executor daemon record')
    assert.deepEqual({found: record?.found, kept: record?.kept, cause: record?.cause}, {found: 20_000, kept: 50, cause: 'cap'})
    const lock = manifest.leftOut.find((l) => l.what === 'Executor daemon start lock')
    assert.deepEqual({found: lock?.found, kept: lock?.kept}, {found: 20_000, kept: 50})
    const runs = manifest.leftOut.find((l) => l.what.startsWith('RunWisp run logs'))
    assert.deepEqual(
      {found: runs?.found, kept: runs?.kept, atLeast: runs?.foundAtLeast},
      {found: 100_000, kept: DEFAULT_BUNDLE_OPTIONS.runLogs, atLeast: undefined},
    )
    assert.equal(names.filter((n) => n.startsWith('runwisp/data/logs/')).length, DEFAULT_BUNDLE_OPTIONS.runLogs)
    assert.match(result.stdout, /Executor daemon record: 50 of 20000 included \(only the 50 most recently modified/)
    assert.match(result.stdout, /RunWisp run logs in .*: 5 of 100000 included/)
    assert.match(files.get('report.md')!.toString(), /Executor daemon start lock: 50 of 20000 included/)
  })

  it('ends within --timeout plus a small grace on the same data dir', async () => {
    const result = await runCli(['bundle', '--output', 'quick.tar.gz', '--timeout', '3s'], {env, cwd, timeoutMs: 30_000})
    assert.equal(result.code, 0, result.stderr + result.stdout)
    // Node start-up and the archive write come on top of the budget; 1.5 s covers them on 2 busy cores.
    assert.ok(result.durationMs < 3000 + 1500, `took ${result.durationMs} ms`)
    const manifest = JSON.parse((await readArchive(join(cwd, 'quick.tar.gz'))).get('manifest.json')!.toString()) as ManifestShape
    assert.equal(typeof manifest.complete, 'boolean')
  })

  it('errors clearly, writing nothing, when the budget ends before the secrets to redact are read', async () => {
    const result = await runCli(['bundle', '--output', 'none.tar.gz', '--timeout', '1ms'], {env, cwd, timeoutMs: 30_000})
    assert.equal(result.code, 2, result.stderr + result.stdout)
    assert.match(result.stderr, /--timeout budget \(1 ms\) ran out before the secrets to redact were all read; nothing was collected/)
    assert.match(result.stderr, /--timeout 60s/)
    assert.doesNotMatch(result.stderr, /\n\s+at /)
    assert.equal(existsSync(join(cwd, 'none.tar.gz')), false)
    assert.deepEqual(
      readdirSync(cwd).filter((n) => n.endsWith('.tmp')),
      [],
    )
  })

  it('says it was cut short, in the manifest and report.md, when the budget runs out mid-collection', async () => {
    // A sink as slow as a congested disk: 150 ms per file against a 1.5 s budget.
    const written: string[] = []
    const started = Date.now()
    const bundle = await collectBundle({
      env,
      cwd,
      home: env.HOME!,
      options: DEFAULT_BUNDLE_OPTIONS,
      runOptions: {budgetMs: 1500},
      sink: async ({name, data}) => {
        await new Promise((r) => setTimeout(r, 150))
        written.push(name)
        if (name === 'manifest.json') written.push(data.toString())
      },
    })
    const elapsed = Date.now() - started
    assert.ok(bundle.cutShort, 'the bundle says it was cut short')
    assert.match(bundle.cutShort, /the --timeout budget \(1500 ms\) ran out before the bundle was complete; not collected: .*planned files/)
    // After the budget only the summary files are written (the file mid-write, secret-files.json,
    // report.md, manifest.json: 4 × 150 ms), plus scheduling slack on a busy machine.
    assert.ok(elapsed < 1500 + 4 * 150 + 800, `took ${elapsed} ms`)
    const manifest = JSON.parse(written.at(-1)!) as ManifestShape
    assert.equal(manifest.complete, false)
    assert.equal(manifest.cutShort, bundle.cutShort)
    assert.ok(
      manifest.leftOut.some((l) => l.cause === 'budget' && l.kept === 0 && l.found > 0),
      'what was not reached is counted by kind',
    )
    assert.ok(written.includes('report.md'))
  })
})
