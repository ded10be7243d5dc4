import check from '../../checks/duplicate-daemon.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {killAll} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const run = (home: string) => runCheck(check, {home, env: {HOME: home}})

describe('duplicate-daemon', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('passes with one registered daemon', async () => {
    const home = tmp.make()
    await startFakeExecutor(home)
    expectResult(await run(home), {status: 'pass'})
  })

  it('fails naming both pids when two daemons serve one data dir', async () => {
    const home = tmp.make()
    const first = await startFakeExecutor(home)
    const second = await startFakeExecutor(home, ['--no-manifest'])
    expectResult(await run(home), {
      status: 'fail',
      symptoms: ['executor/duplicate-daemon'],
      mentions: [first.pid, second.pid, first.dataDir],
    })
  })

  it('warns about a daemon that answers but is registered nowhere', async () => {
    const home = tmp.make()
    executorHome(home)
    const orphan = await startFakeExecutor(home, ['--no-manifest'])
    expectResult(await run(home), {status: 'warn', symptoms: ['executor/unregistered-daemon'], mentions: [orphan.pid, orphan.port]})
  })

  it('ignores a daemon that serves another data dir', async () => {
    const home = tmp.make()
    const other = tmp.make()
    executorHome(home)
    await startFakeExecutor(other)
    const result = await run(home)
    if (result.status !== 'pass' && result.status !== 'skip') throw new Error(JSON.stringify(result))
  })
})
