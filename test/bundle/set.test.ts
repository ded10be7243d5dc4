/**
 * `doctor bundle --set <target>.<key>=<value>` means what it means for `doctor`: a declared
 * target pointed elsewhere is checked and collected there. `bundle verify --set` takes the same
 * values (the secrets it scans for are read where they point) and refuses a bad one as `doctor` does.
 */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {readArchive} from './helpers.js'

describe('doctor bundle --set', function () {
  this.timeout(60_000)
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  /** kv declared at data-a and a/kv.log (neither exists); the real ones are at data-b and b/kv.log. */
  function install(): string {
    const dir = tmp.make()
    writeFileSync(
      join(dir, 'doctor.config.json'),
      JSON.stringify({targets: [{id: 'kv', dataDir: {path: 'data-a', mode: '0700'}, logs: ['a/kv.log']}]}),
    )
    mkdirSync(join(dir, 'data-b'), {mode: 0o700})
    mkdirSync(join(dir, 'b'))
    writeFileSync(join(dir, 'b/kv.log'), 'kv started from data-b\n')
    return dir
  }

  it("collects a declared target's log and checks its data dir where --set points them", async () => {
    const dir = install()
    const set = ['--set', `kv.dataDir=${join(dir, 'data-b')}`, '--set', `kv.logs=${join(dir, 'b/kv.log')}`]
    const result = await runCli(['bundle', '--output', 'out.tar.gz', ...set], {env: {HOME: dir}, cwd: dir})
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const files = await readArchive(join(dir, 'out.tar.gz'))
    assert.equal(files.get('kv/kv.log')?.toString(), 'kv started from data-b\n', [...files.keys()].join(', '))
    const report = JSON.parse(files.get('report.json')!.toString()) as Report
    const dataDir = report.checks.find((c) => c.id === 'data-dir-permissions' && c.target === 'kv')
    // data-b exists with its declared mode.
    assert.equal(dataDir?.status, 'pass', JSON.stringify(dataDir))

    // Without --set the same install is collected where the config says: nothing there.
    const plain = await runCli(['bundle', '--output', 'plain.tar.gz'], {env: {HOME: dir}, cwd: dir})
    assert.equal(plain.code, 0, plain.stderr)
    const without = await readArchive(join(dir, 'plain.tar.gz'))
    assert.equal(without.has('kv/kv.log'), false)
    // Nothing is at data-a: the target is not even found there, so none of its checks run.
    const plainReport = JSON.parse(without.get('report.json')!.toString()) as Report
    assert.equal(plainReport.targets.find((t) => t.id === 'kv')?.detected, false)
    assert.equal(
      plainReport.checks.some((c) => c.target === 'kv'),
      false,
    )
    assert.equal(report.targets.find((t) => t.id === 'kv')?.detected, true)

    const verify = await runCli(['bundle', 'verify', 'out.tar.gz', ...set], {env: {HOME: dir}, cwd: dir})
    assert.equal(verify.code, 0, verify.stderr + verify.stdout)
  })

  it('refuses a --set naming no target, for bundle and bundle verify alike, before writing anything', async () => {
    const dir = install()
    for (const args of [
      ['bundle', '--output', 'out.tar.gz', '--set', 'nope.dataDir=/x'],
      ['bundle', 'verify', 'out.tar.gz', '--set', 'nope.dataDir=/x'],
    ]) {
      const result = await runCli(args, {env: {HOME: dir}, cwd: dir})
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, /--set "nope\.dataDir=\/x" names no target "nope"/)
      assert.match(result.stderr, /known targets: executor, runwisp, kv/)
    }
  })
})
