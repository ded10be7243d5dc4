/**
 * End to end through the built CLI (`bin/run.js`), as a user runs it: one healthy and one broken
 * RunWisp per generation, and "permission denied" for an unprivileged user (setpriv, uid 65534).
 */
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, symlinkSync, writeFileSync, chownSync} from 'node:fs'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import type {Report} from '../../src/types.js'
import {killRunwisps, requestLog, startRunwisp, type Generation} from './helpers.js'

const tmp = tmpDirs()
// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('runwisp/e2e', () => {
  afterEach(async () => {
    await killRunwisps()
    tmp.cleanup()
  })

  function workdir(generation: Generation, toml: string) {
    const cwd = tmp.make('runwisp-e2e-')
    chmodSync(cwd, 0o755)
    writeFileSync(join(cwd, 'runwisp.toml'), toml)
    return {cwd, dataDir: join(cwd, generation === '0.3-0.4' ? 'data' : '.runwisp')}
  }

  const runwispOnly = ['--target', 'runwisp', '--json']
  const parse = (stdout: string) => JSON.parse(stdout) as Report
  const ours = (report: Report) => report.checks.filter((c) => c.target === 'runwisp')

  const TOML: Record<Generation, string> = {
    '0.3-0.4': '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\nparallelism = 1\n',
    '0.5-0.15': '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\nmax_concurrent = 1\n',
    '0.16+': '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\nmax_concurrent = 1\non_overlap = "kill"\n[notifiers.ops]\ntype = "slack"\n',
  }

  describe('doctor e2e: RunWisp', () => {
    for (const generation of ['0.3-0.4', '0.5-0.15', '0.16+'] as const) {
      it(`${generation}: a healthy RunWisp passes, reports its generation, and is never logged into`, async () => {
        const {cwd, dataDir} = workdir(generation, TOML[generation])
        const log = join(cwd, 'requests.log')
        const daemon = await startRunwisp({generation, dataDir, cwd, fake: {requestLog: log}})
        const result = await runCli([...runwispOnly, '--runwisp-port', String(daemon.port)], {
          cwd,
          env: {HOME: cwd, RUNWISP_DATA: '', RUNWISP_CONFIG: ''},
        })
        const report = parse(result.stdout)
        const target = report.targets.find((t) => t.id === 'runwisp')!
        assert.equal(target.detected, true)
        assert.equal(target.generation, generation, target.generationReason)
        assert.equal(target.dataDir, dataDir)
        const bad = ours(report).filter((c) => !['pass', 'skip'].includes(c.status))
        assert.deepEqual(bad, [], JSON.stringify(bad, null, 2))
        assert.equal(result.code, 0, result.stderr)
        assert.deepEqual(
          requestLog(log).filter((r) => !r.startsWith('GET ') || r.includes('/api/auth')),
          [],
        )
      })
    }

    it('0.3-0.4 broken: a symlinked data/password fails with the documented fix', async () => {
      const {cwd, dataDir} = workdir('0.3-0.4', TOML['0.3-0.4'])
      mkdirSync(dataDir, {mode: 0o700})
      writeFileSync(join(cwd, 'real-password'), 'x\n', {mode: 0o600})
      symlinkSync(join(cwd, 'real-password'), join(dataDir, 'password'))
      const result = await runCli([...runwispOnly, '--only', 'symlinked-secret'], {cwd, env: {HOME: cwd}})
      assert.equal(result.code, 1)
      const check = ours(parse(result.stdout))[0]!
      assert.equal(check.status, 'fail')
      assert.equal(check.findings[0]!.symptom, 'runwisp/symlinked-secret')
      assert.ok(check.findings[0]!.message.includes(`refusing to write ${join(dataDir, 'password')}: path is a symlink`))
    })

    it("0.5-0.15 broken: another data dir's daemon holds the port (human report on stdout)", async () => {
      const {cwd} = workdir('0.5-0.15', TOML['0.5-0.15'])
      const other = tmp.make('runwisp-e2e-other-')
      const daemon = await startRunwisp({generation: '0.5-0.15', dataDir: join(other, '.runwisp'), cwd: other})
      const result = await runCli(['--target', 'runwisp', '--only', 'duplicate-daemon', '--runwisp-port', String(daemon.port)], {
        cwd,
        env: {HOME: cwd},
      })
      assert.equal(result.code, 1, result.stdout + result.stderr)
      assert.match(result.stdout, /started from a different data directory/)
      assert.ok(result.stdout.includes(`runwisp stop --data ${join(other, '.runwisp')}`), result.stdout)
    })

    it('0.16+ broken: a 0.4-style config against a 0.16+ daemon, with line and column', async () => {
      const {cwd, dataDir} = workdir('0.16+', '[tasks.backup]\ncron = "61 * * * *"\nparallelism = 1\n')
      const daemon = await startRunwisp({generation: '0.16+', dataDir, cwd})
      const result = await runCli([...runwispOnly, '--only', 'config-valid', '--runwisp-port', String(daemon.port)], {
        cwd,
        env: {HOME: cwd},
      })
      assert.equal(result.code, 1)
      const check = ours(parse(result.stdout))[0]!
      assert.deepEqual(check.findings.map((f) => f.symptom).sort(), ['runwisp/config-unknown-key', 'runwisp/cron-invalid'])
      assert.ok(check.findings.some((f) => f.message.includes('runwisp.toml:2:1') && f.message.includes('61 is out of range')))
      assert.ok(check.findings.some((f) => f.message.includes('runwisp.toml:3:1') && f.message.includes("did you mean 'max_concurrent'?")))
    })

    it('"permission denied" on the data dir, for the unprivileged user who runs RunWisp', async () => {
      const {cwd, dataDir} = workdir('0.16+', TOML['0.16+'])
      mkdirSync(dataDir, {mode: 0o700}) // owned by root: uid 65534 can neither list nor write it
      const result = await runCli([...runwispOnly, '--only', 'data-dir-permissions', '--runwisp-data-dir', dataDir], {
        cwd,
        env: {HOME: cwd},
        asNobody: true,
      })
      assert.equal(result.code, 1, result.stderr)
      const check = ours(parse(result.stdout))[0]!
      assert.equal(check.status, 'fail', JSON.stringify(check))
      assert.equal(check.findings[0]!.symptom, 'runwisp/data-dir-permission-denied')
      assert.ok(check.findings[0]!.fix.commands.includes(`sudo chown -R nobody:nogroup ${dataDir}`), JSON.stringify(check.findings[0]))
      assert.ok(check.findings[0]!.fix.commands.includes(`sudo chmod 0700 ${dataDir}`))
    })

    it('files a root run left in the data dir, which the unprivileged daemon user cannot rotate', async () => {
      const {cwd, dataDir} = workdir('0.16+', TOML['0.16+'])
      mkdirSync(join(dataDir, 'logs', 'backup'), {recursive: true, mode: 0o700})
      for (const name of ['a.log', 'b.log']) writeFileSync(join(dataDir, 'logs', 'backup', name), 'x\n') // root's, as after `sudo runwisp`
      writeFileSync(join(dataDir, 'logs', 'backup', 'c.log'), 'x\n')
      for (const path of [dataDir, join(dataDir, 'logs'), join(dataDir, 'logs', 'backup'), join(dataDir, 'logs', 'backup', 'c.log')])
        chownSync(path, 65534, 65534)
      const result = await runCli([...runwispOnly, '--only', 'data-dir-permissions', '--runwisp-data-dir', dataDir], {
        cwd,
        env: {HOME: cwd},
        asNobody: true,
      })
      assert.equal(result.code, 1, result.stderr)
      const check = ours(parse(result.stdout))[0]!
      const f = check.findings.find((x) => x.symptom === 'runwisp/data-dir-foreign-files')
      assert.ok(f, JSON.stringify(check))
      assert.match(f.message, /^2 entries under .* are not owned by nobody/)
      assert.ok(f.fix.commands.includes(`sudo chown -R nobody:nogroup ${dataDir}`), JSON.stringify(f.fix))
    })
  })
})
