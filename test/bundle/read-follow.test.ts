/**
 * The bundle's copies read through a symlink only where the product does (issue 13 §4): a config
 * or unit linked by stow or home-manager is followed to a regular file; a link to a FIFO, a loop or
 * nothing is a clear reason, at once; a link someone else planted is followed only to what they
 * could read themselves. Everything else (records, server.json) is still never followed. Real
 * links, a real FIFO, links owned by nobody (lchown), root-only targets.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, lchownSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {readForCopy} from '../../src/bundle/read.js'
import {tmpDirs} from '../helpers/tmp.js'

const NOBODY = 65534
const CAP = 64 * 1024

describe('bundle copies: following configs and units linked by stow or home-manager', () => {
  const tmp = tmpDirs()
  let root: string
  beforeEach(() => {
    root = tmp.make('doctorkit-follow-')
    // A path anyone may walk (mkdtemp makes 0700), as a home or /nix/store is.
    chmodSync(root, 0o755)
    mkdirSync(join(root, 'dotfiles'), {mode: 0o755})
    mkdirSync(join(root, 'project'), {mode: 0o755})
  })
  afterEach(() => tmp.cleanup())

  it('a stow link to a config in another dir is read through, and only with follow', async () => {
    writeFileSync(join(root, 'dotfiles', 'runwisp.toml'), '[server]\nport = 9477\n')
    symlinkSync('../dotfiles/runwisp.toml', join(root, 'project', 'runwisp.toml'))
    const followed = await readForCopy(join(root, 'project', 'runwisp.toml'), CAP, {follow: true})
    assert.deepEqual(followed, {ok: true, text: '[server]\nport = 9477\n', size: 21})
    const refused = await readForCopy(join(root, 'project', 'runwisp.toml'), CAP)
    assert.ok(!refused.ok && refused.reason === 'a symlink; not followed', JSON.stringify(refused))
    assert.equal(!refused.ok && refused.facts?.symlinkTarget, '../dotfiles/runwisp.toml')
  })

  it('a link to a FIFO is "not a regular file" at once, never a hang', async () => {
    assert.equal(spawnSync('mkfifo', [join(root, 'dotfiles', 'fifo')]).status, 0)
    symlinkSync(join(root, 'dotfiles', 'fifo'), join(root, 'project', 'runwisp.toml'))
    const started = Date.now()
    const read = await readForCopy(join(root, 'project', 'runwisp.toml'), CAP, {follow: true})
    assert.ok(!read.ok && read.reason === 'a symlink to a fifo, not a regular file', JSON.stringify(read))
    assert.ok(Date.now() - started < 2000)
  })

  it('a loop, a dangling link, a directory and an over-cap target each say what they are', async () => {
    const p = (name: string) => join(root, 'project', name)
    symlinkSync(p('b.toml'), p('a.toml'))
    symlinkSync(p('a.toml'), p('b.toml'))
    symlinkSync(p('missing.toml'), p('dangling.toml'))
    symlinkSync(join(root, 'dotfiles'), p('dir.toml'))
    writeFileSync(join(root, 'dotfiles', 'big.toml'), 'x'.repeat(CAP + 1))
    symlinkSync(join(root, 'dotfiles', 'big.toml'), p('big.toml'))
    const reason = async (name: string) => {
      const read = await readForCopy(p(name), CAP, {follow: true})
      assert.ok(!read.ok && !read.missing, `${name}: ${JSON.stringify(read)}`)
      return read.reason
    }
    assert.equal(await reason('a.toml'), 'a symlink loop (too many levels of links)')
    assert.equal(await reason('dangling.toml'), 'a symlink to a file that does not exist')
    assert.equal(await reason('dir.toml'), 'a symlink to a directory, not a regular file')
    assert.match(await reason('big.toml'), /^links to .+, over the .+ limit for a copied file$/)
  })

  describe('a link another user planted (root runs the bundle)', () => {
    const planted = (target: string) => {
      const link = join(root, 'project', 'runwisp.toml')
      symlinkSync(target, link)
      lchownSync(link, NOBODY, NOBODY)
      return link
    }

    it('is not followed to a file that user may not read (root-only)', async () => {
      writeFileSync(join(root, 'dotfiles', 'shadow'), 'root:$6$planted-hash:19000:0:99999:7:::\n', {mode: 0o600})
      const read = await readForCopy(planted(join(root, 'dotfiles', 'shadow')), CAP, {follow: true})
      assert.ok(
        !read.ok && read.reason === 'a symlink owned by nobody to a file that user may not read; not followed',
        JSON.stringify(read),
      )
    })

    it('is not followed to a world-readable file behind a dir that user cannot walk', async () => {
      mkdirSync(join(root, 'private'), {mode: 0o700})
      writeFileSync(join(root, 'private', 'notes.toml'), 'x = 1\n', {mode: 0o644})
      const read = await readForCopy(planted(join(root, 'private', 'notes.toml')), CAP, {follow: true})
      assert.ok(!read.ok && /may not read; not followed$/.test(read.reason), JSON.stringify(read))
    })

    it("is followed to that user's own file, and to a world-readable one down a walkable path", async () => {
      writeFileSync(join(root, 'dotfiles', 'own.toml'), 'own = 1\n', {mode: 0o600})
      chownSync(join(root, 'dotfiles', 'own.toml'), NOBODY, NOBODY)
      const own = await readForCopy(planted(join(root, 'dotfiles', 'own.toml')), CAP, {follow: true})
      assert.ok(own.ok && own.text === 'own = 1\n', JSON.stringify(own))
      writeFileSync(join(root, 'dotfiles', 'store.toml'), 'store = 1\n', {mode: 0o444})
      const link = join(root, 'project', 'store.toml')
      symlinkSync(join(root, 'dotfiles', 'store.toml'), link)
      lchownSync(link, NOBODY, NOBODY)
      const store = await readForCopy(link, CAP, {follow: true})
      assert.ok(store.ok && store.text === 'store = 1\n', JSON.stringify(store))
    })
  })
})
