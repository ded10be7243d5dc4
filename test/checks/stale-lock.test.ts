import check from '../../checks/stale-lock.js'
import {expectResult, checkTable, runCheck, type CheckRow} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {killLive, liveProcess} from '../helpers/live.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const lock = (pid: unknown, startedAt = new Date().toISOString()) =>
  JSON.stringify({pid, hostname: 'localhost', scopeId: 'cwd:/x', startedAt}, null, 2) + '\n'

const cases: CheckRow[] = [
  {name: 'passes with no locks', state: (home) => void executorHome(home), expect: {status: 'pass'}},
  {
    name: 'warns about a start lock left by a dead pid (the CLI reclaims it)',
    async state(home) {
      const pid = await deadPid()
      executorHome(home).startLock(lock(pid))
      return [pid]
    },
    expect: {status: 'warn', symptoms: ['executor/stale-start-lock']},
  },
  {
    name: 'fails on a start lock of garbage (the CLI counts it as held forever)',
    state(home) {
      executorHome(home).startLock('\u0000garbage')
      return ['live holder']
    },
    expect: {status: 'fail', symptoms: ['executor/start-lock-blocked']},
  },
  {
    name: 'fails on a start lock whose pid field is not a number',
    state(home) {
      executorHome(home).startLock(lock('abc'))
      return ['live holder']
    },
    expect: {status: 'fail', symptoms: ['executor/start-lock-blocked']},
  },
  {
    name: 'fails on a start lock whose pid was recycled by an unrelated process',
    async state(home) {
      const {pid} = await liveProcess()
      executorHome(home).startLock(lock(pid))
      return [pid]
    },
    expect: {status: 'fail', symptoms: ['executor/start-lock-blocked']},
  },
  {
    name: 'passes while a live Executor start holds a fresh lock',
    async state(home) {
      const {pid} = await liveProcess({executorIn: home})
      executorHome(home).startLock(lock(pid))
    },
    expect: {status: 'pass'},
  },
  {
    name: 'warns about a legacy startup.lock that a current CLI never reads',
    async state(home) {
      const h = executorHome(home)
      h.manifest({pid: await deadPid(), version: '1.5.35'})
      h.legacyLock(lock(await deadPid()))
      return ['harmless debris']
    },
    expect: {status: 'warn', symptoms: ['executor/legacy-startup-lock']},
  },
  {
    name: 'fails on a legacy startup.lock of garbage when the CLI may still read it',
    state(home) {
      executorHome(home).legacyLock('{{{')
      return ['blocking starts']
    },
    expect: {status: 'fail', symptoms: ['executor/legacy-startup-lock']},
  },
]

describe('stale-lock', () => {
  afterEach(async () => {
    await killLive()
    tmp.cleanup()
  })
  checkTable(check, cases, () => tmp.make())

  it('warns when a live Executor has held its start lock for over a minute', async () => {
    const home = tmp.make()
    const {pid} = await liveProcess({executorIn: home})
    executorHome(home).startLock(lock(pid))
    // The clock is injected: two minutes later the same lock is stuck.
    const result = await runCheck(check, {home, env: {HOME: home}, now: () => Date.now() + 120_000})
    expectResult(result, {status: 'warn', symptoms: ['executor/start-lock-stuck'], mentions: [pid]})
  })
})
