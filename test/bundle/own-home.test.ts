/**
 * The running account's own home is pseudonymised even when HOME points elsewhere: root bundling
 * with HOME=/somewhere still has its passwd home in PATH (…/.cargo/bin) and in file paths, and the
 * bundle must pass its own `doctor bundle verify`.
 */
import assert from 'node:assert/strict'
import {userInfo} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {rawTar} from './helpers.js'

const tmp = tmpDirs()

describe('doctor bundle with HOME away from the account home', function () {
  this.timeout(60_000)

  it("replaces the account's passwd home in PATH, and the bundle verifies clean", async function () {
    const own = userInfo().homedir
    const home = tmp.make('away-home-')
    const out = join(tmp.make('away-out-'), 'b.tar.gz')
    const env = {...process.env, HOME: home, PATH: `${own}/.cargo/bin:${process.env.PATH ?? ''}`}
    const bundle = await runCli(['bundle', '--output', out], {env, cwd: home, timeoutMs: 45_000})
    assert.equal(bundle.code, 0, bundle.stderr)
    assert.ok(!rawTar(out).includes(`${own}/.cargo`), `the bundle still holds ${own}/.cargo`)
    const verify = await runCli(['bundle', 'verify', out], {env, cwd: home, timeoutMs: 30_000})
    assert.equal(verify.code, 0, verify.stdout + verify.stderr)
  })
})
