/**
 * The plans of RunWisp's findings, end to end through the built CLI against real broken states:
 * fake daemons of each generation (real processes, real sockets, a real flock on daemon.pid),
 * real dead and recycled pids, real modes, owners and symlinks. Each fix is followed by the
 * re-check, and `doctor undo` must put every byte and mode back where the step is reversible.
 */
import {freePort} from '../helpers/ports.js'
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {applyPlan} from '../../src/fix/apply.js'
import {quarantineStep} from '../../src/fix/steps.js'
import type {FixStep, StepResult} from '../../src/fix/types.js'
import type {Report} from '../../src/types.js'
import {runCli, jsonReport} from '../helpers/cli.js'
import {killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {killRunwisps, startRunwisp, stopRunwisp, type Generation} from '../runwisp/helpers.js'
import {contentTree, hashTree, hashTreeExcept, isAlive, killRecorders, planOf, startRecorder} from './helpers.js'

const tmp = tmpDirs()
const held: ChildProcess[] = []
// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('fix/runwisp-plans', () => {
  afterEach(async () => {
    for (const child of held.splice(0)) child.kill('SIGKILL')
    await killRunwisps()
    await killRecorders()
    await killAll()
    tmp.cleanup()
  })

  const json = jsonReport

  const kinds = (steps: StepResult[]) => steps.map((s) => [s.step.kind, s.step.risk, s.status])
  const recheck = (report: Report) => report.fix!.recheck.map((r) => [r.check, r.outcome])
  const instructions = (s: StepResult) => (s.step as Extract<FixStep, {kind: 'manual'}>).instructions ?? []

  /**
   * A working dir laid out as RunWisp of `generation` leaves it (./data or ./.runwisp), a state dir
   * outside it, and the doctor pointed at a port of its own (nothing machine-wide is consulted).
   * PATH holds no `runwisp`, so plans are the same on every machine.
   */
  async function machine(generation: Generation, options: {port?: number} = {}) {
    const cwd = tmp.make('runwisp-fix-')
    chmodSync(cwd, 0o755)
    writeFileSync(join(cwd, 'runwisp.toml'), '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n')
    const dataDir = join(cwd, generation === '0.3-0.4' ? 'data' : '.runwisp')
    const stateDir = join(tmp.make(), 'state')
    const env = {
      HOME: cwd,
      DOCTORKIT_STATE_DIR: stateDir,
      XDG_STATE_HOME: '',
      RUNWISP_DATA: '',
      RUNWISP_CONFIG: '',
      TZ: 'UTC',
      PATH: '/usr/bin:/bin',
    }
    let port = options.port ?? (await freePort())
    const doctor = (args: string[], extra: {asNobody?: boolean} = {}) =>
      runCli(['--target', 'runwisp', '--runwisp-port', String(port), ...args], {cwd, env, timeoutMs: 60_000, ...extra})
    const undo = () => runCli(['undo'], {env})
    return {cwd, dataDir, stateDir, env, doctor, undo, setPort: (p: number) => (port = p)}
  }

  /** A process that is not RunWisp, holding an exclusive flock on `path` itself (flock -F execs it) and recording its signals. */
  function lockedBy(path: string, log: string): Promise<number> {
    const script = `process.on('SIGTERM', () => require('fs').appendFileSync(${JSON.stringify(log)}, 'SIGTERM\\n')); setInterval(() => {}, 1000); process.stdout.write('ready\\n')`
    const child = spawn('flock', ['-x', '-n', '-F', path, process.execPath, '-e', script], {stdio: ['ignore', 'pipe', 'inherit']})
    held.push(child)
    return new Promise((resolve, reject) => {
      child.stdout!.once('data', () => resolve(child.pid!))
      child.once('exit', (code) => reject(new Error(`flock exited early (${code})`)))
    })
  }

  describe('fix plans: RunWisp daemon.pid', () => {
    it('a stale daemon.pid left by a killed 0.16+ daemon is quarantined (safe), the check passes, undo restores it byte for byte', async () => {
      const m = await machine('0.16+')
      const daemon = await startRunwisp({generation: '0.16+', dataDir: m.dataDir, cwd: m.cwd})
      await stopRunwisp(daemon.child, 'SIGKILL')
      await killRunwisps()
      const before = contentTree(m.dataDir)
      const beforeHash = hashTree(m.cwd)

      const dry = json(await m.doctor(['--only', 'stale-manifest', '--dry-run', '--json']))
      assert.deepEqual(kinds(dry.fix!.steps), [['quarantine', 'safe', 'planned']], JSON.stringify(dry.fix))
      assert.equal((dry.fix!.steps[0]!.step as Extract<FixStep, {kind: 'quarantine'}>).unlocked, true)
      assert.deepEqual(hashTree(m.cwd), beforeHash, '--dry-run changed something')

      const report = json(await m.doctor(['--only', 'stale-manifest', '--fix', '--json']))
      assert.deepEqual(kinds(report.fix!.steps), [['quarantine', 'safe', 'applied']], JSON.stringify(report.fix))
      assert.deepEqual(recheck(report), [['stale-manifest', 'fixed']])
      assert.equal(existsSync(join(m.dataDir, 'daemon.pid')), false)

      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.deepEqual(contentTree(m.dataDir), before)
    })

    it('daemon.pid naming a recycled pid is quarantined, and the process holding that pid gets no signal', async () => {
      const m = await machine('0.5-0.15')
      mkdirSync(m.dataDir, {mode: 0o700})
      const bystander = await startRecorder(join(tmp.make(), 'signals.log'))
      await new Promise((r) => setTimeout(r, 30))
      writeFileSync(join(m.dataDir, 'daemon.pid'), `${bystander.pid}\n`, {mode: 0o600})
      const report = json(await m.doctor(['--only', 'stale-manifest', '--fix', '--yes', '--json']))
      assert.equal(report.checks.find((c) => c.id === 'stale-manifest')!.findings[0]!.symptom, 'runwisp/pid-reused')
      assert.deepEqual(kinds(report.fix!.steps), [['quarantine', 'safe', 'applied']], JSON.stringify(report.fix))
      assert.deepEqual(recheck(report), [['stale-manifest', 'fixed']])
      assert.ok(isAlive(bystander.pid))
      assert.deepEqual(bystander.signals(), [])
    })

    it('a daemon.pid whose flock is held by a live process is never moved, and that process (not RunWisp) is never signalled', async () => {
      const m = await machine('0.16+')
      mkdirSync(m.dataDir, {mode: 0o700})
      writeFileSync(join(m.dataDir, 'runwisp.db'), '')
      const pidFile = join(m.dataDir, 'daemon.pid')
      writeFileSync(pidFile, '4194000\n', {mode: 0o600})
      const log = join(tmp.make(), 'holder.log')
      const holder = await lockedBy(pidFile, log)
      const before = hashTree(m.cwd)
      const report = json(await m.doctor(['--only', 'stale-manifest,stale-lock', '--fix', '--yes', '--json']))
      const symptoms = report.checks.flatMap((c) => c.findings.map((f) => f.symptom))
      assert.deepEqual(symptoms, ['runwisp/data-dir-locked'], JSON.stringify(report.checks))
      assert.deepEqual(kinds(report.fix!.steps), [['manual', 'manual', 'manual']], JSON.stringify(report.fix))
      assert.ok(instructions(report.fix!.steps[0]!).includes(`kill ${holder}`))
      assert.deepEqual(hashTree(m.cwd), before)
      assert.ok(isAlive(holder))
      assert.equal(existsSync(log), false, 'the lock holder was signalled')
    })

    it('the lock is checked again just before the move: a file locked since the plan was made is left alone', async () => {
      const dir = tmp.make()
      const pidFile = join(dir, 'daemon.pid')
      writeFileSync(pidFile, '4194000\n', {mode: 0o600})
      const step = quarantineStep({path: pidFile, stat: lstatSync(pidFile), unlocked: true, why: 'test'})
      const holder = await lockedBy(pidFile, join(dir, 'holder.log'))
      const options = {stateDir: join(dir, 'state'), command: 'test', tool: 'test', approve: () => Promise.resolve('yes' as const)}
      const locked = await applyPlan(planOf(step), options)
      assert.equal(locked.results[0]!.status, 'skipped')
      assert.match(locked.results[0]!.reason!, new RegExp(`locked by pid ${holder}`))
      assert.equal(readFileSync(pidFile, 'utf8'), '4194000\n')
      await Promise.all(held.splice(0).map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGKILL'))))
      const free = await applyPlan(planOf(step), options)
      assert.equal(free.results[0]!.status, 'applied', JSON.stringify(free.results))
      assert.equal(existsSync(pidFile), false)
    })
  })

  describe('fix plans: RunWisp modes and owners', () => {
    it('a 0644 daemon.log and a 0755 data dir are tightened (safe); undo puts both modes back', async () => {
      const m = await machine('0.16+')
      mkdirSync(m.dataDir)
      chmodSync(m.dataDir, 0o755)
      writeFileSync(join(m.dataDir, 'runwisp.db'), '')
      writeFileSync(join(m.dataDir, 'daemon.log'), 'INFO started\n', {mode: 0o644})
      chmodSync(join(m.dataDir, 'daemon.log'), 0o644)
      const before = contentTree(m.cwd)
      const report = json(await m.doctor(['--only', 'secret-permissions,data-dir-permissions', '--fix', '--json']))
      assert.deepEqual(
        kinds(report.fix!.steps),
        [
          ['chmod', 'safe', 'applied'],
          ['chmod', 'safe', 'applied'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(recheck(report).sort(), [
        ['data-dir-permissions', 'fixed'],
        ['secret-permissions', 'fixed'],
      ])
      assert.equal(lstatSync(m.dataDir).mode & 0o777, 0o700)
      assert.equal(lstatSync(join(m.dataDir, 'daemon.log')).mode & 0o777, 0o600)
      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.deepEqual(contentTree(m.cwd), before)
    })

    it('a data dir owned by another user: the mode is tightened, the owner is left to an exact chown command', async () => {
      const m = await machine('0.16+')
      mkdirSync(m.dataDir)
      chmodSync(m.dataDir, 0o755)
      chownSync(m.dataDir, 65534, 65534)
      const report = json(await m.doctor(['--only', 'data-dir-permissions', '--fix', '--json']))
      const steps = report.fix!.steps
      assert.deepEqual(
        kinds(steps),
        [
          ['manual', 'manual', 'manual'],
          ['chmod', 'safe', 'applied'],
        ],
        JSON.stringify(report.fix),
      )
      assert.ok(instructions(steps[0]!).includes(`sudo chown -R root:root ${m.dataDir}`), JSON.stringify(steps[0]))
      assert.equal(lstatSync(m.dataDir).uid, 65534, 'the doctor changed an owner')
      assert.equal(lstatSync(m.dataDir).mode & 0o777, 0o700)
      assert.deepEqual(recheck(report), [['data-dir-permissions', 'still-failing']])
    })

    it("as the daemon's user, a 0777 data dir owned by root is not chmod-ed (it would lock the daemon out): chown first, by hand", async () => {
      const m = await machine('0.16+')
      mkdirSync(m.dataDir)
      chmodSync(m.dataDir, 0o777)
      const stateParent = tmp.make()
      chmodSync(stateParent, 0o1777)
      const before = hashTree(m.cwd)
      const result = await runCli(['--target', 'runwisp', '--only', 'data-dir-permissions', '--fix', '--yes', '--json'], {
        cwd: m.cwd,
        env: {...m.env, DOCTORKIT_STATE_DIR: join(stateParent, 'state')},
        asNobody: true,
      })
      const report = json(result)
      const steps = report.fix!.steps
      assert.ok(
        steps.every((s) => s.step.kind === 'manual'),
        JSON.stringify(report.fix),
      )
      assert.ok(
        steps.some((s) => instructions(s).some((i) => i.startsWith('sudo chown -R nobody:') && i.endsWith(m.dataDir))),
        JSON.stringify(steps),
      )
      assert.deepEqual(hashTree(m.cwd), before)
    })
  })

  describe('fix plans: several steps on one RunWisp data dir, one run', () => {
    it("0.3-0.4: a symlinked data/password and a 0755 data/ are both repaired by one `--fix --yes` (replacing the link changes the dir's mtime, which the chmod does not pin)", async () => {
      const m = await machine('0.3-0.4')
      mkdirSync(m.dataDir)
      chmodSync(m.dataDir, 0o755)
      const real = join(m.cwd, 'real-password')
      writeFileSync(real, 'hunter2-hunter2\n', {mode: 0o600})
      symlinkSync(real, join(m.dataDir, 'password'))
      const report = json(await m.doctor(['--only', 'symlinked-secret,data-dir-permissions', '--fix', '--yes', '--json']))
      const acting = report.fix!.steps.filter((s) => s.step.kind !== 'manual')
      assert.deepEqual(
        acting.map((s) => [s.step.kind, s.status]).sort(),
        [
          ['chmod', 'applied'],
          ['replace-symlink', 'applied'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(
        recheck(report).sort(),
        [
          ['data-dir-permissions', 'fixed'],
          ['symlinked-secret', 'fixed'],
        ],
        JSON.stringify(report.fix),
      )
      assert.equal(lstatSync(m.dataDir).mode & 0o777, 0o700)
      assert.ok(lstatSync(join(m.dataDir, 'password')).isFile())
      assert.equal(readFileSync(join(m.dataDir, 'password'), 'utf8'), 'hunter2-hunter2\n')
      const again = json(await m.doctor(['--only', 'symlinked-secret,data-dir-permissions', '--fix', '--yes', '--json']))
      assert.deepEqual(
        again.fix!.steps.filter((s) => s.step.kind !== 'manual'),
        [],
        'a second run has nothing left to do',
      )
    })
  })

  describe('fix plans: RunWisp symlinked secrets', () => {
    it('0.3-0.4: a symlinked data/password changes nothing without --yes; with --yes it becomes a private copy and undo restores the link', async () => {
      const m = await machine('0.3-0.4')
      mkdirSync(m.dataDir, {mode: 0o700})
      const real = join(m.cwd, 'real-password')
      writeFileSync(real, 'hunter2-hunter2\n', {mode: 0o600})
      symlinkSync(real, join(m.dataDir, 'password'))
      const before = hashTree(m.cwd)
      const content = contentTree(m.cwd)

      const refused = json(await m.doctor(['--only', 'symlinked-secret', '--fix', '--json']))
      assert.deepEqual(
        kinds(refused.fix!.steps),
        [
          ['replace-symlink', 'confirm', 'not-approved'],
          ['manual', 'manual', 'manual'],
        ],
        JSON.stringify(refused.fix),
      )
      assert.deepEqual(hashTree(m.cwd), before)

      const report = json(await m.doctor(['--only', 'symlinked-secret', '--fix', '--yes', '--json']))
      assert.deepEqual(
        kinds(report.fix!.steps),
        [
          ['replace-symlink', 'confirm', 'applied'],
          ['manual', 'manual', 'manual'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(recheck(report), [['symlinked-secret', 'fixed']])
      const now = lstatSync(join(m.dataDir, 'password'))
      assert.ok(now.isFile())
      assert.equal(now.mode & 0o777, 0o600)
      assert.equal(readFileSync(join(m.dataDir, 'password'), 'utf8'), 'hunter2-hunter2\n')

      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.equal(readlinkSync(join(m.dataDir, 'password')), real)
      assert.deepEqual(contentTree(m.cwd), content)
    })

    it('0.16+: a symlinked daemon.pid is moved aside after --yes (the daemon writes a fresh one), and undo restores the link', async () => {
      const m = await machine('0.16+')
      mkdirSync(m.dataDir, {mode: 0o700})
      writeFileSync(join(m.dataDir, 'runwisp.db'), '')
      writeFileSync(join(m.cwd, 'elsewhere.pid'), '123\n')
      symlinkSync(join(m.cwd, 'elsewhere.pid'), join(m.dataDir, 'daemon.pid'))
      const content = contentTree(m.cwd)
      const report = json(await m.doctor(['--only', 'symlinked-secret', '--fix', '--yes', '--json']))
      assert.deepEqual(
        kinds(report.fix!.steps),
        [
          ['quarantine', 'confirm', 'applied'],
          ['manual', 'manual', 'manual'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(recheck(report), [['symlinked-secret', 'fixed']])
      assert.equal(readFileSync(join(m.cwd, 'elsewhere.pid'), 'utf8'), '123\n', "the link's target is left alone")
      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.deepEqual(contentTree(m.cwd), content)
    })
  })

  describe('fix plans: a hung RunWisp daemon', () => {
    it('without --yes nothing is signalled; with --yes its verified daemon gets SIGTERM (no `runwisp` on PATH: the stop command is shown), and the re-check skips (no daemon left to probe), which is not "fixed"', async () => {
      const m = await machine('0.16+')
      const daemon = await startRunwisp({generation: '0.16+', dataDir: m.dataDir, cwd: m.cwd, fake: {mode: 'hung'}})
      m.setPort(daemon.port)
      const before = hashTreeExcept(m.cwd, '.runwisp/runwisp.sock')

      const refused = json(await m.doctor(['--only', 'daemon-health', '--fix', '--json']))
      assert.deepEqual(
        kinds(refused.fix!.steps),
        [
          ['manual', 'manual', 'manual'],
          ['terminate', 'confirm', 'not-approved'],
          ['quarantine', 'safe', 'skipped'],
        ],
        JSON.stringify(refused.fix),
      )
      assert.ok(instructions(refused.fix!.steps[0]!).includes(`runwisp stop --data ${m.dataDir}`))
      assert.ok(isAlive(daemon.pid))
      assert.deepEqual(hashTreeExcept(m.cwd, '.runwisp/runwisp.sock'), before)

      const exited = new Promise<[number | null, string | null]>((resolve) =>
        daemon.child.once('exit', (code, signal) => resolve([code, signal])),
      )
      const report = json(await m.doctor(['--only', 'daemon-health', '--fix', '--yes', '--json']))
      assert.deepEqual(
        kinds(report.fix!.steps),
        [
          ['manual', 'manual', 'manual'],
          ['terminate', 'confirm', 'applied'],
          ['quarantine', 'safe', 'not-needed'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(await exited, [0, null], 'it exited cleanly on SIGTERM (no SIGKILL)')
      assert.deepEqual(recheck(report), [['daemon-health', 'skipped']])
      assert.match(report.fix!.recheck[0]!.reason!, /whether the fix worked is not known/)
    })

    it('with `runwisp` on PATH its own `stop --data` runs first (after --yes); the signal step then finds the daemon gone', async () => {
      const m = await machine('0.16+')
      const daemon = await startRunwisp({generation: '0.16+', dataDir: m.dataDir, cwd: m.cwd, fake: {mode: 'hung'}})
      m.setPort(daemon.port)
      // A stand-in for the CLI's stop: it logs its arguments, SIGTERMs the pid named in <data>/daemon.pid
      // and waits for it to be gone ("Waiting for daemon (pid %d) to shut down..."), as `runwisp stop` does.
      const bin = tmp.make()
      const log = join(tmp.make(), 'runwisp.log')
      const stop = [
        '#!/bin/sh',
        `printf '%s\\n' "$*" >> ${log}`,
        '[ "$1" = stop ] && [ "$2" = --data ] || exit 2',
        'pid=$(cat "$3/daemon.pid") && kill -TERM "$pid" || exit 1',
        'while [ -e "/proc/$pid" ] && ! grep -q ") Z" "/proc/$pid/stat" 2>/dev/null; do sleep 0.05; done',
      ]
      writeFileSync(join(bin, 'runwisp'), stop.join('\n') + '\n', {mode: 0o755})
      const exited = new Promise((resolve) => daemon.child.once('exit', resolve))
      const report = json(
        await runCli(
          ['--target', 'runwisp', '--runwisp-port', String(daemon.port), '--only', 'daemon-health', '--fix', '--yes', '--json'],
          {cwd: m.cwd, env: {...m.env, PATH: `${bin}:/usr/bin:/bin`}, timeoutMs: 60_000},
        ),
      )
      assert.deepEqual(
        kinds(report.fix!.steps),
        [
          ['run', 'confirm', 'applied'],
          ['terminate', 'confirm', 'not-needed'],
          ['quarantine', 'safe', 'not-needed'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [`stop --data ${m.dataDir}`])
      assert.equal(await exited, 0)
      assert.deepEqual(recheck(report), [['daemon-health', 'skipped']])
    })

    it("a foreign squatter on the port and another data dir's daemon are only explained, never signalled", async () => {
      const m = await machine('0.16+')
      const squatter = await startFixture('squatter.ts', ['--port', '0'])
      m.setPort(squatter.ready.port as number)
      const first = json(await m.doctor(['--only', 'port-squatter,daemon-health', '--fix', '--yes', '--json']))
      assert.ok(first.fix!.steps.length > 0 && first.fix!.steps.every((s) => s.step.kind === 'manual'), JSON.stringify(first.fix))
      assert.ok(isAlive(squatter.pid))

      const other = tmp.make('runwisp-other-')
      const theirs = await startRunwisp({generation: '0.16+', dataDir: join(other, '.runwisp'), cwd: other})
      m.setPort(theirs.port)
      const second = json(await m.doctor(['--only', 'duplicate-daemon', '--fix', '--yes', '--json']))
      assert.deepEqual(kinds(second.fix!.steps), [['manual', 'manual', 'manual']], JSON.stringify(second.fix))
      assert.ok(instructions(second.fix!.steps[0]!).includes(`runwisp stop --data ${join(other, '.runwisp')}`))
      assert.ok(isAlive(theirs.pid))
    })
  })

  describe('fix plans: RunWisp configuration decisions', () => {
    it('an invalid runwisp.toml gets the documented commands as a manual step; --fix --yes changes nothing', async () => {
      const m = await machine('0.16+')
      writeFileSync(join(m.cwd, 'runwisp.toml'), '[tasks.backup\ncron = "0 3 * * *"\n')
      const before = hashTree(m.cwd)
      const report = json(await m.doctor(['--only', 'config-valid', '--fix', '--yes', '--json']))
      const finding = report.checks.find((c) => c.id === 'config-valid')!.findings[0]!
      assert.deepEqual(kinds(report.fix!.steps), [['manual', 'manual', 'manual']], JSON.stringify(report.fix))
      assert.deepEqual(instructions(report.fix!.steps[0]!), finding.fix.commands)
      assert.equal(report.fix!.runId, null, 'a run with only manual steps journals nothing')
      assert.deepEqual(hashTree(m.cwd), before)
    })
  })
})
