import {writeFileSync, symlinkSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import check from '../../checks/stale-manifest.js'
import {expectResult, checkTable, runCheck, type CheckRow} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {killLive, liveProcess} from '../helpers/live.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const hourAgo = () => new Date(Date.now() - 3600_000).toISOString()

const cases: CheckRow[] = [
  {name: 'skips when there is no data dir', state: () => undefined, expect: {status: 'skip'}},
  {
    name: 'passes when server.json names a live Executor that wrote it',
    async state(home) {
      const {pid} = await liveProcess({executorIn: home, args: ['daemon', 'run']})
      executorHome(home).manifest({pid})
    },
    expect: {status: 'pass'},
  },
  {
    name: 'fails naming the dead pid of a SIGKILLed daemon',
    async state(home) {
      const pid = await deadPid()
      executorHome(home).manifest({pid})
      return [pid]
    },
    expect: {status: 'fail', symptoms: ['executor/stale-manifest']},
  },
  {
    name: 'fails when the pid now belongs to a process started after the manifest was written',
    async state(home) {
      const {pid} = await liveProcess({executorIn: home, args: ['daemon', 'run']})
      executorHome(home).manifest({pid, startedAt: hourAgo()})
      return [pid, 'after the file was written']
    },
    expect: {status: 'fail', symptoms: ['executor/manifest-pid-reused']},
  },
  {
    name: 'fails when the pid belongs to an unrelated program',
    async state(home) {
      const {pid} = await liveProcess()
      executorHome(home).manifest({pid})
      return [pid, 'not Executor']
    },
    expect: {status: 'fail', symptoms: ['executor/manifest-pid-reused']},
  },
  {
    name: 'warns about a truncated server.json',
    state(home) {
      executorHome(home).manifest('{"version":1,"kind":"cli-daemon","pid":12')
      return ['not valid JSON', 'truncated']
    },
    expect: {status: 'warn', symptoms: ['executor/manifest-invalid']},
  },
  {
    name: 'warns about a server.json that is not JSON at all',
    state(home) {
      executorHome(home).manifest('\u0000\u0001garbage\uFFFD')
      return ['not valid JSON']
    },
    expect: {status: 'warn', symptoms: ['executor/manifest-invalid']},
  },
  {
    name: 'warns about an empty server.json',
    state(home) {
      executorHome(home).manifest('')
      return ['empty']
    },
    expect: {status: 'warn', symptoms: ['executor/manifest-invalid']},
  },
  ...(
    [
      ['a string pid', '"123"', 'a string, not a number'],
      ['pid 0', '0', 'positive integer'],
      ['a negative pid', '-5', 'positive integer'],
      ['a huge pid', '99999999999', 'beyond any pid'],
      ['a fractional pid', '12.5', 'not an integer'],
    ] as const
  ).map(([label, pid, mention]): CheckRow => ({
    name: `warns about a manifest with ${label}`,
    state(home: string) {
      const m = {
        version: 1,
        kind: 'cli-daemon',
        pid: JSON.parse(pid),
        startedAt: 'x',
        dataDir: home,
        scopeDir: null,
        connection: {origin: 'http://localhost:4788'},
        owner: {client: 'cli', version: null, executablePath: null},
      }
      executorHome(home).manifest(JSON.stringify(m))
      return [mention]
    },
    expect: {status: 'warn', symptoms: ['executor/manifest-invalid']},
  })),
  {
    name: 'warns about wrong field types without crashing',
    state(home) {
      executorHome(home).manifest(
        JSON.stringify({version: 1, kind: 'cli-daemon', pid: 5, startedAt: 7, dataDir: [], connection: 'x', owner: 1}),
      )
      return ['"startedAt" is missing or not a string']
    },
    expect: {status: 'warn', symptoms: ['executor/manifest-invalid']},
  },
  {
    name: 'reports a 10 MB server.json as too large without loading it',
    state(home) {
      const h = executorHome(home)
      writeFileSync(h.manifestPath, Buffer.alloc(10 * 1024 * 1024, 0x20))
      return ['10485760 bytes']
    },
    expect: {status: 'warn', symptoms: ['executor/manifest-invalid']},
  },
  {
    name: 'reports a symlinked server.json instead of following it',
    state(home) {
      const h = executorHome(home)
      writeFileSync(join(home, 'elsewhere.json'), '{}')
      symlinkSync(join(home, 'elsewhere.json'), h.manifestPath)
      return ['symlink']
    },
    expect: {status: 'warn', symptoms: ['executor/manifest-invalid']},
  },
  {
    name: 'warns about a daemon record whose pid is dead',
    async state(home) {
      const pid = await deadPid()
      executorHome(home).record(pid)
      return [pid]
    },
    expect: {status: 'warn', symptoms: ['executor/stale-record']},
  },
  {
    name: 'ignores a pointer whose pid is dead (1.5.9 leaves it after a clean stop)',
    async state(home) {
      executorHome(home).pointer(await deadPid())
    },
    expect: {status: 'pass'},
  },
  {
    name: 'fails when a pointer names a recycled pid',
    async state(home) {
      const {pid} = await liveProcess()
      executorHome(home).pointer(pid)
      return [pid]
    },
    expect: {status: 'fail', symptoms: ['executor/record-pid-reused']},
  },
  {
    name: 'warns about a record of garbage',
    state(home) {
      const h = executorHome(home)
      writeFileSync(join(h.dataDir, 'daemon-localhost-4788.json'), 'not json {')
      return ['not valid JSON']
    },
    expect: {status: 'warn', symptoms: ['executor/record-invalid']},
  },
]

describe('stale-manifest', () => {
  afterEach(async () => {
    await killLive()
    tmp.cleanup()
  })

  checkTable(check, cases, () => tmp.make())

  it('reads EXECUTOR_DATA_DIR relative to the working directory', async () => {
    const home = tmp.make()
    const pid = await deadPid()
    const cwd = join(home, 'work')
    mkdirSync(join(cwd, 'state', 'server-control'), {recursive: true})
    writeFileSync(
      join(cwd, 'state', 'server-control', 'server.json'),
      JSON.stringify({
        version: 1,
        kind: 'cli-daemon',
        pid,
        startedAt: new Date().toISOString(),
        dataDir: 'x',
        scopeDir: null,
        connection: {origin: 'http://localhost:4788'},
        owner: {client: 'cli', version: '1.5.9', executablePath: null},
      }),
    )
    const result = await runCheck(check, {home, cwd, env: {HOME: home, EXECUTOR_DATA_DIR: 'state'}})
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/stale-manifest'],
      mentions: [join(cwd, 'state', 'server-control', 'server.json'), pid],
    })
  })

  it('is an error, not a guess, when EXECUTOR_DATA_DIR points at a file', async () => {
    const home = tmp.make()
    writeFileSync(join(home, 'file'), 'x')
    const result = await runCheck(check, {home, env: {HOME: home, EXECUTOR_DATA_DIR: join(home, 'file')}})
    expectResult(result, {status: 'error', mentions: ['is not a directory', 'EXECUTOR_DATA_DIR']})
  })
})
