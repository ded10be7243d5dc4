import {openSync, ftruncateSync, writeSync, closeSync, utimesSync, writeFileSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import check from '../../checks/daemon-log-errors.js'
import {expectResult, runCheck, type Expectation} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {killAll} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const run = (home: string) => runCheck(check, {home, env: {HOME: home}})

const lineCases: Array<[string, string[], Omit<Expectation, 'mentions'>]> = [
  [
    'a bare "Unknown error" (pre-1.5.33 boot failure)',
    ['[12:00:01.000] INFO starting', 'Unknown error'],
    {status: 'fail', symptoms: ['executor/log-unknown-error']},
  ],
  [
    'EADDRINUSE',
    ['error: listen EADDRINUSE: address already in use 127.0.0.1:4789'],
    {status: 'fail', symptoms: ['executor/log-address-in-use']},
  ],
  [
    'the data dir owned by another process',
    ['Executor data directory is already owned by another process: /x/data.db.owner-lock'],
    {status: 'fail', symptoms: ['executor/log-data-dir-owned']},
  ],
  [
    'the SQLite open failure',
    ['Failed to open local SQLite data. Close other Executor processes and retry, or run with --log-level debug for details.'],
    {status: 'fail', symptoms: ['executor/log-sqlite-open']},
  ],
  [
    'the specHash migration hang (#1393)',
    ['Monolith .../google/google has no specHash; serving state cannot be migrated'],
    {status: 'fail', symptoms: ['executor/log-boot-migration']},
  ],
  ['only ordinary lines', ['Daemon ready on http://localhost:4789', 'WARN keychain unavailable'], {status: 'pass'}],
  ['a line that merely mentions an unknown error in passing', ['handled an Unknown error from a plugin and continued'], {status: 'pass'}],
]

describe('daemon-log-errors', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('skips when there is no service log (a detached daemon has none)', async () => {
    const home = tmp.make()
    executorHome(home)
    expectResult(await run(home), {status: 'skip', mentions: ['only the OS service writes one']})
  })

  it('judges a 200,000-character junk line in well under a second (no rule backtracks over it), still finding the real error after it', async () => {
    const home = tmp.make()
    executorHome(home).errorLog(['['.repeat(200_000), 'error: listen EADDRINUSE: address already in use 127.0.0.1:4789'])
    const started = Date.now()
    const result = await run(home)
    const elapsed = Date.now() - started
    expectResult(result, {status: 'fail', symptoms: ['executor/log-address-in-use']})
    if (elapsed > 1000) throw new Error(`took ${elapsed} ms`)
  })

  for (const [name, lines, expect] of lineCases) {
    it(`judges ${name}`, async () => {
      const home = tmp.make()
      executorHome(home).errorLog(lines)
      expectResult(await run(home), expect)
    })
  }

  it('reads only the end of a 2 GB log, and finds the failure there', async () => {
    const home = tmp.make()
    const path = executorHome(home).errorLog([])
    const fd = openSync(path, 'r+')
    ftruncateSync(fd, 2 * 1024 ** 3)
    writeSync(fd, '\nUnknown error\n', 2 * 1024 ** 3)
    closeSync(fd)
    const started = Date.now()
    expectResult(await run(home), {status: 'fail', symptoms: ['executor/log-unknown-error'], mentions: ['of the last']})
    if (Date.now() - started > 2000) throw new Error('tail read was not bounded')
  })

  it('does not trip on binary garbage', async () => {
    const home = tmp.make()
    const h = executorHome(home)
    mkdirSync(join(h.dataDir, 'logs'), {recursive: true})
    writeFileSync(join(h.dataDir, 'logs', 'daemon.error.log'), Buffer.from(Array.from({length: 4096}, (_, i) => (i * 37) % 256)))
    expectResult(await run(home), {status: 'pass'})
  })

  it('only warns about errors logged before the running daemon started', async () => {
    const home = tmp.make()
    const path = executorHome(home).errorLog(['Unknown error'])
    const old = new Date(Date.now() - 3600_000)
    utimesSync(path, old, old)
    await startFakeExecutor(home)
    expectResult(await run(home), {status: 'warn', symptoms: ['executor/log-unknown-error'], mentions: ['earlier boot']})
  })

  it('is an error when the log path is a directory', async () => {
    const home = tmp.make()
    const h = executorHome(home)
    mkdirSync(join(h.dataDir, 'logs', 'daemon.error.log'), {recursive: true})
    expectResult(await run(home), {status: 'error', mentions: ['NOT_FILE']})
  })
})
