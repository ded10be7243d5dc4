/**
 * `doctor --fix`, `--dry-run`, `--yes` and `doctor undo` end to end through the built CLI, against
 * real broken Executor states: fake daemons that are real processes, real dead and live pids.
 */
import {freePort} from '../helpers/ports.js'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync, existsSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {acquireFixLock} from '../../src/fix/lock.js'
import {Journal, listRunIds} from '../../src/fix/journal.js'
import type {Report} from '../../src/types.js'
import {runCli, jsonReport} from '../helpers/cli.js'
import {manifestText} from '../helpers/executor-state.js'
import {deadPid, killAll, REPO, startFixture, stop} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {contentTree, hashTree, hashTreeExcept, isAlive, killRecorders, startRecorder} from './helpers.js'

const tmp = tmpDirs()
// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('fix/executor-fix', () => {
  afterEach(async () => {
    await killRecorders()
    await killAll()
    tmp.cleanup()
  })

  /** A HOME with its own state dir; PATH without any `executor`, so plans are deterministic. */
  function machine() {
    const home = tmp.make()
    const dataDir = join(home, '.executor')
    const stateDir = join(home, 'state')
    const env = {HOME: home, DOCTORKIT_STATE_DIR: stateDir, XDG_STATE_HOME: '', EXECUTOR_DATA_DIR: '', PATH: '/usr/bin:/bin'}
    const doctor = (args: string[], timeoutMs = 40_000) => runCli(['--target', 'executor', ...args], {env, timeoutMs})
    const undo = (args: string[] = []) => runCli(['undo', ...args], {env})
    return {home, dataDir, stateDir, env, doctor, undo}
  }

  const json = jsonReport

  /** Skipped where a test asserts the exit code: these checks also look at the machine-wide default ports. */
  const LOCAL_ONLY = 'port-squatter,daemon-health,clock-skew'

  const check = (report: Report, id: string) => report.checks.find((c) => c.id === id && c.target === 'executor')!

  function writeManifest(dataDir: string, pid: number, port: number, extra: {executablePath?: string} = {}): string {
    const path = join(dataDir, 'server-control', 'server.json')
    mkdirSync(join(dataDir, 'server-control'), {recursive: true})
    writeFileSync(path, manifestText(dataDir, {pid, port, executablePath: extra.executablePath}), {mode: 0o644})
    return path
  }

  /** A fake daemon killed with SIGKILL: its manifest and record stay behind with a dead pid. */
  async function killedDaemon(dataDir: string) {
    const daemon = await startFixture('executor-daemon.ts', ['daemon', 'run', '--data-dir', dataDir, '--generation', 'legacy'])
    await stop(daemon.child, 'SIGKILL')
    return daemon
  }

  describe('doctor --fix on Executor state', () => {
    it('--dry-run prints the whole plan as JSON and changes nothing on disk', async () => {
      const m = machine()
      await killedDaemon(m.dataDir)
      const before = hashTree(m.home)
      const result = await m.doctor(['--dry-run', '--json'])
      const report = json(result)
      assert.equal(result.code, 1)
      assert.equal(report.fix?.mode, 'dry-run')
      const steps = report.fix!.steps
      assert.ok(steps.length >= 2, JSON.stringify(steps))
      for (const s of steps) {
        assert.equal(s.status, 'planned')
        assert.ok(s.step.title && s.step.why && s.step.undo && s.step.risk, JSON.stringify(s))
      }
      assert.deepEqual(steps.map((s) => s.origin.symptom).sort(), ['executor/stale-manifest', 'executor/stale-record'])
      assert.deepEqual(hashTree(m.home), before, '--dry-run changed the tree')
    })

    it('--dry-run without --json prints what, where, why, risk and how to undo', async () => {
      const m = machine()
      await killedDaemon(m.dataDir)
      const before = hashTree(m.home)
      const result = await m.doctor(['--dry-run'])
      assert.match(result.stdout, /Fix plan \(dry run: nothing is changed\)/)
      assert.match(result.stdout, /\[safe\] Move the file .*server\.json/)
      assert.match(result.stdout, /where: .*server\.json/)
      assert.match(result.stdout, /why: It names pid \d+, which is not running/)
      assert.match(result.stdout, /undo: doctor undo puts it back/)
      assert.deepEqual(hashTree(m.home), before)
    })

    it('--fix quarantines a stale manifest and record, the checks pass again, and undo restores them byte for byte', async () => {
      const m = machine()
      await killedDaemon(m.dataDir)
      const before = contentTree(m.dataDir)
      // Checks that look at machine-wide ports (4788/4789) are left out: other suites on this machine use them.
      const result = await m.doctor(['--fix', '--json', '--skip', LOCAL_ONLY])
      const report = json(result)
      assert.equal(check(report, 'stale-manifest').status, 'fail')
      assert.deepEqual(
        report.fix!.steps.map((s) => s.status),
        ['applied', 'applied'],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['stale-manifest', 'fixed']],
      )
      assert.equal(report.fix!.summaryAfter.fail, 0)
      assert.equal(result.code, 0, result.stderr)
      assert.equal(existsSync(join(m.dataDir, 'server-control', 'server.json')), false)

      const again = json(await m.doctor(['--json', '--only', 'stale-manifest']))
      assert.equal(check(again, 'stale-manifest').status, 'pass')

      const list = await m.undo(['--list'])
      assert.match(list.stdout, new RegExp(`${report.fix!.runId}.*2 applied, 2 to restore`))
      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.match(undone.stdout, /restored: .*server\.json/)
      assert.deepEqual(contentTree(m.dataDir), before)
      assert.match((await m.undo()).stdout, /Nothing to undo/)
    })

    it('one --fix applies a plan of several steps in one data dir (manifest, record, dead start lock, a 0644 bearer token) and every check is fixed', async () => {
      const m = machine()
      await killedDaemon(m.dataDir)
      const pid = await deadPid()
      writeFileSync(
        join(m.dataDir, 'daemon-active-localhost-abc.json.lock'),
        JSON.stringify({pid, hostname: 'localhost', scopeId: 'cwd:/x', startedAt: new Date().toISOString()}, null, 2) + '\n',
      )
      writeFileSync(join(m.dataDir, 'server-control', 'auth.json'), JSON.stringify({token: 'b'.repeat(43)}), {mode: 0o644})
      chmodSync(join(m.dataDir, 'server-control', 'auth.json'), 0o644)
      const report = json(await m.doctor(['--fix', '--json', '--skip', LOCAL_ONLY]))
      const acting = report.fix!.steps.filter((s) => s.step.kind !== 'manual')
      assert.ok(acting.length >= 4, JSON.stringify(report.fix))
      assert.deepEqual(
        acting.map((s) => s.status),
        acting.map(() => 'applied'),
        JSON.stringify(report.fix),
      )
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]).sort(),
        [
          ['secret-permissions', 'fixed'],
          ['stale-lock', 'fixed'],
          ['stale-manifest', 'fixed'],
        ],
        JSON.stringify(report.fix),
      )
      assert.equal(lstatSync(join(m.dataDir, 'server-control', 'auth.json')).mode & 0o777, 0o600)
    })

    it('--fix moves a truncated server.json aside and the check passes', async () => {
      const m = machine()
      mkdirSync(join(m.dataDir, 'server-control'), {recursive: true})
      writeFileSync(join(m.dataDir, 'server-control', 'server.json'), '{"version":1,"kind":"cli-dae')
      const report = json(await m.doctor(['--fix', '--json']))
      assert.equal(check(report, 'stale-manifest').findings[0]?.symptom, 'executor/manifest-invalid')
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['stale-manifest', 'fixed']],
        JSON.stringify(report.fix),
      )
      const quarantined = report.fix!.steps[0]!.quarantinedAt!
      assert.equal(readFileSync(quarantined, 'utf8'), '{"version":1,"kind":"cli-dae')
    })

    it('--fix removes a start lock left by a dead pid and a stale legacy startup.lock', async () => {
      const m = machine()
      const pid = await deadPid()
      mkdirSync(join(m.dataDir, 'server-control'), {recursive: true})
      const lock = JSON.stringify({pid, hostname: 'localhost', scopeId: 'cwd:/x', startedAt: new Date().toISOString()}, null, 2) + '\n'
      writeFileSync(join(m.dataDir, 'daemon-active-localhost-abc.json.lock'), lock)
      writeFileSync(join(m.dataDir, 'server-control', 'startup.lock'), JSON.stringify({pid, startedAt: new Date().toISOString()}))
      const report = json(await m.doctor(['--fix', '--json']))
      assert.equal(check(report, 'stale-lock').status, 'warn')
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['stale-lock', 'fixed']],
        JSON.stringify(report.fix),
      )
      assert.equal(existsSync(join(m.dataDir, 'daemon-active-localhost-abc.json.lock')), false)
    })

    it('never signals an unrelated process whose pid was written into a lock, a record and the manifest', async () => {
      const m = machine()
      const bystander = await startRecorder(join(m.home, 'signals.log'))
      await new Promise((r) => setTimeout(r, 30))
      const port = await freePort()
      writeManifest(m.dataDir, bystander.pid, port)
      writeFileSync(
        join(m.dataDir, `daemon-localhost-${port}.json`),
        JSON.stringify({version: 1, hostname: 'localhost', port, pid: bystander.pid, startedAt: new Date().toISOString(), scopeDir: null}),
      )
      writeFileSync(
        join(m.dataDir, 'daemon-active-localhost-abc.json.lock'),
        JSON.stringify({pid: bystander.pid, startedAt: new Date().toISOString()}),
      )
      const report = json(await m.doctor(['--fix', '--yes', '--json']))
      const symptoms = report.checks.flatMap((c) => c.findings.map((f) => f.symptom)).sort()
      assert.deepEqual(symptoms, ['executor/manifest-pid-reused', 'executor/record-pid-reused', 'executor/start-lock-blocked'])
      assert.ok(
        report.fix!.steps.every((s) => s.step.kind !== 'terminate'),
        'a terminate step was planned for a foreign pid',
      )
      assert.deepEqual(
        report.fix!.steps.map((s) => s.status),
        ['applied', 'applied', 'applied'],
        JSON.stringify(report.fix),
      )
      assert.ok(
        report.fix!.recheck.every((r) => r.outcome === 'fixed'),
        JSON.stringify(report.fix!.recheck),
      )
      assert.ok(isAlive(bystander.pid))
      assert.deepEqual(bystander.signals(), [])
    })

    it('leaves a port squatter alone: its step is manual and it gets no signal', async () => {
      const m = machine()
      mkdirSync(m.dataDir)
      const held = await startFixture('squatter.ts', ['--port', '0'])
      const port = held.ready.port as number
      const report = json(await m.doctor(['--fix', '--yes', '--json', '--executor-port', String(port), '--only', 'port-squatter']))
      assert.equal(check(report, 'port-squatter').status, 'fail')
      assert.deepEqual(
        report.fix!.steps.map((s) => [s.step.kind, s.status]),
        [['manual', 'manual']],
      )
      assert.match((report.fix!.steps[0]!.step as {instructions: string[]}).instructions.join('\n'), new RegExp(`sport = :${port}`))
      assert.ok(isAlive(held.pid))
    })

    it('refuses a second concurrent --fix with a clear message', async () => {
      const m = machine()
      await killedDaemon(m.dataDir)
      const lock = await acquireFixLock(m.stateDir, 'doctor --fix (held by the test)')
      try {
        const before = hashTreeExcept(m.home, 'state')
        const result = await m.doctor(['--fix'])
        assert.equal(result.code, 2)
        const message = result.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')
        assert.match(message, /another doctor is already changing this machine: pid \d+ \(doctor --fix \(held by the test\)\)/)
        assert.deepEqual(hashTreeExcept(m.home, 'state'), before)
      } finally {
        lock.release()
      }
    })

    it('says why when the state dir cannot be used, and changes nothing', async () => {
      const m = machine()
      await killedDaemon(m.dataDir)
      writeFileSync(join(m.home, 'not-a-dir'), '')
      const before = hashTree(m.home)
      const result = await runCli(['--target', 'executor', '--fix'], {
        env: {...m.env, DOCTORKIT_STATE_DIR: join(m.home, 'not-a-dir', 'state')},
      })
      assert.equal(result.code, 2)
      assert.match(result.stderr.replace(/\s*›\s*/g, ' '), /cannot use the doctor's state dir/)
      assert.deepEqual(hashTree(m.home), before)
    })

    it('undo of an unknown run is a usage error', async () => {
      const m = machine()
      const result = await m.undo(['20990101-000000Z-ffffff'])
      assert.equal(result.code, 2)
      assert.match(result.stderr, /no run "20990101-000000Z-ffffff"/)
    })

    it('rejects --yes without --fix', async () => {
      const m = machine()
      const result = await m.doctor(['--yes'])
      assert.equal(result.code, 2)
      assert.match(result.stderr, /--yes only applies with --fix/)
    })
  })

  describe('doctor --fix on a hung Executor daemon', () => {
    /** A live process that *is* Executor (named executor) serving this HOME, registered at a port where nothing answers. */
    async function hungDaemon(m: ReturnType<typeof machine>, options: {exitOnTerm: boolean}) {
      // A symlink named executor: the kernel names the process "executor" (so it is verified as
      // Executor's), while its executable resolves to node, so no `executor` CLI exists to run
      // `daemon stop` and the plan falls back to a manual step, as on a machine without the CLI.
      const shim = symlinkShim(m.home)
      const daemon = await startRecorder(join(m.home, 'signals.log'), {
        executable: shim,
        env: {HOME: m.home, EXECUTOR_DATA_DIR: ''},
        exitOnTerm: options.exitOnTerm,
      })
      await new Promise((r) => setTimeout(r, 30))
      const port = await freePort()
      writeManifest(m.dataDir, daemon.pid, port)
      return {daemon, port}
    }

    it('without a TTY and without --yes, asks nothing, signals nothing and lists the steps as not applied', async () => {
      const m = machine()
      const {daemon} = await hungDaemon(m, {exitOnTerm: true})
      const before = hashTreeExcept(m.home, 'state')
      const result = await m.doctor(['--fix', '--json'])
      const report = json(result)
      assert.equal(check(report, 'unreachable-daemon').status, 'fail')
      const byKind = Object.fromEntries(report.fix!.steps.map((s) => [s.step.kind, s.status]))
      assert.deepEqual(byKind, {manual: 'manual', terminate: 'not-approved', quarantine: 'skipped'}, JSON.stringify(report.fix!.steps))
      assert.equal(result.code, 1)
      assert.ok(isAlive(daemon.pid))
      assert.deepEqual(daemon.signals(), [])
      assert.deepEqual(hashTreeExcept(m.home, 'state'), before)
    })

    it('with --yes stops the verified daemon and quarantines its manifest; the re-check skips (nothing registered), which is not "fixed"', async () => {
      const m = machine()
      const {daemon} = await hungDaemon(m, {exitOnTerm: true})
      const report = json(await m.doctor(['--fix', '--yes', '--json']))
      const byKind = Object.fromEntries(report.fix!.steps.map((s) => [s.step.kind, s.status]))
      assert.deepEqual(byKind, {manual: 'manual', terminate: 'applied', quarantine: 'applied'}, JSON.stringify(report.fix!.steps))
      assert.deepEqual(daemon.signals(), ['SIGTERM'])
      // With the daemon stopped there is nothing left for the check to judge: said as such, not "fixed".
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome, r.status]),
        [['unreachable-daemon', 'skipped', 'skip']],
      )
      assert.match(report.fix!.recheck[0]!.reason!, /no daemon is registered.*whether the fix worked is not known/)
    })

    /** Runs the doctor on a real pseudo-terminal (util-linux `script`), typing `input`. */
    function onTerminal(m: ReturnType<typeof machine>, args: string[], input: string): Promise<{code: number | null; output: string}> {
      const env: NodeJS.ProcessEnv = {...process.env, ...m.env, NO_COLOR: '1'}
      delete env.CI
      const command = [process.execPath, join(REPO, 'bin/run.js'), ...args].join(' ')
      const child = spawn('script', ['-qec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'pipe']})
      let output = ''
      child.stdout.on('data', (c: Buffer) => (output += c.toString()))
      child.stdin.end(input)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL')
          reject(new Error(`no exit on the terminal: ${output}`))
        }, 40_000)
        child.once('exit', (code) => {
          clearTimeout(timer)
          resolve({code, output: output.replace(/\x1B\[[0-9;?]*[A-Za-z]/g, '')})
        })
      })
    }

    it('on a terminal, asks before signalling and does nothing to the daemon when told no', async () => {
      const m = machine()
      const {daemon} = await hungDaemon(m, {exitOnTerm: true})
      const {output} = await onTerminal(m, ['--target', 'executor', '--fix'], 'n\n')
      assert.match(output, /Apply step \d+: Stop pid \d+/)
      assert.match(output, /declined/)
      assert.ok(isAlive(daemon.pid))
      assert.deepEqual(daemon.signals(), [])
    })

    it('on a terminal, a yes stops the verified daemon', async () => {
      const m = machine()
      const {daemon} = await hungDaemon(m, {exitOnTerm: true})
      const {output, code} = await onTerminal(m, ['--target', 'executor', '--fix', '--skip', LOCAL_ONLY], 'y\n')
      assert.match(output, /Apply step \d+: Stop pid \d+/)
      assert.match(output, /↓ skipped on re-check unreachable-daemon \[executor\] \(skip\): no daemon is registered/)
      assert.equal(code, 0, output)
      assert.deepEqual(daemon.signals(), ['SIGTERM'])
    })

    it('a doctor SIGKILLed in the middle of --fix leaves a consistent journal, and undo still works', async () => {
      const m = machine()
      const {daemon} = await hungDaemon(m, {exitOnTerm: false}) // ignores SIGTERM: the doctor waits its grace period
      const record = join(m.dataDir, 'daemon-localhost-1.json')
      writeFileSync(
        record,
        JSON.stringify({
          version: 1,
          hostname: 'localhost',
          port: 1,
          pid: await deadPid(),
          startedAt: new Date().toISOString(),
          scopeDir: null,
        }),
      )
      const before = contentTree(m.dataDir)
      const child = spawn(process.execPath, [join(REPO, 'bin/run.js'), '--target', 'executor', '--fix', '--yes'], {
        env: {...process.env, ...m.env, CI: '1', NO_COLOR: '1'},
        stdio: 'ignore',
      })
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const deadline = Date.now() + 30_000
      let journal: Journal | null = null
      while (Date.now() < deadline) {
        const [id] = listRunIds(m.stateDir)
        journal = id ? Journal.open(m.stateDir, id) : null
        if (journal?.entries().some((e) => e.type === 'intent' && e.step.kind === 'terminate')) break
        await new Promise((r) => setTimeout(r, 25))
      }
      child.kill('SIGKILL')
      await exited
      assert.ok(journal, 'the doctor never journaled the terminate step')
      const entries = journal.entries()
      assert.ok(
        entries.some((e) => e.type === 'result' && e.status === 'applied'),
        'the record was quarantined before the kill',
      )
      assert.equal(
        entries.some((e) => e.type === 'end'),
        false,
      )
      assert.deepEqual(daemon.signals(), ['SIGTERM'])
      assert.ok(isAlive(daemon.pid), 'SIGKILL must not have been sent yet')
      // The lock the killed doctor held is reclaimed; undo settles the journal and restores the record.
      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.match(undone.stdout, /restored: .*daemon-localhost-1\.json/)
      const settled = journal.entries()
      for (const intent of settled.filter((e) => e.type === 'intent')) {
        assert.equal(settled.filter((e) => e.type === 'result' && e.seq === intent.seq).length, 1)
      }
      assert.deepEqual(contentTree(m.dataDir), before)
      assert.equal(readFileSync(record, 'utf8').includes('"hostname":"localhost"'), true)
    })
  })

  function symlinkShim(dir: string): string {
    const bin = join(dir, 'bin')
    mkdirSync(bin, {recursive: true})
    const shim = join(bin, 'executor')
    if (!existsSync(shim)) symlinkSync(process.execPath, shim)
    return shim
  }
})
