import check from '../../checks/clock-skew.js'
import daemonHealth from '../../checks/daemon-health.js'
import {createContext} from '../../src/context.js'
import {runChecks} from '../../src/engine/run-checks.js'
import {targetById} from '../../src/targets/index.js'
import {expectResult} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {killAll} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()

/** clock-skew depends on daemon-health, so both run, as in a real run. */
async function run(home: string) {
  const ctx = createContext({home, env: {HOME: home}, options: {targetOptions: {executor: {port: 1}}}})
  const target = await targetById('executor')!.detect(ctx)
  const results = await runChecks(
    ctx,
    [
      {check: daemonHealth, target},
      {check, target},
    ],
    {deadline: Date.now() + 10_000},
  )
  await ctx.close()
  return results[1]!
}

describe('clock-skew', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('passes when the daemon agrees with the local clock', async () => {
    const home = tmp.make()
    await startFakeExecutor(home)
    expectResult(await run(home), {status: 'pass'})
  })

  it('warns when the daemon is 30 s off', async () => {
    const home = tmp.make()
    await startFakeExecutor(home, ['--date-offset-s', '30'])
    expectResult(await run(home), {status: 'warn', symptoms: ['executor/clock-skew'], mentions: ['ahead of']})
  })

  it('fails when the daemon is 10 minutes behind', async () => {
    const home = tmp.make()
    await startFakeExecutor(home, ['--date-offset-s=-600'])
    expectResult(await run(home), {status: 'fail', symptoms: ['executor/clock-skew'], mentions: ['behind', 300]})
  })

  it('is skipped, with the reason, when the daemon is not there', async () => {
    const home = tmp.make()
    executorHome(home)
    expectResult(await run(home), {status: 'skip', mentions: ['depends on daemon-health']})
  })
})
