/**
 * Issue 14 › Tests, end to end: real nginx and redis-server declared in a doctor.config.json, the
 * built CLI run against them as a user would (doctor, --fix --yes, undo, bundle, bundle verify,
 * explain), each state built for real by the daemon itself or by a real foreign process.
 */
import {strict as assert} from 'node:assert'
import {existsSync, lstatSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {rawTar} from '../bundle/helpers.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {needTools} from '../helpers/tools.js'
import {
  daemonHome,
  NGINX,
  REDIS,
  startDaemon,
  startSecondInstance,
  stopDaemons,
  type DaemonHome,
  type DaemonKind,
} from '../helpers/third-party.js'

const squatterFor: Record<DaemonKind, (port: number) => Promise<{pid: number}>> = {
  nginx: (port) => startFixture('squatter.ts', ['--port', String(port)]),
  redis: (port) => startFixture('third-party/line-squatter.ts', ['--port', String(port), '--reply', '+PONG']),
}

for (const [kind, tool] of [
  ['nginx', NGINX],
  ['redis', REDIS],
] as const) {
  describe(`declared target end to end: ${kind}`, function () {
    this.timeout(90_000)
    const tmp = tmpDirs()
    afterEach(async () => {
      await stopDaemons()
      await killAll()
      tmp.cleanup()
    })

    const id = kind === 'nginx' ? 'web' : 'kv'

    /** The daemon's home, a working dir holding doctor.config.json that declares it, and a HOME of its own. */
    async function setUp(): Promise<{
      home: DaemonHome
      cwd: string
      env: NodeJS.ProcessEnv
      doctor(args: string[]): ReturnType<typeof runCli>
    }> {
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const cwd = tmp.make('doctorkit-e2e-cwd-')
      writeFileSync(join(cwd, 'doctor.config.json'), JSON.stringify({targets: [home.declaration(id)]}, null, 2))
      const env = {HOME: cwd, DOCTORKIT_STATE_DIR: join(cwd, 'state'), XDG_STATE_HOME: '', PATH: process.env.PATH}
      return {home, cwd, env, doctor: (args) => runCli(args, {cwd, env, timeoutMs: 60_000})}
    }

    const of = (report: Report, check: string) => {
      const r = report.checks.find((c) => c.id === check && c.target === id)
      assert.ok(r, `no ${check} result for ${id}: ${JSON.stringify(report.checks.map((c) => `${c.target}:${c.id}`))}`)
      return r
    }

    it('healthy: detected from its declaration, and none of its checks fails', async function () {
      needTools(this, tool)
      const {home, doctor} = await setUp()
      await startDaemon(home)
      const report = jsonReport(await doctor(['--json']))
      assert.equal(report.targets.find((t) => t.id === id)?.detected, true, JSON.stringify(report.targets))
      const bad = report.checks.filter((c) => c.target === id && (c.status === 'fail' || c.status === 'error'))
      assert.deepEqual(bad, [], JSON.stringify(bad, null, 2))
      assert.equal(of(report, 'daemon-health').status, 'pass')
    })

    it('SIGKILL: the stale pid file is named with the dead pid, --fix --yes quarantines it, doctor undo restores it', async function () {
      needTools(this, tool)
      const {home, doctor, cwd, env} = await setUp()
      const daemon = await startDaemon(home)
      await daemon.kill()
      const before = jsonReport(await doctor(['--json']))
      const stale = of(before, 'stale-lock')
      assert.equal(stale.status, 'fail')
      assert.ok(
        stale.findings[0]!.message.includes(home.pidFile) && stale.findings[0]!.message.includes(String(daemon.pid)),
        stale.findings[0]!.message,
      )
      const fixed = await doctor(['--target', id, '--only', 'stale-lock', '--fix', '--yes', '--json'])
      const fix = jsonReport(fixed).fix!
      assert.ok(
        fix.steps.some((s) => s.status === 'applied'),
        JSON.stringify(fix, null, 2),
      )
      assert.equal(existsSync(home.pidFile), false, 'the stale pid file was moved aside')
      assert.equal(of(jsonReport(await doctor(['--json', '--only', 'stale-lock'])), 'stale-lock').status, 'pass')
      const undo = await runCli(['undo'], {cwd, env})
      assert.equal(undo.code, 0, undo.stdout + undo.stderr)
      assert.equal(readFileSync(home.pidFile, 'utf8').trim(), String(daemon.pid), 'undo put the pid file back as it was')
    })

    it('a foreign process answering like the daemon on its port: port-squatter names its pid, daemon-health does not pass', async function () {
      needTools(this, tool)
      const {home, doctor} = await setUp()
      const squatter = await squatterFor[kind](home.port)
      const report = jsonReport(await doctor(['--json']))
      const squat = of(report, 'port-squatter')
      assert.equal(squat.status, 'fail', JSON.stringify(squat, null, 2))
      assert.ok(
        squat.findings.some((f) => f.message.includes(`pid ${squatter.pid}`)),
        JSON.stringify(squat.findings),
      )
      assert.notEqual(of(report, 'daemon-health').status, 'pass')
    })

    it('loose modes and a symlinked secret: named, then repaired by --fix --yes (a private copy replaces the link)', async function () {
      needTools(this, tool)
      const {home, doctor} = await setUp()
      const elsewhere = tmp.make('doctorkit-elsewhere-')
      const real = join(elsewhere, 'shared-secret')
      renameSync(home.secret, real)
      chmodSync(real, 0o644)
      symlinkSync(real, home.secret)
      chmodSync(home.dataDir, 0o755)
      await startDaemon(home)
      const before = jsonReport(await doctor(['--json']))
      assert.equal(of(before, 'data-dir-permissions').status, 'fail')
      assert.equal(of(before, 'symlinked-secret').status, 'fail')
      assert.ok(of(before, 'symlinked-secret').findings[0]!.message.includes(real))
      const fixed = jsonReport(
        await doctor(['--target', id, '--only', 'data-dir-permissions,symlinked-secret,secret-permissions', '--fix', '--yes', '--json']),
      )
      assert.ok(fixed.fix!.steps.filter((s) => s.status === 'applied').length >= 2, JSON.stringify(fixed.fix, null, 2))
      assert.equal(statSync(home.dataDir).mode & 0o777, 0o700)
      const st = lstatSync(home.secret)
      assert.equal(st.isSymbolicLink(), false, 'the link was replaced')
      assert.equal(st.mode & 0o777, 0o600)
      assert.equal(readFileSync(home.secret, 'utf8'), readFileSync(real, 'utf8'), 'the private copy holds the same secret')
      const after = jsonReport(await doctor(['--json', '--only', 'data-dir-permissions,symlinked-secret,secret-permissions']))
      for (const check of ['data-dir-permissions', 'symlinked-secret', 'secret-permissions'])
        assert.equal(of(after, check).status, 'pass', check)
    })

    it('a second instance on the taken port: daemon-log-errors reports the declared symptom, explain names it, the bundle keeps the line and not the secret', async function () {
      needTools(this, tool)
      const {home, doctor, cwd, env} = await setUp()
      await startDaemon(home)
      await startSecondInstance(home)
      const report = jsonReport(await doctor(['--json']))
      const logs = of(report, 'daemon-log-errors')
      assert.equal(logs.status, 'fail')
      assert.equal(logs.findings[0]!.symptom, `${id}/port-in-use`)
      const line = readFileSync(home.log, 'utf8')
        .split('\n')
        .find((l) => /Address already in use/.test(l))!
      const explained = await runCli(['explain', '--json', line], {cwd, env})
      assert.equal(explained.code, 0, explained.stdout + explained.stderr)
      assert.equal(
        (JSON.parse(explained.stdout) as {matches: Array<{symptom: string}>}).matches[0]?.symptom,
        `${id}/port-in-use`,
        explained.stdout,
      )
      const bundle = join(cwd, 'out.tar.gz')
      const made = await runCli(['bundle', '--output', bundle], {cwd, env, timeoutMs: 60_000})
      assert.equal(made.code, 0, made.stdout + made.stderr)
      const raw = rawTar(bundle)
      assert.ok(raw.includes('Address already in use'), 'the log tail is in the bundle')
      assert.ok(!raw.includes(home.secretValue), 'the secret value never leaves')
      const verified = await runCli(['bundle', 'verify', bundle], {cwd, env})
      assert.equal(verified.code, 0, verified.stdout + verified.stderr)
      assert.deepEqual(readdirSync(join(home.dir, 'secrets')).sort(), [kind === 'nginx' ? 'htpasswd' : 'auth.conf'])
    })

    it('--target names the declared id (forced even when nothing of it exists); an unknown id is a usage error', async function () {
      needTools(this, tool)
      const {doctor} = await setUp()
      const forced = jsonReport(await doctor(['--json', '--target', id, '--only', 'stale-lock']))
      assert.equal(forced.targets.find((t) => t.id === id)?.forced, true)
      const bad = await doctor(['--target', `${id}x`])
      assert.equal(bad.code, 2, bad.stdout + bad.stderr)
      assert.match(bad.stderr, new RegExp(`unknown target "${id}x"`))
    })
  })
}
