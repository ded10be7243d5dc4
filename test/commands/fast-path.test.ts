import assert from 'node:assert/strict'
import {chmodSync, cpSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {jsonReport, runCli, runProgram} from '../helpers/cli.js'
import {REPO} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

/** oclif logs through `debug`: with DEBUG=oclif* every oclif start leaves `oclif:` lines on stderr. */
const loadedOclif = (stderr: string) => /\boclif:main\b/.test(stderr)

describe('doctor: the fast path of the root run (no oclif)', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  it('runs the checks without loading oclif', async () => {
    const home = tmp.make()
    const r = await runCli(['--json', '--target', 'executor'], {env: {HOME: home, EXECUTOR_DATA_DIR: '', DEBUG: 'oclif*'}, cwd: home})
    assert.equal(r.code, 0, r.stderr)
    assertValidReport(jsonReport(r))
    assert.ok(!loadedOclif(r.stderr), r.stderr)
  })

  it('reports its own usage errors like oclif does, still without oclif', async () => {
    const home = tmp.make()
    const r = await runCli(['--only', 'nope'], {env: {HOME: home, DEBUG: 'oclif*'}, cwd: home})
    assert.equal(r.code, 2)
    assert.match(r.stderr, / › {3}Error: unknown check id "nope"/)
    assert.ok(!loadedOclif(r.stderr), r.stderr)
  })

  it('answers an unknown --target itself (targets are open: the config may declare it)', async () => {
    const home = tmp.make()
    const r = await runCli(['--target', 'nginx'], {env: {HOME: home, DEBUG: 'oclif*'}, cwd: home})
    assert.equal(r.code, 2)
    assert.match(r.stderr, / › {3}Error: unknown target "nginx"/)
    assert.ok(!loadedOclif(r.stderr), r.stderr)
  })

  for (const args of [['--no-such-flag'], ['--format', 'nginx'], ['--only', 'a', 'b'], ['--help']]) {
    it(`hands ${args.join(' ')} to oclif, which answers in its own words`, async () => {
      const home = tmp.make()
      const r = await runCli(args, {env: {HOME: home, DEBUG: 'oclif*'}, cwd: home})
      assert.ok(loadedOclif(r.stderr), 'oclif took over')
      assert.equal(r.code, args[0] === '--help' ? 0 : 2, r.stderr)
    })
  }

  it('is one bundled script that loads nothing from oclif', () => {
    const bundle = readFileSync(join(REPO, 'dist/fast-root.cjs'), 'utf8')
    assert.doesNotMatch(bundle, /require\(["']@oclif\//)
    assert.doesNotMatch(bundle, /import\(["']@oclif\//)
    // Its import() calls are bin/run.js's (scripts/bundle.mjs): a script's own needs node:vm's callback.
    assert.doesNotMatch(bundle, /\bimport\(/)
  })
})

describe('doctor: the fast path starts from the V8 code cache the build made', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  /** A copy of the built package (bin, dist), so a test can change its bundle or cache. */
  function copyPackage(): string {
    const root = tmp.make()
    for (const part of ['bin', 'dist', 'package.json'])
      cpSync(join(REPO, part), join(root, part), {recursive: true, preserveTimestamps: true})
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'))
    return root
  }

  /** `doctor --json` with a preload that reports whether V8 took the cache: "false" (taken), "true" (rejected), "undefined" (none given). */
  async function run(root: string, nodeFlags: string[] = []): Promise<{rejected: string; report: Report}> {
    const home = tmp.make()
    const hook = join(home, 'hook.mjs')
    writeFileSync(
      hook,
      "globalThis[Symbol.for('doctorkit.fast-root.compiled')] = (s) => process.stderr.write(`cachedDataRejected=${s.cachedDataRejected}\\n`)\n",
    )
    const r = await runProgram([process.execPath, ...nodeFlags, '--import', hook, join(root, 'bin/run.js'), '--json'], {
      env: {...process.env, HOME: home, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'},
      cwd: home,
    })
    // 1 when a daemon of someone else's on this machine is not healthy: the verdict is not the point here.
    assert.ok(r.code === 0 || r.code === 1, r.stderr)
    const report = jsonReport(r)
    assertValidReport(report)
    const rejected = /cachedDataRejected=(\w+)/.exec(r.stderr)?.[1]
    assert.ok(rejected, `bin/run.js compiled dist/fast-root.cjs: ${r.stderr}`)
    assert.equal(r.stderr.replace(/cachedDataRejected=\w+\n/, ''), '', 'nothing else on stderr')
    return {rejected, report}
  }

  it('takes the cache made for this bundle, also from a copy (other mtimes: the content decides)', async () => {
    assert.equal((await run(REPO)).rejected, 'false')
    const root = copyPackage()
    const now = new Date()
    utimesSync(join(root, 'dist/fast-root.cjs'), now, now)
    assert.equal((await run(root)).rejected, 'false')
  })

  it('compiles the source when the cache is not for this bundle, is missing, or is writable by others', async () => {
    const root = copyPackage()
    const bundle = join(root, 'dist/fast-root.cjs')
    const cache = join(root, 'dist/fast-root.cache')
    // Same length, other code: V8 alone would take the cache (it compares lengths).
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('Try this:', 'Try that:'))
    assert.equal((await run(root)).rejected, 'undefined')
    const other = copyPackage()
    chmodSync(join(other, 'dist/fast-root.cache'), 0o666)
    assert.equal((await run(other)).rejected, 'undefined')
    rmSync(cache)
    assert.equal((await run(root)).rejected, 'undefined')
  })

  it('falls back to compiling when V8 rejects the cache (other flags; a garbled cache)', async () => {
    const flags = await run(REPO, ['--max-semi-space-size=32'])
    assert.equal(flags.rejected, 'true')
    const root = copyPackage()
    const cache = join(root, 'dist/fast-root.cache')
    const raw = readFileSync(cache)
    const header = raw.subarray(0, raw.indexOf(10) + 1)
    writeFileSync(cache, Buffer.concat([header, Buffer.alloc(raw.length - header.length, 0x5a)]))
    const garbled = await run(root)
    assert.equal(garbled.rejected, 'true')
    const verdicts = (report: Report) => [report.targets.map((t) => [t.id, t.detected]), report.checks, report.summary]
    assert.deepEqual(verdicts(garbled.report), verdicts(flags.report))
  })
})
