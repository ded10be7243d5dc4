import check from '../../checks/port-squatter.js'
import type {CheckResult} from '../../src/types.js'
import assert from 'node:assert/strict'
import {runCheck} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const run = (home: string, port: number) => runCheck(check, {home, env: {HOME: home}, options: {targetOptions: {executor: {port}}}})
/** Only what concerns `port`: other tests on this machine may hold 4788/4789 meanwhile. */
const about = (result: CheckResult, port: number) => result.findings.filter((f) => f.evidence.port === port)

describe('port-squatter', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('names the pid and command line of a foreign process on the daemon port', async () => {
    const home = tmp.make()
    executorHome(home)
    const squatter = await startFixture('squatter.ts', [])
    const port = squatter.ready.port as number
    const result = await run(home, port)
    assert.equal(result.status, 'fail')
    const [f] = about(result, port)
    assert.ok(f, JSON.stringify(result))
    assert.equal(f.symptom, 'executor/port-squatter')
    assert.match(f.message, new RegExp(`pid ${squatter.pid} \\(.*squatter\\.ts`))
    assert.ok(f.fix.commands.includes(`ss -ltnp 'sport = :${port}'`))
  })

  it('reports one finding per squatter even when it listens on several addresses', async () => {
    const home = tmp.make()
    executorHome(home)
    const squatter = await startFixture('squatter.ts', ['--host', '::'])
    const port = squatter.ready.port as number
    assert.equal(about(await run(home, port), port).length, 1)
  })

  it('accepts Executor itself on its port', async () => {
    const home = tmp.make()
    const daemon = await startFakeExecutor(home)
    const result = await run(home, daemon.port)
    assert.deepEqual(about(result, daemon.port), [])
  })

  it('accepts a free port', async () => {
    const home = tmp.make()
    executorHome(home)
    const result = await run(home, 1)
    assert.deepEqual(about(result, 1), [])
  })
})
