/**
 * Probe messages say what happened (issue 13 §4): a server that answers garbage at once is not
 * "Nothing answered within 2000 ms" (what it sent is quoted, escaped and cut); an endless body or
 * a 1 GB Content-Length is cut at the cap and reported as cut; a FIFO config is "a FIFO, not a
 * regular file". Real servers over real sockets (net.createServer and the fake Executor daemon),
 * a real FIFO.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import check from '../../checks/daemon-health.js'
import {HttpProbe} from '../../src/probes/http.js'
import {expectResult, runCheck, checkById} from '../helpers/check-table.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {killAll} from '../helpers/processes.js'
import {startRunwisp, cleanup as cleanupRunwisp, workdir, runwispAt} from '../runwisp/helpers.js'
import {tmpDirs} from '../helpers/tmp.js'

/** A raw TCP server on 127.0.0.1 that does `onConnection` with each socket; closed after the test. */
async function rawServer(onConnection: (socket: Socket) => void): Promise<{port: number; server: Server; sockets: Set<Socket>}> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    onConnection(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {port: typeof address === 'object' && address ? address.port : 0, server, sockets}
}

describe('probe messages say what happened', function () {
  this.timeout(30_000)
  const tmp = tmpDirs()
  const servers: Array<{server: Server; sockets: Set<Socket>}> = []
  const serve = async (onConnection: (socket: Socket) => void) => {
    const s = await rawServer(onConnection)
    servers.push(s)
    return s.port
  }
  afterEach(async () => {
    for (const {server, sockets} of servers.splice(0)) {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
    await killAll()
    await cleanupRunwisp()
    tmp.cleanup()
  })

  it('a server that answers garbage at once: what it answered, escaped and cut, long before the timeout', async () => {
    const port = await serve((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n\x1b[2J\x1b]52;c;aGVsbG8=\x07' + 'x'.repeat(500)))
    const started = Date.now()
    const result = await new HttpProbe(2000).get(`http://127.0.0.1:${port}/api/health`)
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`)
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.equal(result.error, 'protocol')
    assert.match(
      result.message,
      /^it answered with something that is not HTTP \(HPE_INVALID_CONSTANT\): "SSH-2\.0-OpenSSH_9\.6\\r\\n\\x1b\[2J\\x1b\]52;c;aGVsbG8=\\x07x+…"$/,
    )
    assert.doesNotMatch(result.message, /within|\x1b|\x07/)
    assert.ok(result.message.length < 200)
  })

  it('a server that sends a partial status line and stalls: what it sent, not "no answer"', async () => {
    const port = await serve((socket) => socket.write('HTTP/1.1 200 OK\r\nX-Half: '))
    const result = await new HttpProbe(500).get(`http://127.0.0.1:${port}/health`)
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.match(result.message, /^it sent 25 bytes within 500 ms but no complete HTTP answer: "HTTP\/1\.1 200 OK\\r\\nX-Half: "$/)
  })

  it('an endless body is cut at the cap and said to be, at once', async () => {
    const port = await serve((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n')
      const chunk = Buffer.alloc(16 * 1024, 'y')
      const more = () => {
        while (!socket.destroyed && socket.write(chunk));
        if (!socket.destroyed) socket.once('drain', more)
      }
      more()
    })
    const started = Date.now()
    const result = await new HttpProbe(2000).get(`http://127.0.0.1:${port}/`, {maxBytes: 64 * 1024})
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`)
    assert.equal(result.ok, true)
    if (!result.ok) return
    assert.equal(result.truncated, true)
    assert.equal(result.body.length, 64 * 1024)
    assert.equal(result.cut, 'cut at the 64 KiB cap; it did not say how long it is')
  })

  it('a 1 GB Content-Length is cut at the cap, saying what it announced', async () => {
    const port = await serve((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${1024 ** 3}\r\n\r\n`)
      socket.write(Buffer.alloc(2048, 'z'))
    })
    const result = await new HttpProbe(2000).get(`http://127.0.0.1:${port}/`, {maxBytes: 1024})
    assert.equal(result.ok, true)
    if (!result.ok) return
    assert.equal(result.cut, 'cut at the 1 KiB cap; it announced 1073741824 bytes')
    // A body that stops short of what it announced, under the cap: the status came, the body did not end.
    const slow = await serve((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${1024 ** 3}\r\n\r\nabc`))
    const stalled = await new HttpProbe(400).get(`http://127.0.0.1:${slow}/`, {maxBytes: 1024})
    assert.equal(stalled.ok, true)
    if (!stalled.ok) return
    assert.equal(stalled.status, 200)
    assert.equal(stalled.cut, 'the body did not end within 400 ms; 3 bytes of it read of the 1073741824 bytes it announced')
  })

  it('daemon-health: an Executor daemon answering garbage is reported with what it answered, not a timeout', async () => {
    const home = tmp.make()
    await startFakeExecutor(home, ['--mode', 'garbage'])
    const result = await runCheck(check, {home, env: {HOME: home}, options: {targetOptions: {executor: {port: 1}}}})
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/health-no-answer'],
      mentions: ['something that is not HTTP', 'SSH-2.0-OpenSSH_9.6\\r\\n\\x1b]0;owned\\x07Protocol mismatch'],
    })
    const message = result.findings[0]!.message
    assert.doesNotMatch(message, /Nothing answered|within 2000 ms|\x1b/)
  })

  it('daemon-health: endless and 1 GB bodies are a wrong answer whose body was cut, not a timeout', async () => {
    for (const mode of ['endless', 'huge-length']) {
      const home = tmp.make()
      await startFakeExecutor(home, ['--mode', mode])
      const started = Date.now()
      const result = await runCheck(check, {home, env: {HOME: home}, options: {targetOptions: {executor: {port: 1}}}})
      assert.ok(Date.now() - started < 2000, `${mode}: took ${Date.now() - started} ms`)
      const announced = mode === 'huge-length' ? 'it announced 1073741824 bytes' : 'it did not say how long it is'
      expectResult(result, {
        status: 'fail',
        symptoms: ['executor/health-wrong-answer'],
        mentions: ['its body cut at the 64 KiB cap', announced],
      })
      await killAll()
    }
  })

  it('config-valid: a runwisp.toml that is a FIFO is "a FIFO, not a regular file", not "a directory?"', async () => {
    const {cwd, dataDir} = workdir('0.16+', '')
    const config = join(cwd, 'runwisp.toml')
    rmSync(config)
    execFileSync('mkfifo', [config])
    const daemon = await startRunwisp({generation: '0.16+', dataDir, cwd})
    const result = await runCheck(checkById('config-valid'), runwispAt(cwd, {port: daemon.port}))
    expectResult(result, {status: 'fail', symptoms: ['runwisp/config-syntax'], mentions: ['runwisp.toml is a FIFO, not a regular file']})
    assert.doesNotMatch(JSON.stringify(result), /a directory\?/)
  })
})
