/**
 * One redaction for every output (issue 13 §2): Executor's daemon.error.log holds this machine's
 * bearer token split across a line break (the half before the break on the line a log rule
 * reports) and a private key whose BEGIN line is above the tail window. The human report,
 * --json, JUnit, GitHub annotations and the bundle show the finding without either, and
 * `bundle verify` (the same rules) calls the bundle clean.
 */
import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import {chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {rawTar} from '../bundle/helpers.js'
import {runCli} from '../helpers/cli.js'
import {executorHome} from '../helpers/executor-state.js'
import {tmpDirs} from '../helpers/tmp.js'

const BEARER = 'Tq8vX2mLp9Rz4Wn7Yb3Kc6Hd1Fs5Gj0AeU2xQw'
const SPLIT_AT = 23

describe('output safety: a split secret and a headerless key body, in every format', function () {
  this.timeout(90_000)
  const tmp = tmpDirs()
  let home: string
  let keyLines: string[]
  const env = () => ({HOME: home, EXECUTOR_DATA_DIR: '', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', XDG_DATA_HOME: ''})

  before(() => {
    home = tmp.make()
    const h = executorHome(home)
    const auth = join(h.dataDir, 'server-control', 'auth.json')
    writeFileSync(auth, JSON.stringify({token: BEARER}) + '\n')
    chmodSync(auth, 0o600)
    const pem = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
    keyLines = pem.trimEnd().split('\n')
    h.errorLog([
      `error: listen EADDRINUSE: address already in use 127.0.0.1:4788 (client auth ${BEARER.slice(0, SPLIT_AT)}`,
      `${BEARER.slice(SPLIT_AT)})`,
      // The key's BEGIN line and first body line are above what any tail keeps.
      ...keyLines.slice(2),
      'shutting down',
    ])
  })
  after(() => tmp.cleanup())

  function assertNone(text: string, what: string): void {
    for (const piece of [BEARER.slice(0, 12), BEARER.slice(SPLIT_AT - 12, SPLIT_AT), BEARER.slice(SPLIT_AT)])
      assert.ok(!text.includes(piece), `${what} holds a piece of the bearer token (${piece})`)
    for (const line of keyLines.slice(2, -1)) assert.ok(!text.includes(line.slice(0, 20)), `${what} holds a key body line`)
  }

  it('the human report, --json, JUnit and GitHub annotations show the finding without either', async () => {
    for (const format of [[], ['--json'], ['--format', 'junit'], ['--format', 'github']]) {
      const r = await runCli([...format, '--target', 'executor'], {env: {...env(), GITHUB_ACTIONS: 'true'}, cwd: home})
      const what = format.join(' ') || 'human'
      assert.ok(r.code === 0 || r.code === 1, `${what}: ${r.stderr}`)
      assert.match(r.stdout, /EADDRINUSE/, `${what}: the log finding is not shown (the test would prove nothing)`)
      assertNone(r.stdout + r.stderr, what)
    }
  })

  it('the bundle holds the log tail without either, and `bundle verify` calls it clean', async () => {
    const out = join(home, 'b.tar.gz')
    const r = await runCli(['bundle', '-o', out], {env: env(), cwd: home})
    assert.equal(r.code, 0, r.stderr)
    const tar = rawTar(out)
    assert.match(tar, /\(client auth \[REDACTED:secret-\d+\]/)
    assert.match(tar, /\[REDACTED:private-key\]/)
    assertNone(tar, 'the bundle')
    const verify = await runCli(['bundle', 'verify', out], {env: env(), cwd: home})
    assert.equal(verify.code, 0, verify.stdout + verify.stderr)
  })
})
