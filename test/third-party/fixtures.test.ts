/**
 * The third-party daemon fixtures themselves: each state a declared-target test builds is the
 * real daemon's own behaviour (its pid file, its answer, its failure line in its own log).
 */
import {strict as assert} from 'node:assert'
import {readFileSync, statSync} from 'node:fs'
import {get} from 'node:http'
import {killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {needTools} from '../helpers/tools.js'
import {
  daemonHome,
  exchange,
  NGINX,
  readPid,
  REDIS,
  startDaemon,
  startSecondInstance,
  stopDaemons,
  type DaemonKind,
} from '../helpers/third-party.js'

function httpGet(port: number, path: string): Promise<{status: number; body: string; date: string | undefined}> {
  return new Promise((resolve, reject) => {
    const req = get({host: '127.0.0.1', port, path, timeout: 2000}, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body, date: res.headers.date}))
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timeout')))
  })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const answers: Record<DaemonKind, (port: number, secret: string) => Promise<void>> = {
  async nginx(port) {
    const res = await httpGet(port, '/health')
    assert.equal(res.status, 200)
    assert.equal(res.body, 'ok')
    assert.ok(res.date, 'nginx sends a Date header')
    assert.equal((await httpGet(port, '/private/')).status, 401)
  },
  async redis(port, secret) {
    assert.match(await exchange(port, 'PING\r\n'), /^-NOAUTH/)
    assert.equal(await exchange(port, `AUTH ${secret}\r\nPING\r\n`), '+OK')
  },
}

const failureLine: Record<DaemonKind, (port: number) => RegExp> = {
  nginx: (port) => new RegExp(`bind\\(\\) to 127\\.0\\.0\\.1:${port} failed \\(98: Address already in use\\)`),
  redis: (port) => new RegExp(`Could not create server TCP listening socket 127\\.0\\.0\\.1:${port}: bind: Address already in use`),
}

for (const [kind, tool] of [
  ['nginx', NGINX],
  ['redis', REDIS],
] as const) {
  describe(`third-party fixture: ${kind}`, function () {
    this.timeout(30_000)
    const tmp = tmpDirs()
    afterEach(async () => {
      await stopDaemons()
      await killAll()
      tmp.cleanup()
    })

    for (const asNobody of [false, true]) {
      it(`runs healthy${asNobody ? ' as nobody' : ' as root'} in its own dir: pid file, answer, data dir mode`, async function () {
        needTools(this, tool)
        const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`), {asNobody})
        const daemon = await startDaemon(home)
        assert.equal(readPid(home), daemon.pid)
        await answers[kind](home.port, home.secretValue)
        assert.equal(statSync(home.dataDir).mode & 0o777, 0o700)
        const status = readFileSync(`/proc/${daemon.pid}/status`, 'utf8')
        assert.match(status, new RegExp(`^Uid:\\s+${asNobody ? 65534 : 0}\\s`, 'm'))
        await daemon.stop()
      })
    }

    it('SIGKILLed: the pid file stays, naming a dead pid', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const daemon = await startDaemon(home)
      await daemon.kill()
      assert.equal(readPid(home), daemon.pid)
      assert.equal(alive(daemon.pid), false)
    })

    it('a second instance on the taken port writes its own bind failure to its log and exits', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      const daemon = await startDaemon(home)
      const code = await startSecondInstance(home)
      assert.notEqual(code, 0)
      assert.match(readFileSync(home.log, 'utf8'), failureLine[kind](home.port))
      assert.equal(readPid(home), daemon.pid, 'the first instance keeps its pid file')
      await answers[kind](home.port, home.secretValue)
    })
  })
}

describe('third-party fixture: foreign servers answering like the daemons', function () {
  this.timeout(15_000)
  afterEach(() => killAll())

  it('line-squatter answers PING with +PONG like a redis without a password', async () => {
    const squatter = await startFixture('third-party/line-squatter.ts', ['--port', '0'])
    assert.equal(await exchange(squatter.ready.port as number, 'PING\r\n'), '+PONG')
  })
})
