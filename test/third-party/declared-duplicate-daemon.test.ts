/**
 * duplicate-daemon for a declared target, end to end: two real redis-server processes started on
 * one data dir (the same `dir`, each on its own port with its own pid file), declared in a
 * doctor.config.json with `dataDir.servedBy: "cwd"` (redis chdirs into `dir`). The built CLI
 * fails naming both pids; one daemon passes; without `servedBy` the check skips and says why.
 */
import {strict as assert} from 'node:assert'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {needTools} from '../helpers/tools.js'
import {daemonHome, REDIS, startBeside, startDaemon, stopDaemons} from '../helpers/third-party.js'

describe('declared target end to end: duplicate-daemon (two real redis-server on one data dir)', function () {
  this.timeout(90_000)
  const tmp = tmpDirs()
  afterEach(async () => {
    await stopDaemons()
    tmp.cleanup()
  })

  async function setUp(servedBy: unknown) {
    const home = await daemonHome('redis', tmp.make('doctorkit-redis-'))
    const cwd = tmp.make('doctorkit-e2e-cwd-')
    const declaration = home.declaration('kv') as {dataDir: Record<string, unknown>}
    if (servedBy !== undefined) declaration.dataDir = {...declaration.dataDir, servedBy}
    writeFileSync(join(cwd, 'doctor.config.json'), JSON.stringify({targets: [declaration]}, null, 2))
    const env = {HOME: cwd, DOCTORKIT_STATE_DIR: join(cwd, 'state'), XDG_STATE_HOME: '', PATH: process.env.PATH}
    const doctor = async () =>
      jsonReport(await runCli(['--target', 'kv', '--only', 'duplicate-daemon', '--json'], {cwd, env, timeoutMs: 60_000}))
    return {home, doctor}
  }

  const result = (report: Report) => {
    const r = report.checks.find((c) => c.id === 'duplicate-daemon' && c.target === 'kv')
    assert.ok(r, JSON.stringify(report.checks))
    return r
  }

  it('one daemon on its data dir passes; a second one started on the same dir fails, naming both pids and the dir', async function () {
    needTools(this, REDIS)
    const {home, doctor} = await setUp('cwd')
    const first = await startDaemon(home)
    const alone = result(await doctor())
    assert.equal(alone.status, 'pass', JSON.stringify(alone))

    const second = (await startBeside(home)).pid
    const both = result(await doctor())
    assert.equal(both.status, 'fail', JSON.stringify(both, null, 2))
    assert.deepEqual(
      both.findings.map((f) => f.symptom),
      ['kv/duplicate-daemon'],
    )
    const [finding] = both.findings
    for (const said of [`pid ${first.pid}`, `pid ${second}`, home.dataDir]) assert.ok(finding!.message.includes(said), finding!.message)
    const daemons = (finding!.evidence as {daemons: Array<{pid: number; how: string}>}).daemons
    assert.deepEqual(
      daemons.map((d) => d.pid),
      [first.pid, second],
      'oldest first',
    )
    assert.ok(daemons.every((d) => d.how === 'its working directory'))
    // The doctor never signals a duplicate: its plan is the documented commands.
    assert.ok(finding!.fix.commands.some((c) => c === `kill ${second}`))
  })

  it('without dataDir.servedBy the check skips and says which field would let it judge', async function () {
    needTools(this, REDIS)
    const {home, doctor} = await setUp(undefined)
    await startDaemon(home)
    await startBeside(home)
    const r = result(await doctor())
    assert.equal(r.status, 'skip', JSON.stringify(r))
    assert.match(r.reason ?? '', /does not declare how to tell the data dir a daemon serves \(dataDir\.servedBy\)/)
  })
})
