/**
 * The generic checks against declared targets, with real third-party daemons (nginx, redis-server)
 * in every state issue 14 › Tests names, run in-process through the engine (the end-to-end runs
 * through doctor.config.json and the CLI are in declared-e2e.test.ts).
 */
import {strict as assert} from 'node:assert'
import {chmodSync, chownSync, renameSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checks} from '../../checks/index.js'
import {createContext} from '../../src/context.js'
import {runDoctor} from '../../src/engine/doctor.js'
import {identify} from '../../src/targets/declared/identity.js'
import {declaredTarget} from '../../src/targets/declared/target.js'
import type {TargetProfile} from '../../src/targets/profile.js'
import type {CheckResult, Report} from '../../src/types.js'
import {killAll, startFixture, deadPid} from '../helpers/processes.js'
import {liveProcess, killLive} from '../helpers/live.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'
import {needTools} from '../helpers/tools.js'
import {keepCatalogue} from '../helpers/catalogue.js'
import {
  daemonHome,
  NGINX,
  profileOf,
  REDIS,
  startDaemon,
  startSecondInstance,
  stopDaemons,
  type DaemonKind,
} from '../helpers/third-party.js'

async function diagnose(profile: TargetProfile, only: string[] = []): Promise<Report> {
  const report = await runDoctor({env: {}, targets: [declaredTarget(profile)], checks, options: {only}})
  // A declared target's report (its id, its findings and plans) follows the published schema.
  assertValidReport(JSON.parse(JSON.stringify(report)))
  return report
}

function result(report: Report, id: string): CheckResult {
  const r = report.checks.find((c) => c.id === id)
  assert.ok(r, `no ${id} result in ${JSON.stringify(report.checks.map((c) => c.id))}`)
  return r
}

const dump = (r: unknown) => JSON.stringify(r, null, 2)

const squatterFor: Record<DaemonKind, (port: number) => Promise<{pid: number}>> = {
  nginx: (port) => startFixture('squatter.ts', ['--port', String(port)]),
  redis: (port) => startFixture('third-party/line-squatter.ts', ['--port', String(port), '--reply', '+PONG']),
}

for (const [kind, tool] of [
  ['nginx', NGINX],
  ['redis', REDIS],
] as const) {
  describe(`declared target: ${kind}`, function () {
    keepCatalogue()
    this.timeout(30_000)
    const tmp = tmpDirs()
    afterEach(async () => {
      await stopDaemons()
      await killLive()
      await killAll()
      tmp.cleanup()
    })

    it('healthy: detected, and no check fails or errs', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const daemon = await startDaemon(home)
      const report = await diagnose(profileOf(home))
      const target = report.targets[0]!
      assert.equal(target.detected, true, dump(target))
      assert.ok(
        target.reasons.some((r) => r.includes(`pid ${daemon.pid}`)),
        dump(target),
      )
      assert.equal('profile' in target, false, 'the profile never reaches the report')
      const bad = report.checks.filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'warn')
      assert.deepEqual(bad, [], dump(bad))
      for (const id of [
        'daemon-health',
        'port-squatter',
        'stale-lock',
        'data-dir-permissions',
        'secret-permissions',
        'symlinked-secret',
        'daemon-log-errors',
      ]) {
        assert.equal(result(report, id).status, 'pass', `${id}: ${dump(result(report, id))}`)
      }
      assert.equal(result(report, 'clock-skew').status, kind === 'nginx' ? 'pass' : 'skip', dump(result(report, 'clock-skew')))
      assert.match(result(report, 'disk-space').reason ?? '', /declares no dataDir\.minFree/)
    })

    it('SIGKILLed: the stale pid file is named with the dead pid, with a guarded quarantine plan', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const daemon = await startDaemon(home)
      await daemon.kill()
      const report = await diagnose(profileOf(home))
      const stale = result(report, 'stale-lock')
      assert.equal(stale.status, 'fail', dump(stale))
      const f = stale.findings[0]!
      assert.equal(f.symptom, `${home.kind === 'nginx' ? 'web' : 'kv'}/stale-pid-file`)
      assert.ok(f.message.includes(home.pidFile) && f.message.includes(String(daemon.pid)), f.message)
      assert.deepEqual(
        f.plan?.map((s) => [s.kind, s.risk]),
        [['quarantine', 'safe']],
      )
      assert.deepEqual((f.plan![0] as {guard?: unknown}).guard, {pid: daemon.pid, mustBe: 'dead'})
      assert.equal(
        result(report, 'daemon-health').findings[0]?.symptom.endsWith('/not-answering'),
        true,
        dump(result(report, 'daemon-health')),
      )
    })

    it('a pid file naming a live unrelated process is recycled, guarded on that process', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const other = await liveProcess()
      writeFileSync(home.pidFile, `${other.pid}\n`)
      const stale = result(await diagnose(profileOf(home), ['stale-lock']), 'stale-lock')
      assert.equal(stale.status, 'fail', dump(stale))
      assert.match(stale.findings[0]!.symptom, /\/recycled-pid-file$/)
      assert.equal((stale.findings[0]!.plan![0] as {guard: {mustBe: string}}).guard.mustBe, 'dead-or-same')
    })

    it('a foreign process on its port answering like the daemon: port-squatter names it, daemon-health does not pass', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const squatter = await squatterFor[kind](home.port)
      const report = await diagnose(profileOf(home))
      const squat = result(report, 'port-squatter')
      assert.equal(squat.status, 'fail', dump(squat))
      assert.ok(squat.findings[0]!.message.includes(`pid ${squatter.pid}`), squat.findings[0]!.message)
      assert.equal((squat.findings[0]!.evidence.owner as {pid: number}).pid, squatter.pid)
      assert.ok('cwd' in (squat.findings[0]!.evidence.owner as object), dump(squat.findings[0]!.evidence))
      const health = result(report, 'daemon-health')
      assert.equal(health.status, 'fail', dump(health))
      assert.match(health.findings[0]!.symptom, /\/impostor$/)
      assert.equal(result(report, 'clock-skew').status, 'skip')
    })

    it('loose modes on the data dir and the secret: named, with chmod plans to the declared modes', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      chmodSync(home.dataDir, 0o755)
      chmodSync(home.secret, 0o644)
      await startDaemon(home)
      const report = await diagnose(profileOf(home))
      const dir = result(report, 'data-dir-permissions')
      assert.equal(dir.status, 'fail', dump(dir))
      assert.ok(dir.findings[0]!.message.includes('0755') && dir.findings[0]!.message.includes('0700'), dir.findings[0]!.message)
      assert.deepEqual(
        dir.findings[0]!.plan?.map((s) => [s.kind, (s as {mode?: number}).mode]),
        [['chmod', 0o700]],
      )
      const secret = result(report, 'secret-permissions')
      assert.equal(secret.status, 'fail', dump(secret))
      assert.deepEqual(
        secret.findings[0]!.plan?.map((s) => [s.kind, (s as {mode?: number}).mode]),
        [['chmod', 0o600]],
      )
      assert.equal(result(report, 'daemon-health').status, 'pass')
    })

    it('loose modes on files another user owns: named, and the plan is only a printed command', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`), {asNobody: true})
      chmodSync(home.dataDir, 0o755)
      chmodSync(home.secret, 0o644)
      const report = await diagnose(profileOf(home), ['data-dir-permissions', 'secret-permissions'])
      for (const id of ['data-dir-permissions', 'secret-permissions']) {
        const r = result(report, id)
        assert.equal(r.status, 'fail', dump(r))
        assert.deepEqual(
          r.findings[0]!.plan?.map((s) => s.kind),
          ['manual'],
          dump(r),
        )
      }
    })

    it('a symlinked secret: named with where it leads, and offered a private copy after a confirm', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const elsewhere = tmp.make('doctorkit-elsewhere-')
      const real = join(elsewhere, 'shared-secret')
      renameSync(home.secret, real)
      symlinkSync(real, home.secret)
      await startDaemon(home)
      const report = await diagnose(profileOf(home))
      const link = result(report, 'symlinked-secret')
      assert.equal(link.status, 'fail', dump(link))
      assert.ok(link.findings[0]!.message.includes(real), link.findings[0]!.message)
      assert.deepEqual(
        link.findings[0]!.plan?.map((s) => [s.kind, s.risk]),
        [['replace-symlink', 'confirm']],
      )
      assert.equal(result(report, 'secret-permissions').status, 'pass', 'a link is not judged by mode')
    })

    it('a symlinked secret planted by another user gets no automatic plan', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const elsewhere = tmp.make('doctorkit-elsewhere-')
      chmodSync(elsewhere, 0o755)
      const real = join(elsewhere, 'planted')
      writeFileSync(real, 'requirepass planted\n')
      chownSync(real, 65534, 65534)
      renameSync(home.secret, join(elsewhere, 'orig'))
      symlinkSync(real, home.secret)
      const link = result(await diagnose(profileOf(home), ['symlinked-secret']), 'symlinked-secret')
      assert.equal(link.status, 'fail', dump(link))
      assert.deepEqual(
        link.findings[0]!.plan?.map((s) => s.kind),
        ['manual'],
      )
      assert.ok(dump(link).includes('nobody'), dump(link))
    })

    it("a second instance on the taken port: daemon-log-errors reports the declared symptom from the daemon's own line", async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      await startDaemon(home)
      await startSecondInstance(home)
      const logs = result(await diagnose(profileOf(home)), 'daemon-log-errors')
      assert.equal(logs.status, 'fail', dump(logs))
      assert.equal(logs.findings[0]!.symptom, `${kind === 'nginx' ? 'web' : 'kv'}/port-in-use`)
      assert.match(String(logs.findings[0]!.evidence.text), /Address already in use/)
    })

    it('hung (SIGSTOP: the socket accepts, nothing answers): a verified daemon is offered to terminate after a confirm', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const daemon = await startDaemon(home)
      process.kill(daemon.pid, 'SIGSTOP')
      try {
        const report = await runDoctor({
          env: {},
          targets: [declaredTarget(profileOf(home))],
          checks,
          options: {only: ['daemon-health'], httpTimeoutMs: 500},
        })
        const health = result(report, 'daemon-health')
        assert.equal(health.status, 'fail', dump(health))
        assert.match(health.findings[0]!.symptom, /\/hung$/)
        const step = health.findings[0]!.plan![0] as {kind: string; risk: string; process: {pid: number}}
        assert.deepEqual([step.kind, step.risk, step.process.pid], ['terminate', 'confirm', daemon.pid])
      } finally {
        process.kill(daemon.pid, 'SIGCONT')
      }
    })

    it('disk-space: a minFree beyond what the filesystem has fails, naming both', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const profile = profileOf(home)
      profile.dataDir = {...profile.dataDir!, minFree: 2 ** 60}
      const disk = result(await diagnose(profile, ['disk-space']), 'disk-space')
      assert.equal(disk.status, 'fail', dump(disk))
      assert.match(disk.findings[0]!.message, /declares at least 1024 PiB|declares at least \d/)
    })

    it('not running and no state: not detected, so nothing runs', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const profile = profileOf(home)
      profile.dataDir = {path: join(home.dir, 'absent')}
      profile.pidFile = {path: join(home.dir, 'absent.pid')}
      const report = await diagnose(profile)
      assert.equal(report.targets[0]!.detected, false, dump(report.targets))
      assert.deepEqual(report.checks, [])
    })
  })
}

describe('declared target identity', function () {
  keepCatalogue()
  this.timeout(20_000)
  const tmp = tmpDirs()
  afterEach(async () => {
    await stopDaemons()
    tmp.cleanup()
  })

  it('survives redis rewriting its argv and its multi-call binary behind a symlink', async function () {
    needTools(this, REDIS)
    const home = await daemonHome('redis', tmp.make('doctorkit-redis-'))
    const daemon = await startDaemon(home)
    const ctx = createContext({env: {}})
    try {
      const lookup = await ctx.processes.get(daemon.pid)
      assert.equal(lookup.alive, true)
      assert.ok(lookup.alive === true)
      const proc = lookup.info
      assert.notEqual(proc.exe, '/usr/bin/redis-server', 'Debian runs redis-server through a symlink to a multi-call binary')
      assert.match(proc.argv.join(' '), /127\.0\.0\.1:\d+/, 'redis rewrites its title')
      // The rewritten title is padded with blanks to the old argv's length; a report shows it without them.
      assert.match(proc.argv.join(' '), /\s$/, 'redis pads its rewritten title')
      assert.equal(proc.cmdline, proc.cmdline.trimEnd())
      // Distinct ids: what a profile's executables resolve to is memoised per target id and run.
      const base = (id: string) => profileOf(home, id)
      // By executable only: the kernel reports the link's target, the declaration names the link.
      const byExe = await identify(ctx, {...base('by-exe'), process: {names: [], executables: ['/usr/bin/redis-server']}}, proc)
      assert.equal(byExe.verdict, 'match', `${dump(byExe)} exe=${proc.exe}`)
      // By name only: comm, whatever argv says now.
      const byName = await identify(ctx, {...base('by-name'), process: {names: ['redis-server'], executables: []}}, proc)
      assert.equal(byName.verdict, 'match', dump(byName))
      const other = await identify(ctx, {...base('other'), process: {names: ['nginx'], executables: ['/usr/sbin/nginx']}}, proc)
      assert.equal(other.verdict, 'other')
    } finally {
      await ctx.close()
    }
  })

  it('a dead pid is not a process at all (the fixture helpers build real dead pids)', async () => {
    const ctx = createContext({env: {}})
    try {
      assert.equal((await ctx.processes.get(await deadPid())).alive, false)
    } finally {
      await ctx.close()
    }
  })
})
