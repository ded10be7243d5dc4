import check from '../../checks/unreachable-daemon.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {deadPid, killAll} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const run = (home: string) => runCheck(check, {home, env: {HOME: home}})

describe('unreachable-daemon', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('skips when nothing is registered', async () => {
    const home = tmp.make()
    executorHome(home)
    expectResult(await run(home), {status: 'skip'})
  })

  it('skips when the registered pid is dead (stale-manifest reports it)', async () => {
    const home = tmp.make()
    executorHome(home).manifest({pid: await deadPid()})
    expectResult(await run(home), {status: 'skip', mentions: ['stale-manifest']})
  })

  it('passes when the registered daemon answers', async () => {
    const home = tmp.make()
    await startFakeExecutor(home)
    expectResult(await run(home), {status: 'pass'})
  })

  it('fails, bounded by the probe timeout, when the registered live daemon hangs', async () => {
    const home = tmp.make()
    const daemon = await startFakeExecutor(home, ['--mode', 'hung'])
    const started = Date.now()
    expectResult(await run(home), {
      status: 'fail',
      symptoms: ['executor/registered-unreachable'],
      mentions: [daemon.pid, daemon.origin, 'executor daemon stop'],
    })
    if (Date.now() - started > 4000) throw new Error(`took ${Date.now() - started} ms`)
  })

  it('fails when the registered daemon answers but not as healthy', async () => {
    const home = tmp.make()
    await startFakeExecutor(home, ['--mode', 'wrong'])
    expectResult(await run(home), {status: 'fail', symptoms: ['executor/registered-unreachable'], mentions: ['500']})
  })
})
