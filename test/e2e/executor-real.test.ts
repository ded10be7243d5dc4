/**
 * End to end against the real Executor CLI from npm (executor@1.5.9): real daemon, real files,
 * real signals, each case in its own temp HOME, the doctor run as a user runs it.
 */
import assert from 'node:assert/strict'
import type {ChildProcess} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {runCli} from '../helpers/cli.js'
import {executorBinary, executorRun, startExecutorDaemon} from '../helpers/executor-cli.js'
import {killAll, startFixture, stop} from '../helpers/processes.js'
import {waitForFreePort} from '../helpers/ports.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const PORT = 4788

async function doctor(home: string, args: string[] = []): Promise<{code: number | null; report: Report; durationMs: number}> {
  const r = await runCli(['--json', ...args], {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, cwd: home})
  const report = JSON.parse(r.stdout) as Report
  assertValidReport(report)
  return {code: r.code, report, durationMs: r.durationMs}
}

const check = (report: Report, id: string) => report.checks.find((c) => c.id === id && c.target === 'executor')!

describe('end to end: the real Executor CLI (executor@1.5.9)', function () {
  this.timeout(120_000)
  let daemon: ChildProcess | undefined

  before(function () {
    this.timeout(300_000)
    executorBinary() // installs into .cache/ on first use
  })

  beforeEach(() => waitForFreePort(PORT))

  afterEach(async () => {
    if (daemon) {
      daemon.kill('SIGCONT')
      daemon.kill('SIGKILL')
      await new Promise((resolve) =>
        daemon!.exitCode !== null || daemon!.signalCode !== null ? resolve(null) : daemon!.once('exit', resolve),
      )
      daemon = undefined
    }
    await killAll()
    tmp.cleanup()
  })

  it('finds no failure next to a healthy daemon, and tells its generation', async () => {
    const home = tmp.make()
    daemon = await startExecutorDaemon(home, PORT)
    const {code, report} = await doctor(home)
    assert.equal(code, 0, JSON.stringify(report, null, 2))
    assert.equal(report.summary.fail + report.summary.error, 0)
    const target = report.targets.find((t) => t.id === 'executor')!
    assert.equal(target.generation, 'legacy')
    assert.match(target.generationReason, /1\.5\.9/)
    assert.equal(check(report, 'daemon-health').status, 'pass')
    assert.equal(check(report, 'port-squatter').status, 'pass')
    assert.equal(check(report, 'stale-manifest').status, 'pass')
  })

  it('names the dead pid when the daemon was killed with SIGKILL', async () => {
    const home = tmp.make()
    daemon = await startExecutorDaemon(home, PORT)
    const manifest = JSON.parse(readFileSync(join(home, '.executor/server-control/server.json'), 'utf8')) as {pid: number}
    daemon.kill('SIGKILL')
    await new Promise((resolve) => daemon!.once('exit', resolve))
    daemon = undefined
    const {code, report} = await doctor(home)
    assert.equal(code, 1)
    const stale = check(report, 'stale-manifest')
    assert.equal(stale.status, 'fail')
    const f = stale.findings.find((x) => x.symptom === 'executor/stale-manifest')!
    assert.ok(f.message.includes(`pid ${manifest.pid}`), f.message)
    assert.equal(f.evidence.pid, manifest.pid)
    assert.ok(f.fix.commands.includes('executor daemon status'))
  })

  it('is not fooled by a foreign process answering "ok" to everything on 4788 (the CLI is)', async () => {
    const home = tmp.make()
    daemon = await startExecutorDaemon(home, PORT)
    executorRun(home, ['daemon', 'stop'])
    await new Promise((resolve) => daemon!.once('exit', resolve))
    daemon = undefined
    await waitForFreePort(PORT)
    const squatter = await startFixture('squatter.ts', ['--port', String(PORT)])
    // Executor's own status command believes any HTTP server on its port (executor-facts §10).
    assert.match(executorRun(home, ['daemon', 'status']).stdout, /Daemon reachable at http:\/\/localhost:4788/)
    const {code, report} = await doctor(home)
    assert.equal(code, 1)
    const squat = check(report, 'port-squatter')
    assert.equal(squat.status, 'fail')
    assert.ok(
      squat.findings.some((f) => f.evidence.port === PORT && f.message.includes(`pid ${squatter.pid}`)),
      JSON.stringify(squat),
    )
    assert.notEqual(check(report, 'daemon-health').status, 'pass')
    await stop(squatter.child)
  })

  it('reports a hung daemon as unreachable within a bounded time', async () => {
    const home = tmp.make()
    daemon = await startExecutorDaemon(home, PORT)
    const manifest = JSON.parse(readFileSync(join(home, '.executor/server-control/server.json'), 'utf8')) as {pid: number}
    // SIGSTOP: the process keeps its listening socket and the kernel still accepts connections,
    // but nothing ever answers — exactly a hung daemon.
    process.kill(manifest.pid, 'SIGSTOP')
    const {code, report, durationMs} = await doctor(home)
    assert.equal(code, 1)
    const unreachable = check(report, 'unreachable-daemon')
    assert.equal(unreachable.status, 'fail', JSON.stringify(unreachable))
    assert.ok(unreachable.findings[0]!.message.includes(`(pid ${manifest.pid}) but is not reachable`))
    assert.ok(durationMs < 10_000, `the run took ${durationMs} ms`)
  })
})
