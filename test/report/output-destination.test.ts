/**
 * `--output` never clobbers and never follows (issue 13 §1), for both commands that write one:
 * `doctor --json --output P` and `doctor bundle --output P`. What sits at P is real: a character
 * device made with mknod, a FIFO with a real reader process (and one without), a symlink planted
 * by nobody, a socket a real server listens on, a block device node, /dev/stdout of a child whose
 * stdout is a pipe, and a run as nobody. Everything runs as root, as operators run the doctor.
 */
import assert from 'node:assert/strict'
import {spawn, execFileSync, type ChildProcess} from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'
import {deadPid, REPO} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const NOBODY = 65534

interface Raw {
  code: number | null
  stdout: Buffer
  stderr: string
  durationMs: number
}

/** Runs the built CLI with stdout kept as bytes (a bundle on stdout is gzip, not text), with a hard deadline. */
function runRaw(args: string[], opts: {cwd: string; env: NodeJS.ProcessEnv; prefix?: string[]; timeoutMs?: number}): Promise<Raw> {
  const started = Date.now()
  const argv = [...(opts.prefix ?? []), process.execPath, join(REPO, 'bin/run.js'), ...args]
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {cwd: opts.cwd, env: {...process.env, NO_COLOR: '1', CI: '1', ...opts.env}})
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdin.end()
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`doctor ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30_000} ms\nstderr: ${stderr}`))
    }, opts.timeoutMs ?? 30_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout: Buffer.concat(out), stderr, durationMs: Date.now() - started})
    })
  })
}

/** The two writers under test (`replacing`: the flags that let an existing file be replaced), and how to tell their output is whole. */
const COMMANDS = [
  {
    name: 'doctor --json --output',
    args: (p: string) => ['--json', '--output', p],
    replacing: (p: string) => ['--json', '--output', p],
    written: /json report written to/,
    whole: (bytes: Buffer) => Array.isArray((JSON.parse(bytes.toString()) as {targets?: unknown}).targets),
  },
  {
    name: 'doctor bundle --output',
    args: (p: string) => ['bundle', '--output', p],
    replacing: (p: string) => ['bundle', '--output', p, '--force'],
    written: /(?:Wrote|Sent the bundle to) /,
    whole: (bytes: Buffer) => gunzipSync(bytes).toString('latin1').includes('manifest.json'),
  },
] as const

/**
 * A private mount namespace with a fresh /dev holding only the links a process needs: the
 * /dev/stdout under test is the real kind of node (a link to /proc/self/fd/1), and a regression
 * that renames over it breaks this namespace's /dev, not the machine's. After the run the
 * wrapper says whether the link is still a link.
 */
const PRIVATE_DEV = [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  'sh',
  '-c',
  [
    'mount -t tmpfs -o mode=755 none /dev',
    'ln -s /proc/self/fd /dev/fd && ln -s /proc/self/fd/1 /dev/stdout && ln -s /proc/self/fd/2 /dev/stderr',
    'mknod -m 666 /dev/null c 1 3',
    '"$@"; rc=$?',
    'for n in stdout stderr; do [ -L /dev/$n ] || echo "REPLACED /dev/$n" >&2; done',
    'exit $rc',
  ].join('; '),
  'sh',
]

describe('--output: never clobber, never follow', function () {
  this.timeout(60_000)
  const tmp = tmpDirs()
  let home: string
  let env: NodeJS.ProcessEnv
  const children: ChildProcess[] = []
  const servers: Server[] = []
  beforeEach(() => {
    home = tmp.make('doctorkit-output-')
    chmodSync(home, 0o755)
    env = {HOME: home, EXECUTOR_DATA_DIR: ''}
  })
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
    await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))))
    tmp.cleanup()
  })

  /** Nothing of the doctor's own is left in the directory: no temp file, nothing new. */
  const assertOnly = (names: string[]) => assert.deepEqual(readdirSync(home).sort(), [...names].sort())

  for (const command of COMMANDS) {
    describe(command.name, () => {
      it('writes through a character device (a mknod copy of /dev/null), which stays that device', async () => {
        const node = join(home, 'null')
        execFileSync('mknod', ['-m', '666', node, 'c', '1', '3'])
        const before = lstatSync(node)
        const r = await runRaw(command.args(node), {cwd: home, env})
        assert.ok(r.code === 0 || r.code === 1, r.stderr)
        const after = lstatSync(node)
        assert.ok(after.isCharacterDevice(), 'the device node was replaced')
        assert.equal(after.ino, before.ino)
        assert.equal(after.rdev, before.rdev)
        assertOnly(['null'])
      })

      it('says when the device refuses the bytes (a mknod copy of /dev/full: ENOSPC), exit 2, the node intact', async () => {
        const node = join(home, 'full')
        execFileSync('mknod', ['-m', '666', node, 'c', '1', '7'])
        const r = await runRaw(command.args(node), {cwd: home, env})
        assert.equal(r.code, 2, r.stderr)
        assert.match(r.stderr, /ENOSPC|disk is full/)
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace')
        assert.ok(lstatSync(node).isCharacterDevice())
        assertOnly(['full'])
      })

      it('streams into a FIFO that a real reader holds: every byte arrives, the FIFO stays a FIFO', async () => {
        const fifo = join(home, 'pipe')
        const got = join(home, 'got')
        execFileSync('mkfifo', [fifo])
        const reader = spawn('sh', ['-c', 'exec cat "$1" > "$2"', 'sh', fifo, got])
        children.push(reader)
        const readerDone = new Promise<number | null>((done) => reader.on('exit', done))
        const r = await runRaw(command.args(fifo), {cwd: home, env})
        assert.ok(r.code === 0 || r.code === 1, r.stderr)
        assert.match(r.stderr + r.stdout.toString(), command.written)
        const readerCode = await Promise.race([readerDone, sleep(10_000).then(() => 'timeout')])
        assert.equal(readerCode, 0, 'the reader did not see the end of the stream')
        assert.ok(command.whole(readFileSync(got)), 'the reader did not get the whole output')
        assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO was replaced')
        assertOnly(['got', 'pipe'])
      })

      it('gives a bounded, clear error for a FIFO nobody reads (no hang), exit 2', async () => {
        const fifo = join(home, 'pipe')
        execFileSync('mkfifo', [fifo])
        const r = await runRaw(command.args(fifo), {cwd: home, env, timeoutMs: 20_000})
        assert.equal(r.code, 2, r.stderr)
        assert.match(r.stderr, /pipe is a FIFO that no process is reading/)
        assert.ok(r.durationMs < 15_000, `took ${r.durationMs} ms`)
        assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO was replaced')
        assertOnly(['pipe'])
      })

      it('refuses a symlink planted by nobody (naming where it points and its owner); the root file it aims at is unchanged', async () => {
        const victim = join(home, 'victim.conf')
        writeFileSync(victim, 'root: keep me\n', {mode: 0o644})
        const link = join(home, 'report.out')
        symlinkSync(victim, link)
        execFileSync('chown', ['-h', `${NOBODY}:${NOBODY}`, link])
        const before = statSync(victim)
        const r = await runRaw(command.args(link), {cwd: home, env})
        assert.equal(r.code, 2, r.stderr)
        assert.match(r.stderr, /report\.out is a symbolic link to \S*victim\.conf \(the link belongs to nobody\)/)
        assert.match(r.stderr, /--output \S*victim\.conf/)
        assert.equal(readFileSync(victim, 'utf8'), 'root: keep me\n')
        const after = statSync(victim)
        assert.equal(after.ino, before.ino)
        assert.equal(after.mode, before.mode)
        assert.ok(lstatSync(link).isSymbolicLink(), 'the link was replaced')
        assertOnly(['report.out', 'victim.conf'])
      })

      it('refuses a directory, a socket and a block device (exit 2), each left as it was', async () => {
        const dir = join(home, 'a-dir')
        mkdirSync(dir)
        const socket = join(home, 'sock')
        const server = createServer()
        servers.push(server)
        await new Promise<void>((done) => server.listen(socket, done))
        const block = join(home, 'disk')
        execFileSync('mknod', ['-m', '600', block, 'b', '7', '200'])
        for (const [path, kind] of [
          [dir, /a directory/],
          [socket, /a socket/],
          [block, /a block device/],
        ] as const) {
          const r = await runRaw(command.args(path), {cwd: home, env})
          assert.equal(r.code, 2, `${path}: ${r.stderr}`)
          assert.match(r.stderr, kind)
          assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace')
        }
        assert.deepEqual(readdirSync(dir), [])
        assert.ok(lstatSync(socket).isSocket())
        assert.ok(lstatSync(block).isBlockDevice())
        assertOnly(['a-dir', 'disk', 'sock'])
      })

      it('writes to /dev/stdout of a child whose stdout is a pipe: the bytes arrive on the pipe, /dev/stdout stays a link', async () => {
        const r = await runRaw(command.args('/dev/stdout'), {cwd: home, env, prefix: PRIVATE_DEV})
        assert.ok(r.code === 0 || r.code === 1, r.stderr)
        assert.doesNotMatch(r.stderr, /REPLACED/)
        assert.ok(command.whole(r.stdout), `stdout is not the whole output (${r.stdout.length} bytes)`)
        assertOnly([])
      })

      it('writes to /dev/stderr as well (the same descriptor path)', async () => {
        const r = await runRaw(command.args('/dev/stderr'), {cwd: home, env, prefix: PRIVATE_DEV})
        assert.ok(r.code === 0 || r.code === 1, r.stderr)
        assert.doesNotMatch(r.stderr, /REPLACED/)
        assert.ok(r.stderr.length > 0)
        assertOnly([])
      })

      it('lets a normal user (nobody) write --output /dev/stdout into a pipe root made', async () => {
        const r = await runRaw(command.args('/dev/stdout'), {
          cwd: home,
          env,
          prefix: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'],
        })
        assert.ok(r.code === 0 || r.code === 1, r.stderr)
        assert.ok(command.whole(r.stdout), `stdout is not the whole output: ${r.stderr}`)
      })

      it("does not replace another user's regular file as root (exit 2, the file unchanged)", async () => {
        const theirs = join(home, 'theirs.out')
        writeFileSync(theirs, 'nobody wrote this\n')
        chownSync(theirs, NOBODY, NOBODY)
        const r = await runRaw(command.replacing(theirs), {cwd: home, env})
        assert.equal(r.code, 2, r.stderr)
        assert.match(r.stderr, /theirs\.out belongs to nobody/)
        assert.equal(readFileSync(theirs, 'utf8'), 'nobody wrote this\n')
        assertOnly(['theirs.out'])
      })
    })
  }

  it('doctor --json --output replaces an existing regular file by rename, keeping its mode; a new file is 0600', async () => {
    const out = join(home, 'report.json')
    writeFileSync(out, 'old\n', {mode: 0o640})
    chmodSync(out, 0o640)
    const before = statSync(out).ino
    const r = await runRaw(COMMANDS[0].args(out), {cwd: home, env})
    assert.ok(r.code === 0 || r.code === 1, r.stderr)
    assert.ok(COMMANDS[0].whole(readFileSync(out)))
    assert.notEqual(statSync(out).ino, before, 'written in place, not renamed')
    assert.equal(statSync(out).mode & 0o777, 0o640)
    const fresh = join(home, 'fresh.json')
    const again = await runRaw(COMMANDS[0].args(fresh), {cwd: home, env})
    assert.ok(again.code === 0 || again.code === 1, again.stderr)
    assert.equal(statSync(fresh).mode & 0o777, 0o600)
    assertOnly(['fresh.json', 'report.json'])
  })

  it('doctor --fix with an --output it would refuse acts on nothing: the refusal comes before the fix', async () => {
    const control = join(home, '.executor', 'server-control')
    mkdirSync(control, {recursive: true})
    const manifest = join(control, 'server.json')
    // A stale manifest: its pid is dead, so --fix --yes would quarantine it (test/fix/executor-fix.test.ts).
    writeFileSync(manifest, JSON.stringify({version: 1, kind: 'cli-daemon', pid: await deadPid(), dataDir: join(home, '.executor')}) + '\n')
    const link = join(home, 'report.json')
    symlinkSync('/etc/hostname', link)
    const fixEnv = {...env, DOCTORKIT_STATE_DIR: join(home, 'state'), XDG_STATE_HOME: '', PATH: '/usr/bin:/bin'}
    const before = readFileSync(manifest)
    const r = await runRaw(['--target', 'executor', '--fix', '--yes', '--json', '--output', link], {cwd: home, env: fixEnv})
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /report\.json is a symbolic link to \/etc\/hostname/)
    assert.ok(existsSync(manifest), 'the fix quarantined the manifest although its report could not be written')
    assert.deepEqual(readFileSync(manifest), before)
    assert.ok(lstatSync(link).isSymbolicLink())
    // The same state with a writable --output is fixed: the refusal above is the output's, not the plan's.
    const ok = await runRaw(['--target', 'executor', '--fix', '--yes', '--json', '--output', join(home, 'fixed.json')], {
      cwd: home,
      env: fixEnv,
    })
    assert.ok(ok.code === 0 || ok.code === 1, ok.stderr)
    assert.equal(existsSync(manifest), false, 'the stale manifest was not quarantined')
  })

  it('doctor bundle --output replaces an existing regular file only with --force (then 0600, by rename)', async () => {
    const out = join(home, 'b.tar.gz')
    writeFileSync(out, 'mine', {mode: 0o644})
    const refused = await runRaw(COMMANDS[1].args(out), {cwd: home, env})
    assert.equal(refused.code, 2, refused.stderr)
    assert.match(refused.stderr, /b\.tar\.gz already exists[\s\S]*--force/)
    assert.equal(readFileSync(out, 'utf8'), 'mine')
    const before = statSync(out).ino
    const forced = await runRaw([...COMMANDS[1].args(out), '--force'], {cwd: home, env})
    assert.equal(forced.code, 0, forced.stderr)
    assert.ok(COMMANDS[1].whole(readFileSync(out)))
    assert.notEqual(statSync(out).ino, before)
    assert.equal(statSync(out).mode & 0o777, 0o600)
    assertOnly(['b.tar.gz'])
  })
})

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))
