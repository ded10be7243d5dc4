/**
 * Who holds a listening socket: the owner scan reads the fds of the pids a caller expects first
 * (the pid a daemon recorded) and answers the same with a wrong guess or none. A real listener in
 * a real child process.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {SocketProbe} from '../../src/probes/sockets.js'

/** A node child listening on 127.0.0.1, with its port. */
function listenerProcess(): Promise<{child: ChildProcess; port: number}> {
  const code = `const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port)); setTimeout(() => {}, 60000)`
  const child = spawn(process.execPath, ['-e', code], {stdio: ['ignore', 'pipe', 'inherit']})
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.stdout!.once('data', (chunk: Buffer) => resolve({child, port: Number(chunk.toString().trim())}))
  })
}

/** The pids a probe read the fds of, in order. */
function scansOf(probe: SocketProbe): number[] {
  const scanned: number[] = []
  const target = probe as unknown as {scanProcess(pid: number): void}
  const original = target.scanProcess.bind(probe)
  target.scanProcess = (pid: number) => {
    scanned.push(pid)
    original(pid)
  }
  return scanned
}

describe('engine: the owner of a listening socket', function () {
  if (process.platform !== 'linux') return
  let held: {child: ChildProcess; port: number}
  before(async () => {
    held = await listenerProcess()
  })
  after(() => held.child.kill('SIGKILL'))

  it('reads the expected pid first, and answers the same with no guess or a wrong one', async () => {
    const answers: Array<number | null> = []
    for (const likely of [[held.child.pid!], [], [process.pid, 999_999_999]]) {
      const probe = new SocketProbe()
      const scanned = scansOf(probe)
      const [listener] = await probe.onPort(held.port)
      assert.ok(listener, `nothing listens on ${held.port}`)
      const owner = await probe.owner(listener, likely)
      answers.push(owner.pid)
      if (likely[0] === held.child.pid) assert.deepEqual(scanned, [held.child.pid], 'one fd table read, the expected one')
      // Each process is read at most once, the guesses included.
      assert.equal(new Set(scanned).size, scanned.length)
    }
    assert.deepEqual(answers, [held.child.pid, held.child.pid, held.child.pid])
  })
})

describe('engine: the socket tables bin/run.js read early', function () {
  if (process.platform !== 'linux') return
  const EARLY = Symbol.for('doctorkit.early-net-tables')
  const holder = globalThis as Record<symbol, unknown>
  afterEach(() => delete holder[EARLY])
  // A listener on port 1 that nothing on this machine holds: only the early tables can show it.
  const row = '   0: 0100007F:0001 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 424242 1 0 100 0 0 10 0'
  const early = (ageMs: number) => ({startedAtMs: Date.now() - ageMs, tables: Promise.resolve([`  sl  local_address\n${row}\n`, '', ''])})

  it('are taken by the first snapshot only; the next one (a --fix re-check) reads the kernel again', async () => {
    holder[EARLY] = early(0)
    assert.deepEqual(
      (await new SocketProbe().onPort(1)).map((l) => l.inode),
      [424242],
    )
    assert.equal(holder[EARLY], undefined)
    assert.deepEqual(await new SocketProbe().onPort(1), [])
  })

  it('are not taken when a second old, nor by a probe of another /proc', async () => {
    holder[EARLY] = early(1500)
    assert.deepEqual(await new SocketProbe().onPort(1), [])
    holder[EARLY] = early(0)
    assert.deepEqual(await new SocketProbe('/nonexistent-proc').onPort(1), [])
    assert.notEqual(holder[EARLY], undefined, 'left for the probe of /proc')
  })
})
