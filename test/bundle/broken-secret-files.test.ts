/**
 * Secret files the doctor cannot simply JSON.parse (issue 13 §2): a server.json cut mid-token by a
 * crash, a token written without quotes, an auth.json padded past the old 64 KiB discovery cap
 * (still valid JSON; Executor reads it). Their tokens are learned and redacted wherever they
 * appear; the copies of the broken files lose everything from each secret key to the end of its
 * value; and `verify` flags a bundle made the old way.
 */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {create as createTar} from 'tar'
import {knownSecretsOf} from '../../src/bundle/known-secrets.js'
import {JsonStringScanner} from '../../src/bundle/json-strings.js'
import {createContext} from '../../src/context.js'
import {rawTar, readArchive} from './helpers.js'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'

const PADDED = 'PaddedAuthTok3nZq7Rx2Lm9Pv4Tn8W'
const CUT = 'CutManifestTok3nYb3Kc6Hd1Fs5Gj0'
/** What the crash left of CUT in server.json. */
const CUT_PART = CUT.slice(0, 20)
const UNQUOTED = 'UnquotedProfileTok3nQw8Er7Ty6'

const tmp = tmpDirs()

function brokenHome(): {home: string; dataDir: string} {
  const home = tmp.make()
  const dataDir = join(home, '.executor')
  const control = join(dataDir, 'server-control')
  mkdirSync(join(dataDir, 'logs'), {recursive: true})
  mkdirSync(control, {recursive: true})
  // 200 KiB of whitespace before the token and 100 KiB of padding after it: valid JSON, over any small cap.
  writeFileSync(join(control, 'auth.json'), `{${' '.repeat(200 * 1024)}"token": "${PADDED}", "pad": "${'x'.repeat(100 * 1024)}"}\n`, {
    mode: 0o600,
  })
  writeFileSync(
    join(control, 'server.json'),
    `{\n  "version": 1,\n  "kind": "cli-daemon",\n  "pid": 1,\n  "connection": {\n    "kind": "http",\n    "origin": "http://localhost:4788",\n    "auth": {"kind": "bearer", "token": "${CUT_PART}`,
    {mode: 0o600},
  )
  writeFileSync(
    join(dataDir, 'server-connections.json'),
    `{"version": 1, "profiles": [{"name": "work", "connection": {"kind": "http", "auth": {"kind": "bearer", "token": ${UNQUOTED}}}}]}\n`,
    {mode: 0o600},
  )
  // Plain lines no pattern recognises: only the learned values can redact them.
  writeFileSync(join(dataDir, 'logs', 'daemon.error.log'), `boot with ${PADDED}\nresume ${CUT_PART}\nprofile ${UNQUOTED}\n`)
  return {home, dataDir}
}

describe('secret files that do not parse, or are large', function () {
  this.timeout(60_000)
  afterEach(() => tmp.cleanup())

  it('the streaming scanner gives every value with its path, cut-off and unquoted ones too', () => {
    const scan = (text: string, chunk = 7) => {
      const s = new JsonStringScanner()
      for (let i = 0; i < text.length; i += chunk) s.write(text.slice(i, i + chunk))
      return s.end()
    }
    assert.deepEqual(scan('{"a": {"token": "x\\"y\\u0041"}, "b": [1, "two", {"c": "d"}]}'), {
      strings: [
        {path: ['a', 'token'], value: 'x"yA'},
        {path: ['b', 1], value: 'two'},
        {path: ['b', 2, 'c'], value: 'd'},
      ],
      malformed: false,
    })
    assert.deepEqual(scan('{"auth": {"token": "abc'), {strings: [{path: ['auth', 'token'], value: 'abc'}], malformed: true})
    assert.deepEqual(scan('{"token": abc123, "n": 12, "t": true}'), {strings: [{path: ['token'], value: 'abc123'}], malformed: true})
    assert.deepEqual(
      scan(`{"pad": "${'x'.repeat(70_000)}", "token": "k"}`).strings,
      [{path: ['token'], value: 'k'}],
      'an over-long string is skipped, not held',
    )
  })

  it('the scanner reads bytes: a character split between reads, escapes and junk runs', () => {
    // Byte chunks of `size`, as readSecretJson hands them over: 'é' and '🔑' straddle chunk ends.
    const scanBytes = (text: string | Buffer, size: number) => {
      const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8')
      const s = new JsonStringScanner()
      for (let i = 0; i < bytes.length; i += size) s.write(bytes.subarray(i, i + size))
      return s.end()
    }
    const text = '{"clé": {"token": "k\\u00e9y🔑\\\\\\ud83d\\udd11"}, "u": ["naïve", t\\u00e9st]}'
    for (const size of [1, 2, 3, 5, 1024]) {
      assert.deepEqual(
        scanBytes(text, size),
        {
          strings: [
            {path: ['clé', 'token'], value: 'kéy🔑\\🔑'},
            {path: ['u', 0], value: 'naïve'},
            {path: ['u', 1], value: 't\\u00e9st'},
          ],
          malformed: true,
        },
        `chunks of ${size} bytes`,
      )
    }
    // A backslash before a non-ASCII character: the character stands for itself, as before.
    assert.deepEqual(scanBytes('{"a": "x\\éy"}', 1), {strings: [{path: ['a'], value: 'xéy'}], malformed: true})
    // Runs of NULs (a sparse or crash-zeroed file) around a token: the token is still found, the junk is no value.
    const zeros = Buffer.alloc(3 * 1024 * 1024)
    const sparse = Buffer.concat([zeros, Buffer.from('{"token": "AfterTheHoleTok3n"}'), zeros])
    assert.deepEqual(scanBytes(sparse, 1024 * 1024), {strings: [{path: ['token'], value: 'AfterTheHoleTok3n'}], malformed: true})
    // A string of multi-byte characters just under the limit is kept, one just over it is not.
    const scanSmall = (t: string) => {
      const s = new JsonStringScanner(4)
      s.write(Buffer.from(t, 'utf8'))
      return s.end().strings.map((x) => x.value)
    }
    assert.deepEqual(scanSmall('["éééé", "ééééé", "abcd", "abcde", ééé, éééééé]'), ['éééé', 'abcd', 'ééé'])
  })

  it('learns the padded, the cut-off and the unquoted token', async () => {
    const {home} = brokenHome()
    const ctx = createContext({env: {HOME: home}, cwd: home, home})
    try {
      const values = (await knownSecretsOf(ctx)).map((s) => s.value)
      assert.ok(values.includes(PADDED), 'the token of an auth.json over 64 KiB')
      assert.ok(values.includes(CUT_PART), 'the part of the token a truncated server.json holds')
      assert.ok(values.includes(UNQUOTED), 'a token written without quotes')
    } finally {
      await ctx.close()
    }
  })

  it('doctor bundle: no byte of any of them in the archive; the broken files redacted from the key on', async () => {
    const {home} = brokenHome()
    const out = join(home, 'b.tar.gz')
    const r = await runCli(['bundle', '-o', out], {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, cwd: home})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const raw = rawTar(out)
    for (const secret of [PADDED, CUT_PART.slice(0, 12), UNQUOTED]) assert.ok(!raw.includes(secret), `the bundle holds ${secret}`)
    const files = await readArchive(out)
    const server = files.get('executor/server-control/server.json')!.toString()
    assert.match(server, /"token": "\[REDACTED:(?:secret-\d+|broken-secret-value)\]$/)
    assert.equal(server.split('\n').length, 8, 'line numbers kept')
    const connections = files.get('executor/server-connections.json')!.toString()
    assert.match(connections, /"token": \[REDACTED:(?:secret-\d+|broken-secret-value)\]\}/)
    const log = files.get('executor/logs/daemon.error.log')!.toString()
    assert.match(log, /^boot with \[REDACTED:secret-\d+\]\nresume \[REDACTED:secret-\d+\]\nprofile \[REDACTED:secret-\d+\]\n$/)
    const verify = await runCli(['bundle', 'verify', out], {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, cwd: home})
    assert.equal(verify.code, 0, verify.stdout + verify.stderr)
  })

  it('verify flags a bundle made the old way (the broken files copied as they were), even on another machine', async () => {
    const dir = tmp.make()
    mkdirSync(join(dir, 'executor', 'server-control'), {recursive: true})
    writeFileSync(
      join(dir, 'executor', 'server-control', 'server.json'),
      `{\n  "connection": {"auth": {"kind": "bearer", "token": "${CUT_PART}`,
    )
    writeFileSync(join(dir, 'executor', 'server-connections.json'), `{"profiles": [{"connection": {"auth": {"token": ${UNQUOTED}}}}]}\n`)
    const archive = join(dir, 'old.tar.gz')
    await createTar({gzip: true, file: archive, cwd: dir, portable: true}, [
      'executor/server-control/server.json',
      'executor/server-connections.json',
    ])
    const elsewhere = tmp.make()
    const verify = await runCli(['bundle', 'verify', archive], {env: {HOME: elsewhere, EXECUTOR_DATA_DIR: ''}, cwd: elsewhere})
    assert.equal(verify.code, 1, verify.stdout + verify.stderr)
    assert.match(verify.stdout, /executor\/server-control\/server\.json: broken-secret-value[^\n]* on line 2/)
    assert.match(verify.stdout, /executor\/server-connections\.json: broken-secret-value[^\n]* on line 1/)
    assert.ok(!verify.stdout.includes(CUT_PART.slice(0, 8)) && !verify.stdout.includes(UNQUOTED.slice(0, 8)))
  })
})
