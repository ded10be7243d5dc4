/**
 * The file probe's two ways of reading: O_NOFOLLOW by default (files the doctor may change, files
 * holding secrets), and `follow` for files it only reads and the product reads through a link
 * (configs and units linked by home-manager or stow). Real symlinks, a real FIFO.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {FileProbe} from '../../src/probes/files.js'
import {tmpDirs} from '../helpers/tmp.js'

describe('engine: reading through a symlink only when asked', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  it('follows a link with `follow`, refuses it by default, and keeps the two answers apart', async () => {
    const dir = tmp.make()
    writeFileSync(join(dir, 'real.toml'), 'x = 1\n')
    symlinkSync(join(dir, 'real.toml'), join(dir, 'linked.toml'))
    const files = new FileProbe()
    const followed = await files.read(join(dir, 'linked.toml'), 1024, {follow: true})
    assert.ok(followed.ok && followed.text === 'x = 1\n', JSON.stringify(followed))
    const refused = await files.read(join(dir, 'linked.toml'), 1024)
    assert.ok(!refused.ok && refused.code === 'ELOOP', JSON.stringify(refused))
  })

  it('a FIFO at the end of a followed link is refused at once, never waited on', async () => {
    const dir = tmp.make()
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0)
    symlinkSync(join(dir, 'fifo'), join(dir, 'runwisp.toml'))
    const started = Date.now()
    const read = await new FileProbe().read(join(dir, 'runwisp.toml'), 1024, {follow: true})
    assert.ok(!read.ok && read.code === 'NOT_FILE', JSON.stringify(read))
    assert.ok(Date.now() - started < 1000)
  })
})
