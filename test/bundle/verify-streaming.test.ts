/**
 * `doctor bundle verify` on hostile archives (issue 13 §3), crafted for real: tar headers written
 * here, gzip members concatenated into a ~2 MB bomb that expands to 1.9 GB, a header claiming a
 * 4.6 GB entry, a FIFO, a device and a directory in place of the archive. Verify streams: memory
 * stays flat, a too-large entry is a clear error (no RangeError stack), a FIFO never blocks, and
 * an archive holding links, devices, absolute or `..` paths is not clean.
 */
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {Header} from 'tar'
import {runCli, type CliResult} from '../helpers/cli.js'
import {REPO} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

type EntryType = 'File' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'FIFO' | 'Directory'

function header(path: string, size: number, type: EntryType = 'File', linkpath?: string): Buffer {
  const block = Buffer.alloc(512)
  new Header({
    path,
    mode: 0o600,
    uid: 0,
    gid: 0,
    size,
    mtime: new Date(0),
    type,
    ...(linkpath ? {linkpath} : {}),
    ...(type === 'CharacterDevice' ? {devmaj: 1, devmin: 3} : {}),
  }).encode(block, 0)
  return block
}

function fileEntry(path: string, text: string): Buffer {
  const data = Buffer.from(text)
  return Buffer.concat([header(path, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512)])
}

const END = Buffer.alloc(1024)

function assertNoStack(result: CliResult): void {
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at [^\n]+:\d+:\d+|RangeError|TypeError/, result.stderr)
}

describe('doctor bundle verify: streaming and hostile archives', function () {
  this.timeout(60_000)
  const tmp = tmpDirs()
  let dir: string
  const env = () => ({HOME: join(dir, 'home')})
  before(() => {
    dir = tmp.make('doctorkit-verify-')
  })
  after(() => tmp.cleanup())

  it('refuses a FIFO at once, without blocking on it', async () => {
    const fifo = join(dir, 'bundle.tar.gz')
    execFileSync('mkfifo', [fifo])
    const result = await runCli(['bundle', 'verify', fifo], {env: env(), timeoutMs: 15_000})
    assert.equal(result.code, 2, result.stdout + result.stderr)
    assert.match(result.stderr, /cannot read .*bundle\.tar\.gz as a \.tar\.gz bundle: it is a FIFO, not a regular file/)
    assertNoStack(result)
  })

  it('refuses a character device and a directory, naming what they are', async () => {
    const device = await runCli(['bundle', 'verify', '/dev/zero'], {env: env(), timeoutMs: 15_000})
    assert.equal(device.code, 2)
    assert.match(device.stderr, /it is a character device, not a regular file/)
    const directory = await runCli(['bundle', 'verify', dir], {env: env(), timeoutMs: 15_000})
    assert.equal(directory.code, 2)
    assert.match(directory.stderr, /it is a directory, not a regular file/)
    assertNoStack(device)
    assertNoStack(directory)
  })

  it('finds links, devices, FIFOs, absolute and ".." paths: the archive is not clean, and says what each is', async () => {
    const archive = join(dir, 'unsafe.tar.gz')
    writeFileSync(
      archive,
      gzipSync(
        Buffer.concat([
          fileEntry('report.md', '# fine\n'),
          header('config', 0, 'SymbolicLink', '/etc/passwd'),
          header('hard', 0, 'Link', 'report.md'),
          header('null', 0, 'CharacterDevice'),
          header('pipe', 0, 'FIFO'),
          fileEntry('/etc/cron.d/evil', '* * * * * root true\n'),
          fileEntry('logs/../../escape.txt', 'x\n'),
          END,
        ]),
      ),
    )
    const result = await runCli(['bundle', 'verify', archive], {env: env(), timeoutMs: 20_000})
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.match(result.stdout, /FAIL: /)
    assert.match(
      result.stdout,
      /\(archive entry\) config: unsafe-entry-type \(a symlink entry → \/etc\/passwd; a bundle holds regular files only\)/,
    )
    assert.match(result.stdout, /\(archive entry\) hard: unsafe-entry-type \(a hard-link entry → report\.md/)
    assert.match(result.stdout, /\(archive entry\) null: unsafe-entry-type \(a character-device entry/)
    assert.match(result.stdout, /\(archive entry\) pipe: unsafe-entry-type \(a FIFO entry/)
    assert.match(result.stdout, /\(archive entry\) \/etc\/cron\.d\/evil: absolute-entry-path/)
    assert.match(result.stdout, /\(archive entry\) logs\/\.\.\/\.\.\/escape\.txt: parent-entry-path/)
    assert.doesNotMatch(result.stdout, /report\.md: unsafe/)
    assertNoStack(result)
  })

  it('rejects an entry whose header claims 4.6 GB with a clear error, not a RangeError', async () => {
    const archive = join(dir, 'huge-entry.tar.gz')
    writeFileSync(archive, gzipSync(Buffer.concat([header('daemon.log', 4_600_000_000), Buffer.alloc(4096, 0x61)])))
    const result = await runCli(['bundle', 'verify', archive], {env: env(), timeoutMs: 20_000})
    assert.equal(result.code, 2, result.stdout + result.stderr)
    assert.match(
      result.stderr,
      /daemon\.log is 4\.3 GiB uncompressed, over the 64 MiB a bundle file can be; this is not a bundle doctor wrote/,
    )
    assertNoStack(result)
  })

  /** Runs verify in a child (its peak RSS is its own) with this machine's secrets left out: `{error, maxRssKb}`. */
  function verifyInChild(archive: string): {error: string | null; maxRssKb: number} {
    const script = `
      import {verifyArchive} from './src/bundle/verify.ts'
      import {Redactor} from './src/bundle/redact/redactor.ts'
      const redactor = new Redactor([], {homes: ['/home/nobody-here'], users: ['nobody-here'], hosts: ['no-host-here']})
      let error = null
      try { await verifyArchive(${JSON.stringify(archive)}, redactor) } catch (e) { error = String(e?.message ?? e) }
      console.log(JSON.stringify({error, maxRssKb: process.resourceUsage().maxRSS}))
    `
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 45_000,
    })
    assert.equal(child.status, 0, child.stderr)
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {error: string | null; maxRssKb: number}
  }

  /** `count` entries of `entrySize` bytes, each the same gzip member (members concatenate). */
  function bomb(path: string, count: number, entrySize: number, data: Buffer): number {
    const member = gzipSync(data, {level: 9})
    const parts: Buffer[] = []
    for (let i = 0; i < count; i++) parts.push(gzipSync(header(`logs/run-${i}.log`, entrySize)), member)
    parts.push(gzipSync(END))
    const archive = Buffer.concat(parts)
    writeFileSync(path, archive)
    return archive.length
  }

  // Node and tsx alone take ~90 MB; buffering entries would take what the bomb expands to.
  const RSS_BOUND_KB = 200 * 1024

  it('stops a ~2 MB gzip bomb of zeros (1.9 GB) with a clear error and flat memory', () => {
    const path = join(dir, 'bomb.tar.gz')
    const entrySize = 60 * 1024 * 1024
    const size = bomb(path, 32, entrySize, Buffer.alloc(entrySize))
    assert.ok(size < 2.5 * 1024 * 1024, `the bomb is ${size} bytes`)
    const {error, maxRssKb} = verifyInChild(path)
    assert.match(error ?? '', /it expands over 1000 times as it is decompressed \(a compression bomb\?\)/)
    assert.ok(maxRssKb < RSS_BOUND_KB, `peak RSS ${Math.round(maxRssKb / 1024)} MB`)
  })

  it('stops a bomb below the ratio limit at the 256 MiB total, with flat memory', () => {
    // A 16 KiB random block repeated: deflate finds it within its 32 KiB window (~100:1), and
    // every entry is under the per-entry cap, so only the total stops it.
    const path = join(dir, 'slow-bomb.tar.gz')
    const entrySize = 40 * 1024 * 1024
    const block = Buffer.alloc(16 * 1024)
    for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24
    const data = Buffer.alloc(entrySize)
    for (let at = 0; at < entrySize; at += block.length) block.copy(data, at)
    const size = bomb(path, 8, entrySize, data)
    assert.ok(size < 8 * 1024 * 1024, `the bomb is ${size} bytes`)
    const {error, maxRssKb} = verifyInChild(path)
    assert.match(error ?? '', /it expands to more than 256 MiB; a bundle doctor wrote is far smaller/)
    assert.ok(maxRssKb < RSS_BOUND_KB, `peak RSS ${Math.round(maxRssKb / 1024)} MB`)
  })

  it('reads garbage as "not a valid .tar.gz", with exit 2', async () => {
    const archive = join(dir, 'garbage.tar.gz')
    writeFileSync(archive, Buffer.from('this is not an archive at all\n'.repeat(100)))
    const result = await runCli(['bundle', 'verify', archive], {env: env(), timeoutMs: 20_000})
    assert.equal(result.code, 2, result.stdout + result.stderr)
    assert.match(result.stderr, /cannot read .* as a \.tar\.gz bundle: /)
    assertNoStack(result)
  })
})
