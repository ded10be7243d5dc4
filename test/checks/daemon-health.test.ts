import check from '../../checks/daemon-health.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {killAll, startFixture, deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
/** Port 1 stands for "the default port" so another suite's daemon on 4788 cannot leak in. */
const run = (home: string) => runCheck(check, {home, env: {HOME: home}, options: {targetOptions: {executor: {port: 1}}}})

describe('daemon-health', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('skips when no daemon is registered or listening', async () => {
    const home = tmp.make()
    executorHome(home)
    expectResult(await run(home), {status: 'skip', mentions: ['starts one on demand']})
  })

  it('skips when the registered daemon is dead and nothing listens (stale-manifest reports it)', async () => {
    const home = tmp.make()
    const pid = await deadPid()
    executorHome(home).manifest({pid, port: 1})
    expectResult(await run(home), {status: 'skip', mentions: [pid]})
  })

  it('passes for a healthy current-generation daemon (GET /api/health → ok)', async () => {
    const home = tmp.make()
    await startFakeExecutor(home)
    expectResult(await run(home), {status: 'pass'})
  })

  it('passes for a healthy 1.5.9 daemon, which has no /api/health', async () => {
    const home = tmp.make()
    await startFakeExecutor(home, ['--generation', 'legacy'])
    expectResult(await run(home), {status: 'pass'})
  })

  it('fails when the daemon answers its health probe wrongly', async () => {
    const home = tmp.make()
    const daemon = await startFakeExecutor(home, ['--mode', 'wrong'])
    expectResult(await run(home), {
      status: 'fail',
      symptoms: ['executor/health-wrong-answer'],
      mentions: ['500', '/api/health', daemon.origin],
    })
  })

  it('fails within the probe timeout when the daemon accepts and never answers', async () => {
    const home = tmp.make()
    await startFakeExecutor(home, ['--mode', 'hung'])
    const started = Date.now()
    const result = await run(home)
    expectResult(result, {status: 'fail', symptoms: ['executor/health-no-answer'], mentions: ['within 2000 ms']})
    if (Date.now() - started > 4000) throw new Error(`took ${Date.now() - started} ms`)
  })

  it('does not pass when a foreign process answering "ok" to everything holds the port', async () => {
    const home = tmp.make()
    const squatter = await startFixture('squatter.ts', [])
    executorHome(home).manifest({pid: squatter.pid, port: squatter.ready.port as number, version: '1.5.35'})
    expectResult(await run(home), {status: 'fail', symptoms: ['executor/health-not-executor'], mentions: [squatter.pid, 'not Executor']})
  })
})
