/** Log tails: bounded by lines and bytes, read from the end, whole lines only, binary left out, nothing followed. */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {appendFileSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tailLog} from '../../src/bundle/tail.js'
import {tmpDirs} from '../helpers/tmp.js'

describe('bundle log tails', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())
  const lines = (n: number, from = 0) => Array.from({length: n}, (_, i) => `line ${i + from} port 4788`).join('\n') + '\n'

  it('keeps a small log whole', async () => {
    const path = join(tmp.make(), 'a.log')
    writeFileSync(path, lines(5))
    const tail = await tailLog(path, {maxBytes: 1024 * 1024, maxLines: 2000})
    assert.ok(tail.ok)
    assert.equal(tail.text, lines(5))
    assert.equal(tail.truncated, false)
  })

  it('keeps only the last N lines', async () => {
    const path = join(tmp.make(), 'a.log')
    writeFileSync(path, lines(5000))
    const tail = await tailLog(path, {maxBytes: 1024 * 1024, maxLines: 10})
    assert.ok(tail.ok)
    assert.equal(tail.text, lines(10, 4990))
    assert.equal(tail.truncated, true)
    assert.equal(tail.keptLines, 10)
  })

  it('keeps at most N bytes, dropping the cut first line', async () => {
    const path = join(tmp.make(), 'a.log')
    writeFileSync(path, lines(5000))
    const tail = await tailLog(path, {maxBytes: 1000, maxLines: 100_000})
    assert.ok(tail.ok)
    assert.ok(tail.text.length <= 1000)
    assert.match(tail.text, /^line \d+ port 4788\n/)
    assert.ok(tail.text.endsWith('line 4999 port 4788\n'))
  })

  it('reads the real end of a sparse 4 GB log without reading the rest', async () => {
    const path = join(tmp.make(), 'huge.log')
    writeFileSync(path, '')
    execFileSync('truncate', ['-s', String(4 * 1024 ** 3), path])
    appendFileSync(path, '\n' + lines(50))
    const started = Date.now()
    const tail = await tailLog(path, {maxBytes: 1024 * 1024, maxLines: 2000})
    assert.ok(tail.ok)
    assert.ok(Date.now() - started < 2000, 'reading the tail took too long')
    assert.ok(tail.originalBytes > 4 * 1024 ** 3)
    assert.ok(tail.text.endsWith(lines(50)))
  })

  it('leaves out lines of binary data, saying how much', async () => {
    const path = join(tmp.make(), 'a.log')
    writeFileSync(path, Buffer.concat([Buffer.from('before\n'), Buffer.alloc(100), Buffer.from('\nafter\r\n')]))
    const tail = await tailLog(path, {maxBytes: 1024, maxLines: 100})
    assert.ok(tail.ok)
    assert.equal(tail.text, 'before\n[doctorkit: 101 bytes of binary data omitted]\nafter\n')
    assert.equal(tail.binaryBytesOmitted, 101)
  })

  it('omits a last line longer than the byte limit rather than keeping half of it', async () => {
    const path = join(tmp.make(), 'a.log')
    writeFileSync(path, 'x'.repeat(10_000))
    const tail = await tailLog(path, {maxBytes: 1000, maxLines: 100})
    assert.ok(tail.ok)
    assert.match(tail.text, /longer than the byte limit; omitted/)
  })

  it('does not follow a symlink, and does not block on a FIFO', async () => {
    const dir = tmp.make()
    writeFileSync(join(dir, 'target.log'), 'secret outside\n')
    symlinkSync(join(dir, 'target.log'), join(dir, 'link.log'))
    const link = await tailLog(join(dir, 'link.log'), {maxBytes: 1024, maxLines: 10})
    assert.ok(!link.ok && link.reason === 'a symlink; not followed' && link.facts?.symlinkTarget === join(dir, 'target.log'))
    execFileSync('mkfifo', [join(dir, 'fifo.log')])
    const fifo = await tailLog(join(dir, 'fifo.log'), {maxBytes: 1024, maxLines: 10})
    assert.ok(!fifo.ok && /fifo, not a regular file/.test(fifo.reason))
    mkdirSync(join(dir, 'dir.log'))
    const missing = await tailLog(join(dir, 'none.log'), {maxBytes: 1024, maxLines: 10})
    assert.ok(!missing.ok && missing.missing)
  })
})
