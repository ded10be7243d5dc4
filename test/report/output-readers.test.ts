/**
 * The reader at the other end of a streamed `--output` (issue 13 §1): one that holds a FIFO open
 * and never reads is given up on after the stall limit, and one that closes early (`| head -c 10`,
 * `| true`) ends the write with a clear error, not a hang and not a stack trace. The readers are
 * real processes on a real FIFO and a real pipe; the stall limit is the writer's option, cut
 * from its 30 s default so the test stays short.
 */
import assert from 'node:assert/strict'
import {spawn, spawnSync, execFileSync, type ChildProcess} from 'node:child_process'
import {lstatSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {openDestination, OutputError, STREAM_STALL_MS} from '../../src/output/destination.js'
import {REPO} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

/** Far more than a pipe holds (64 KiB on Linux), so a reader that takes nothing makes the writer wait. */
const MIB = Buffer.alloc(1 << 20, 'x')

describe('--output: the reader at the other end', function () {
  this.timeout(30_000)
  const tmp = tmpDirs()
  let dir: string
  const children: ChildProcess[] = []
  beforeEach(() => {
    dir = tmp.make('doctorkit-readers-')
  })
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
    tmp.cleanup()
  })

  /** A process with `fifo` open for reading, started before the writer opens it. */
  function reader(script: string, fifo: string): {exited: Promise<number | null>} {
    const child = spawn('sh', ['-c', script, 'sh', fifo, join(dir, 'got')], {stdio: 'ignore'})
    children.push(child)
    return {exited: new Promise((done) => child.on('exit', (code) => done(code)))}
  }

  it('gives up on a FIFO reader that holds it open but reads nothing, after the stall limit, with the limit in the message', async () => {
    assert.equal(STREAM_STALL_MS, 30_000, 'the default this test shortens')
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    reader('exec sleep 60 < "$1"', fifo)
    const out = await openDestination(fifo, {existing: 'replace', stallMs: 300})
    assert.equal(out.mode, 'stream')
    const started = Date.now()
    const error = await out.write(MIB).then(
      () => null,
      (e: unknown) => e,
    )
    const took = Date.now() - started
    await out.abort()
    assert.ok(error instanceof OutputError, `expected an OutputError, got ${String(error)}`)
    assert.match(error.message, /^nothing read from .*pipe for 300 ms; the rest was not written$/)
    assert.ok(out.bytesWritten < MIB.length)
    assert.ok(took >= 300 && took < 10_000, `gave up after ${took} ms`)
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO was replaced')
  })

  it('a FIFO reader that reads slowly is not a stall: every byte arrives', async () => {
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    // 64 KiB at a time with a 50 ms pause between: the writer waits often, never as long as the limit.
    const slow = `const fs = require('fs'); const out = fs.createWriteStream(process.argv[2]);
      const s = fs.createReadStream(process.argv[1], {highWaterMark: 65536});
      s.on('data', (c) => { out.write(c); s.pause(); setTimeout(() => s.resume(), 50) });
      s.on('end', () => out.end())`
    const child = spawn(process.execPath, ['-e', slow, fifo, join(dir, 'got')], {stdio: 'ignore'})
    children.push(child)
    const exited = new Promise((done) => child.on('exit', done))
    const out = await openDestination(fifo, {existing: 'replace', stallMs: 2_000})
    await out.write(MIB)
    await out.commit()
    assert.equal(out.bytesWritten, MIB.length)
    assert.equal(await exited, 0)
    assert.equal(readFileSync(join(dir, 'got')).length, MIB.length)
  })

  it('a FIFO reader that closes early (head -c 10) ends the write with a clear error; the 10 bytes it took arrived', async () => {
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const r = reader('exec head -c 10 < "$1" > "$2"', fifo)
    const out = await openDestination(fifo, {existing: 'replace', stallMs: 5_000})
    const error = await out.write(MIB).then(
      () => null,
      (e: unknown) => e,
    )
    await out.abort()
    assert.ok(error instanceof OutputError, `expected an OutputError, got ${String(error)}`)
    assert.match(error.message, /the reader of .*pipe closed it before the end; what it got is incomplete/)
    assert.equal(await r.exited, 0)
    assert.equal(readFileSync(join(dir, 'got'), 'utf8'), 'xxxxxxxxxx')
  })

  it('stdout that is a non-blocking pipe whose reader lags: the report arrives whole and in order (fd 1 hands over to the stream at EAGAIN)', async () => {
    // python3 makes the pipe, sets its write end O_NONBLOCK, and reads only after the writer has filled it.
    const writer = `const {writeStdout} = await import(${JSON.stringify(join(REPO, 'dist/src/cli/stdout.js'))}); writeStdout('a'.repeat(300000)); writeStdout('b'.repeat(300000)); writeStdout('end\\n')`
    const harness = [
      'import fcntl, os, subprocess, sys, time',
      'r, w = os.pipe()',
      'fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)',
      'child = subprocess.Popen([sys.argv[1], "--input-type=module", "-e", sys.argv[2]], stdout=w)',
      'os.close(w)',
      'time.sleep(0.5)',
      'got = b"".join(iter(lambda: os.read(r, 65536), b""))',
      'want = b"a" * 300000 + b"b" * 300000 + b"end" + bytes([10])',
      'sys.stdout.write(" ".join([str(child.wait()), str(len(got)), str(got == want)]))',
    ].join('\n')
    const out = execFileSync('python3', ['-c', harness, process.execPath, writer], {encoding: 'utf8', timeout: 20_000})
    assert.equal(out, '0 600004 True')
  })

  for (const args of [['--json'], ['checks']]) {
    it(`doctor ${args.join(' ')} into a stdout that takes nothing (/dev/full): exit 2 with one line saying so, no stack trace`, () => {
      // The shell's own redirection, as a user's `> file` on a full disk.
      const r = spawnSync('sh', ['-c', '"$@" > /dev/full', 'sh', process.execPath, join(REPO, 'bin/run.js'), ...args], {
        cwd: dir,
        env: {...process.env, HOME: dir, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'},
        encoding: 'utf8',
        timeout: 20_000,
      })
      assert.equal(r.status, 2, r.stderr)
      assert.equal(r.stderr, 'doctor: cannot write to stdout (ENOSPC); the output is incomplete\n')
    })
  }

  it('doctor --json with stdout closed (>&-): node gives fd 1 /dev/null, the run ends as usual, nothing on stderr', () => {
    const r = spawnSync('sh', ['-c', '"$@" >&-', 'sh', process.execPath, join(REPO, 'bin/run.js'), '--json'], {
      cwd: dir,
      env: {...process.env, HOME: dir, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'},
      encoding: 'utf8',
      timeout: 20_000,
    })
    assert.ok(r.status === 0 || r.status === 1, r.stderr)
    assert.equal(r.stderr, '')
  })

  for (const [label, output] of [
    ['--output /dev/stdout', ['--output', '/dev/stdout']],
    ['on stdout', []],
  ] as const) {
    it(`doctor --json ${label}, into a pipe whose reader is gone (| true): exit 2 with one line saying so, no stack trace`, async () => {
      const child = spawn(process.execPath, [join(REPO, 'bin/run.js'), '--json', ...output], {
        cwd: dir,
        env: {...process.env, HOME: dir, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      // The read end closed before the doctor writes a byte, as `doctor --json | true` leaves it.
      child.stdout.destroy()
      let stderr = ''
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      const code = await new Promise<number | null>((done) => child.on('close', done))
      assert.equal(code, 2, stderr)
      assert.match(stderr, /closed it before the end|reader .* closed/)
      assert.doesNotMatch(stderr, /\n\s+at |TypeError|Unhandled|EPIPE: broken pipe/, stderr)
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.endsWith('.tmp')),
        [],
      )
    })
  }
})
