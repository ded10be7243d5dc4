/**
 * With the real Executor CLI (executor@1.5.9 from npm): its daemon is killed with SIGKILL, leaving
 * server.json and its record behind; `doctor --fix --yes` clears them and the daemon starts cleanly.
 */
import {freePort} from '../helpers/ports.js'
import assert from 'node:assert/strict'
import type {ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {runCli} from '../helpers/cli.js'
import {executorBinary, startExecutorDaemon} from '../helpers/executor-cli.js'
import {stop} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const daemons: ChildProcess[] = []

// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('fix/executor-real', () => {
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((d) => stop(d, 'SIGKILL')))
    tmp.cleanup()
  })

  describe('doctor --fix with the real Executor CLI', function () {
    this.timeout(240_000)

    before(function () {
      this.timeout(240_000)
      executorBinary() // installs once into .cache (outside the per-test timeout)
    })

    it('after its daemon is killed with SIGKILL, --fix --yes clears the leftovers and `executor daemon run` starts cleanly', async () => {
      const home = tmp.make()
      const port = await freePort()
      const first = await startExecutorDaemon(home, port)
      daemons.push(first)
      const manifest = join(home, '.executor', 'server-control', 'server.json')
      assert.ok(existsSync(manifest), 'the real daemon wrote server.json')
      await stop(first, 'SIGKILL')

      // Default state dir resolution: ~/.local/state/doctorkit under this HOME.
      const env = {HOME: home, DOCTORKIT_STATE_DIR: '', XDG_STATE_HOME: '', EXECUTOR_DATA_DIR: '', PATH: '/usr/bin:/bin'}
      // Only the checks about this data dir: the others also look at the default ports 4788/4789,
      // which other suites on this shared machine use, and would make the exit code about them.
      const result = await runCli(
        [
          '--fix',
          '--yes',
          '--json',
          '--executor-port',
          String(port),
          '--only',
          'stale-manifest,stale-lock,unreachable-daemon,duplicate-daemon',
        ],
        {env, timeoutMs: 60_000},
      )
      const report = JSON.parse(result.stdout) as Report
      const stale = report.checks.find((c) => c.id === 'stale-manifest')!
      assert.equal(stale.status, 'fail', JSON.stringify(stale))
      assert.ok(
        report.fix!.steps.some((s) => s.origin.symptom === 'executor/stale-manifest' && s.status === 'applied'),
        JSON.stringify(report.fix),
      )
      assert.deepEqual(
        report.fix!.recheck.filter((r) => r.outcome !== 'fixed'),
        [],
        JSON.stringify(report.fix!.recheck),
      )
      assert.equal(
        result.code,
        0,
        `${JSON.stringify(report.fix!.summaryAfter)} ${JSON.stringify(report.checks.map((c) => [c.id, c.status, c.reason]))} ${result.stderr}`,
      )
      assert.equal(existsSync(manifest), false)
      assert.ok(existsSync(join(home, '.local', 'state', 'doctorkit', 'runs', report.fix!.runId!, 'journal.jsonl')))

      const second = await startExecutorDaemon(home, port)
      daemons.push(second)
      assert.ok(existsSync(manifest), 'the restarted daemon registered itself')
      const after = JSON.parse(
        (await runCli(['--json', '--only', 'stale-manifest,daemon-health', '--executor-port', String(port)], {env})).stdout,
      ) as Report
      assert.deepEqual(
        after.checks.map((c) => [c.id, c.status]).sort(),
        [
          ['daemon-health', 'pass'],
          ['stale-manifest', 'pass'],
        ],
        JSON.stringify(after.checks),
      )
    })
  })
})
