/**
 * JSON parse errors say where, never what (issue 13 §4): V8's messages quote the file
 * (`Unexpected token 'S', ..."token": Sk9…"... is not valid JSON`), so an unquoted token in a
 * hand-edited file would reach a finding, a config error or `report merge`'s message.
 */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import authEnv from '../../checks/auth-env.js'
import staleManifest from '../../checks/stale-manifest.js'
import tokenDrift from '../../checks/token-drift.js'
import {jsonSyntaxProblem, locateJsonError} from '../../src/config/json-position.js'
import {runCheck} from '../helpers/check-table.js'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'

const TOKEN = 'Sk9xUnquotedTok3nValue'
const tmp = tmpDirs()

/** Nothing of the token, not even its first letters (V8 quotes a window around the error). */
const assertNoToken = (text: string, what: string) =>
  assert.ok(!text.includes(TOKEN.slice(0, 4)), `${what} echoes the file's bytes:\n${text}`)

describe('JSON parse errors', () => {
  afterEach(() => tmp.cleanup())

  it('V8 quotes the text for these inputs; the locator gives line and column only', () => {
    const inputs = [`{"token": ${TOKEN}}`, `{\n  "auth": {"token": "x"},\n  "password": ${TOKEN}\n}`, `${TOKEN}`, `[1, ${TOKEN}]`]
    for (const input of inputs) {
      let v8 = ''
      try {
        JSON.parse(input)
      } catch (error) {
        v8 = (error as Error).message
      }
      assert.ok(v8.includes(TOKEN.slice(0, 4)), `V8 no longer quotes ${input}: ${v8}`)
      const problem = jsonSyntaxProblem(input)
      assertNoToken(problem, 'jsonSyntaxProblem')
      assert.match(problem, /at line \d+, column \d+$/)
    }
    assert.equal(jsonSyntaxProblem(`{\n  "password": ${TOKEN}\n}`), 'unexpected text at line 2, column 15')
    assert.equal(jsonSyntaxProblem('{"a": [1,]}'), 'a comma before "]" (trailing commas are not JSON) at line 1, column 10')
    assert.equal(jsonSyntaxProblem('{"a": 1,}'), 'a comma before "}" (trailing commas are not JSON) at line 1, column 9')
    assert.equal(jsonSyntaxProblem('\uFEFF{}'), 'unexpected a byte-order mark at line 1, column 1')
    assert.equal(jsonSyntaxProblem('{"a" 1}'), 'expected ":" after the key, found text at line 1, column 6')
    assert.equal(jsonSyntaxProblem('{"a": "b\u0001"}'), 'a raw control character in a string (write it as an escape) at line 1, column 9')
  })

  it('locates errors at any nesting depth without recursion (no RangeError)', () => {
    const depth = 1_000_000
    assert.deepEqual(locateJsonError('['.repeat(depth)), {line: 1, column: depth + 1, what: 'the text ends too early'})
    assert.equal(locateJsonError('['.repeat(depth) + ']'.repeat(depth)), null)
    assert.equal(locateJsonError('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)), null)
    assert.match(jsonSyntaxProblem(`{"token": "a"} ${TOKEN}`), /^unexpected text after the end of the JSON value at line 1, column 16$/)
    assert.deepEqual(locateJsonError('{"a":'.repeat(depth) + '1' + '}'.repeat(depth - 1) + ']'), {
      line: 1,
      column: depth * 6 + 1,
      what: 'expected "," or "}", found "]"',
    })
  })

  it('findings about a hand-broken server.json, auth.json or server-connections.json hold no byte of it', async () => {
    const home = tmp.make()
    const control = join(home, '.executor', 'server-control')
    mkdirSync(control, {recursive: true})
    writeFileSync(
      join(control, 'server.json'),
      `{"version": 1, "kind": "cli-daemon", "pid": 1, "connection": {"kind": "http", "origin": "http://localhost:4788", "auth": {"kind": "bearer", "token": ${TOKEN}}}}\n`,
    )
    writeFileSync(join(control, 'auth.json'), `{"token": ${TOKEN}}\n`, {mode: 0o600})
    writeFileSync(
      join(home, '.executor', 'server-connections.json'),
      `{"version": 1, "profiles": [{"name": "a", "connection": {"auth": {"kind": "bearer", "token": ${TOKEN}}}}]}\n`,
    )
    const env = {HOME: home, EXECUTOR_DATA_DIR: ''}
    for (const check of [staleManifest, tokenDrift, authEnv]) {
      const result = await runCheck(check, {cwd: home, home, env})
      const dump = JSON.stringify(result)
      assert.match(dump, /not valid JSON/, `${check.id}: ${dump}`)
      assertNoToken(dump, check.id)
    }
  })

  it('a doctor.config.json and a report to merge with an unquoted secret: the error gives the position', async () => {
    const dir = tmp.make()
    writeFileSync(join(dir, 'doctor.config.json'), `{"skip": [], "apiKey": ${TOKEN}}`)
    const config = await runCli(['--config', join(dir, 'doctor.config.json')], {env: {HOME: dir}, cwd: dir})
    assert.equal(config.code, 2)
    assert.match(config.stderr, /is not valid JSON: unexpected text at line 1, column 24/)
    assertNoToken(config.stdout + config.stderr, 'the config error')
    writeFileSync(join(dir, 'r.json'), `{"schemaVersion": 1, "token": ${TOKEN}}`)
    const merge = await runCli(['report', 'merge', join(dir, 'r.json')], {env: {HOME: dir}, cwd: dir})
    assert.equal(merge.code, 2)
    assert.match(merge.stderr, /is not JSON: unexpected text at line 1, column 31/)
    assertNoToken(merge.stdout + merge.stderr, 'report merge')
  })
})
