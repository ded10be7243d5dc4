/**
 * bin/run.js reads the kernel's socket tables while the bundle compiles, each TCP table only as
 * far as its listeners (the kernel lists them first) and taking a short read as the end. The
 * listeners it hands the run must be every listener a whole read shows: here with more listener
 * rows than one of its 2 KiB reads holds, established connections after them (so it stops early),
 * an IPv6 listener where the machine has ::1, and real sockets held by a real child process.
 */
import assert from 'node:assert/strict'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseTcpTable} from '../../src/probes/sockets.js'
import {REPO} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

/** A child with `count` listeners on 127.0.0.1 (and one on ::1 when it can), each with a client connected. */
function sockets(count: number): Promise<ChildProcess> {
  const code = `
    const net = require('net'); const held = []
    const listen = (host) => new Promise((ok, fail) => { const s = net.createServer((c) => held.push(c)).listen(0, host, () => ok(s)); s.on('error', fail) })
    ;(async () => {
      const servers = []
      for (let i = 0; i < ${count}; i++) servers.push(await listen('127.0.0.1'))
      await listen('::1').then((s) => servers.push(s), () => {})
      for (const s of servers) await new Promise((ok) => held.push(net.connect(s.address().port, s.address().address, ok)))
      console.log('ready')
    })()
    setTimeout(() => {}, 60000)`
  const child = spawn(process.execPath, ['-e', code], {stdio: ['ignore', 'pipe', 'inherit']})
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.stdout!.once('data', () => resolve(child))
  })
}

const listenersOf = (tcp: string, tcp6: string) =>
  [...parseTcpTable(tcp, 'tcp'), ...parseTcpTable(tcp6, 'tcp6')].map((l) => `${l.protocol} ${l.address}:${l.port} ${l.inode}`).sort()

describe('bin/run.js: the socket tables read early', function () {
  if (process.platform !== 'linux') return
  this.timeout(30_000)
  const tmp = tmpDirs()
  let child: ChildProcess
  before(async () => {
    child = await sockets(20)
  })
  after(() => {
    child.kill('SIGKILL')
    tmp.cleanup()
  })

  it('hands the run every listener a whole read of /proc/net/tcp and tcp6 shows, stopping before the rest', () => {
    const dir = tmp.make()
    // Catches what bin/run.js hands the bundle, and writes it out once the tables are read.
    const preload = join(dir, 'catch.cjs')
    writeFileSync(
      preload,
      `const key = Symbol.for('doctorkit.early-net-tables'); let early
       Object.defineProperty(globalThis, key, {configurable: true, get: () => early, set(value) {
         early = value
         value.tables.then((t) => require('fs').writeFileSync(${JSON.stringify(join(dir, 'tables.json'))}, JSON.stringify(t)))
       }})`,
    )
    const run = spawnSync(process.execPath, ['--require', preload, join(REPO, 'bin/run.js'), '--json'], {
      cwd: dir,
      env: {...process.env, HOME: dir, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'},
      encoding: 'utf8',
      timeout: 20_000,
    })
    assert.ok(run.status === 0 || run.status === 1, run.stderr)
    const [tcp, tcp6, unix] = JSON.parse(readFileSync(join(dir, 'tables.json'), 'utf8')) as [string, string, string]
    const whole = {tcp: readFileSync('/proc/net/tcp', 'latin1'), tcp6: readFileSync('/proc/net/tcp6', 'latin1')}
    const expected = listenersOf(whole.tcp, whole.tcp6)
    assert.ok(expected.filter((l) => l.startsWith('tcp 127.0.0.1:')).length >= 20, expected.join('\n'))
    assert.deepEqual(listenersOf(tcp, tcp6), expected)
    // It stopped after the listeners: the connections' rows that follow were not all read.
    const rows = (text: string) => text.trim().split('\n').length - 1
    assert.ok(rows(tcp) < rows(whole.tcp), `read ${rows(tcp)} of ${rows(whole.tcp)} rows`)
    // Every row it kept is whole (a read cut mid-row drops the partial row).
    for (const row of tcp.trim().split('\n').slice(1)) assert.match(row, /^\s*\d+: [0-9A-F]{8}:[0-9A-F]{4} /)
    assert.match(unix, /^Num +RefCount/)
  })
})
