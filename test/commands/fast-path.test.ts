import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {jsonReport, runCli} from '../helpers/cli.js'
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

  it('is one bundled module that imports nothing from oclif', () => {
    const bundle = readFileSync(join(REPO, 'dist/fast-root.js'), 'utf8')
    assert.doesNotMatch(bundle, /from\s+["']@oclif\//)
    assert.doesNotMatch(bundle, /import\(["']@oclif\//)
  })
})
