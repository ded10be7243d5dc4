/**
 * Spec validation of declared targets (issue 14 §2): every field wrong in turn gets a precise
 * error: the key, its JSON pointer, the line and column where it is written, and what was
 * expected. The published schema/config.schema.json is held to the same cases.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {knownIds} from '../../src/config/load.js'
import {ConfigError, parseConfig} from '../../src/config/schema.js'
import {UsageError} from '../../src/engine/doctor.js'
import {REPO} from '../helpers/processes.js'

type Json = Record<string, unknown>
const HOME = '/home/op'
const ENV = {KV_ROOT: '/srv/kv', EMPTY: ''}
const FILE = '/etc/project/doctor.config.json'

/** Every field, set right: the issue's `kv` example plus the optional fields. */
function kv(): Json {
  return {
    id: 'kv',
    name: 'KV cache',
    process: {names: ['kvd'], executables: ['/usr/bin/kvd', 'kvd-server']},
    ports: [7000, 7001],
    health: {port: 7000, timeout: '2s', http: {path: '/health', status: 200, body: '^ok$'}},
    pidFile: '~/kv/run/kv.pid',
    dataDir: {path: '${KV_ROOT}/data', mode: '0700', owner: 'kv', minFree: '1GiB'},
    secrets: [{path: '~/kv/kv.conf', mode: '0600', values: ['^password\\s+(\\S+)']}, 'secrets/token'],
    env: ['KV_PASSWORD'],
    configs: ['${KV_CONF:-/etc/kv}/kv.conf'],
    logs: ['~/kv/log/kv.log'],
    symptoms: [
      {
        id: 'kv/port-in-use',
        title: 'Another process holds the KV port',
        patterns: ['bind\\(\\) to \\S+ failed \\(98: Address already in use\\)'],
        severity: 'fail',
        cause: 'A second kvd, or another program, already listens on the port.',
        fix: {summary: 'Stop the other process or move kvd to a free port.', commands: ['ss -ltnp sport = :7000']},
      },
    ],
    detect: {paths: ['/etc/kv'], env: ['KV_HOME']},
  }
}
const config = (target: Json = kv(), more: Json = {}): Json => ({targets: [target], ...more})
const text = (value: Json) => JSON.stringify(value, null, 2)
const parse = (value: Json | string) =>
  parseConfig(typeof value === 'string' ? value : text(value), FILE, knownIds(), {env: ENV, home: HOME})

const ajv = new Ajv({allErrors: true, strict: false})
const schemaValidate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schema/config.schema.json'), 'utf8')) as object)

/** Sets `value` at `path` in a copy of `base` (undefined deletes it). */
function edit(base: Json, path: Array<string | number>, value: unknown): Json {
  const copy = structuredClone(base)
  let node = copy as Record<string | number, unknown>
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (value === undefined) delete node[last]
  else node[last] = value
  return copy
}

interface Case {
  name: string
  /** Where in `targets[0]` to put the wrong value (undefined: remove the field). */
  at: Array<string | number>
  value: unknown
  /** The key the error names, relative to `targets[0]` (default: `at`). */
  key?: Array<string | number>
  problem: RegExp
  /** What the error points at in the text: the key as written or its value. */
  points?: 'key' | 'value'
  suggestion?: string
  /** Whether the JSON Schema can say it too (ids unique, regexes that compile, … are the validator's alone). */
  schema?: boolean
}

const cases: Case[] = [
  {
    name: 'unknown field',
    at: ['datadir'],
    value: '/x',
    problem: /is not a field doctor knows/,
    points: 'key',
    suggestion: 'did you mean "dataDir"?',
  },
  {
    name: 'unknown field (misspelt)',
    at: ['helth'],
    value: {},
    problem: /is not a field doctor knows/,
    points: 'key',
    suggestion: 'did you mean "health"?',
  },
  {name: 'id missing', at: ['id'], value: undefined, key: [], problem: /needs an "id"/},
  {name: 'id not a string', at: ['id'], value: 7, problem: /must be a kebab-case id such as "kv", not number 7/},
  {
    name: 'id not kebab-case',
    at: ['id'],
    value: 'KV_Cache',
    problem: /must be kebab-case .* not "KV_Cache"/,
    suggestion: 'did you mean "kv-cache"?',
  },
  {name: 'id too long', at: ['id'], value: 'k'.repeat(41), problem: /at most 40 characters/},
  {
    name: 'id a built-in',
    at: ['id'],
    value: 'executor',
    problem: /"executor" is a built-in target; a declared target needs an id of its own/,
  },
  {name: 'name empty', at: ['name'], value: ' ', problem: /must be the name shown in reports/},
  {
    name: 'process not an object',
    at: ['process'],
    value: ['kvd'],
    problem: /must be an object \{"names": \[\.\.\.\], "executables": \[\.\.\.\]\}, not an array/,
  },
  {name: 'process empty', at: ['process'], value: {names: []}, problem: /at least one process name/},
  {
    name: 'process unknown field',
    at: ['process', 'name'],
    value: ['kvd'],
    problem: /is not a field doctor knows/,
    points: 'key',
    suggestion: 'did you mean "names"?',
  },
  {
    name: 'process name a path',
    at: ['process', 'names', 0],
    value: '/usr/bin/kvd',
    problem: /is a path; a process name has no "\/"/,
    schema: true,
  },
  {name: 'process executable not a string', at: ['process', 'executables', 1], value: 5, problem: /must be a path/},
  {name: 'ports not an array', at: ['ports'], value: 7000, problem: /must be an array of port numbers, not number 7000/},
  {name: 'port out of range', at: ['ports', 1], value: 70000, problem: /port number from 1 to 65535, not number 70000/},
  {name: 'port zero', at: ['ports', 0], value: 0, problem: /port number from 1 to 65535, not number 0/},
  {name: 'port as a string', at: ['ports', 0], value: '7000', problem: /not the string "7000"/},
  {name: 'port repeated', at: ['ports', 1], value: 7000, problem: /repeats the port 7000 \(already at \[0\]\)/},
  {
    name: 'health with neither probe',
    at: ['health', 'http'],
    value: undefined,
    key: ['health'],
    problem: /must say how to probe: "http".* or "tcp"/,
  },
  {name: 'health with both probes', at: ['health', 'tcp'], value: {}, key: ['health'], problem: /has both "http" and "tcp"/},
  {name: 'health port missing', at: ['health', 'port'], value: undefined, key: ['health'], problem: /needs a "port"/},
  {name: 'health port bad', at: ['health', 'port'], value: -1, problem: /port number from 1 to 65535/},
  {name: 'health timeout bad', at: ['health', 'timeout'], value: 'soon', problem: /positive duration/},
  {
    name: 'health unknown field',
    at: ['health', 'https'],
    value: {},
    problem: /is not a field doctor knows/,
    points: 'key',
    suggestion: 'did you mean "http"?',
  },
  {name: 'http path without /', at: ['health', 'http', 'path'], value: 'health', problem: /request path starting with "\/"/},
  {name: 'http status out of range', at: ['health', 'http', 'status'], value: 99, problem: /HTTP status from 100 to 599, not number 99/},
  {name: 'http status as a string', at: ['health', 'http', 'status'], value: '200', problem: /HTTP status .* not the string "200"/},
  {
    name: 'http body bad regex',
    at: ['health', 'http', 'body'],
    value: '^ok(',
    problem: /is not a valid regular expression: "\^ok\(" \(Unterminated group\)/,
    schema: false,
  },
  {name: 'http unknown field', at: ['health', 'http', 'expect'], value: 'ok', problem: /is not a field doctor knows/, points: 'key'},
  {
    name: 'tcp send empty',
    at: ['health'],
    value: {port: 7000, tcp: {send: ''}},
    key: ['health', 'tcp', 'send'],
    problem: /must be the text to send/,
  },
  {
    name: 'tcp expect bad regex',
    at: ['health'],
    value: {port: 7000, tcp: {send: 'PING\r\n', expect: '+PONG'}},
    key: ['health', 'tcp', 'expect'],
    problem: /is not a valid regular expression: "\+PONG" \(Nothing to repeat\)/,
    schema: false,
  },
  {
    name: 'tcp aliveToo without expect',
    at: ['health'],
    value: {port: 7000, tcp: {aliveToo: ['^-NOAUTH']}},
    key: ['health', 'tcp', 'aliveToo'],
    problem: /needs "expect"/,
  },
  {
    name: 'tcp aliveToo bad regex',
    at: ['health'],
    value: {port: 7000, tcp: {expect: '^\\+PONG', aliveToo: ['[']}},
    key: ['health', 'tcp', 'aliveToo', 0],
    problem: /not a valid regular expression/,
    schema: false,
  },
  {name: 'pidFile not a path', at: ['pidFile'], value: 12, problem: /must be a path, or an object \{"path", "locked"\}, not number 12/},
  {name: 'pidFile path missing', at: ['pidFile'], value: {locked: true}, problem: /needs a "path"/},
  {
    name: 'pidFile locked not boolean',
    at: ['pidFile'],
    value: {path: '/run/kv.pid', locked: 'yes'},
    key: ['pidFile', 'locked'],
    problem: /must be true or false/,
  },
  {
    name: "pidFile another user's home",
    at: ['pidFile'],
    value: '~kv/run/kv.pid',
    problem: /starts with "~kv": only "~" \(your home\) is expanded/,
    schema: false,
  },
  {
    name: 'dataDir unset variable',
    at: ['dataDir', 'path'],
    value: '${KV_DATA}/data',
    problem: /uses \$\{KV_DATA\}, which is not set here: set it, or write \$\{KV_DATA:-\/default\/path\}/,
    schema: false,
  },
  {
    name: 'dataDir empty variable',
    at: ['dataDir', 'path'],
    value: '${EMPTY}/data',
    problem: /uses \$\{EMPTY\}, which is empty here/,
    schema: false,
  },
  {
    name: 'dataDir unclosed variable',
    at: ['dataDir', 'path'],
    value: '${KV_ROOT/data',
    problem: /has a "\$\{" that is not closed/,
    schema: false,
  },
  {
    name: 'dataDir bad variable name',
    at: ['dataDir', 'path'],
    value: '${1X}/data',
    problem: /is not \$\{NAME\} or \$\{NAME:-default\}/,
    schema: false,
  },
  {name: 'dataDir empty path', at: ['dataDir', 'path'], value: '', problem: /must be a path, not an empty string/},
  {
    name: 'dataDir mode as a number',
    at: ['dataDir', 'mode'],
    value: 700,
    problem: /must be an octal string such as "0700", not the number 700/,
  },
  {name: 'dataDir mode not octal', at: ['dataDir', 'mode'], value: '0800', problem: /octal mode string .* not the string "0800"/},
  {name: 'dataDir owner bad', at: ['dataDir', 'owner'], value: 'K V', problem: /user name or a numeric uid/},
  {name: 'dataDir minFree bad', at: ['dataDir', 'minFree'], value: '1 parsec', problem: /size such as "500MB"/},
  {name: 'dataDir minFree zero', at: ['dataDir', 'minFree'], value: 0, problem: /size such as "500MB"/},
  {name: 'dataDir unknown field', at: ['dataDir', 'perms'], value: '0700', problem: /is not a field doctor knows/, points: 'key'},
  {
    name: 'dataDir servedBy an unknown word',
    at: ['dataDir', 'servedBy'],
    value: 'cdw',
    problem: /must be "cwd", \{"flag": "--dir"\}, \{"env": "KV_DATA"\}, or a list of them tried in order, not the string "cdw"/,
    suggestion: 'did you mean "cwd"?',
  },
  {name: 'dataDir servedBy a number', at: ['dataDir', 'servedBy'], value: 7, problem: /must be "cwd", .* not number 7/},
  {
    name: 'dataDir servedBy empty list',
    at: ['dataDir', 'servedBy'],
    value: [],
    problem: /must name at least one rule .* not an empty array/,
  },
  {
    name: 'dataDir servedBy flag and env at once',
    at: ['dataDir', 'servedBy'],
    value: {flag: '--dir', env: 'KV_DATA'},
    problem: /must have exactly one of "flag" .* or "env"/,
  },
  {
    name: 'dataDir servedBy unknown rule field',
    at: ['dataDir', 'servedBy'],
    value: {flg: '--dir'},
    key: ['dataDir', 'servedBy', 'flg'],
    problem: /is not a field doctor knows \(known: flag, env\)/,
    points: 'key',
    suggestion: 'did you mean "flag"?',
  },
  {
    name: 'dataDir servedBy flag without a dash',
    at: ['dataDir', 'servedBy'],
    value: {flag: 'dir'},
    key: ['dataDir', 'servedBy', 'flag'],
    problem: /must be a command-line flag such as "--dir" or "-d" .* not the string "dir"/,
  },
  {
    name: 'dataDir servedBy env bad',
    at: ['dataDir', 'servedBy'],
    value: [{env: '1X'}],
    key: ['dataDir', 'servedBy', 0, 'env'],
    problem: /environment variable name/,
  },
  {
    name: 'dataDir servedBy repeated rule',
    at: ['dataDir', 'servedBy'],
    value: ['cwd', {flag: '--dir'}, 'cwd'],
    key: ['dataDir', 'servedBy', 2],
    problem: /repeats the rule at \[0\]; each rule is tried once, in order/,
  },
  {name: 'secrets not an array', at: ['secrets'], value: '~/kv/kv.conf', problem: /must be an array of secret files/},
  {name: 'secret mode bad', at: ['secrets', 0, 'mode'], value: '600x', problem: /octal mode string/},
  {
    name: 'secret value regex without a group',
    at: ['secrets', 0, 'values', 0],
    value: '^password\\s+\\S+',
    problem: /must capture the secret in a group, .* has no capture group/,
    schema: false,
  },
  {
    name: 'secret value regex invalid',
    at: ['secrets', 0, 'values', 0],
    value: '^password (\\S+',
    problem: /is not a valid regular expression/,
    schema: false,
  },
  {
    name: 'secret value matching every line',
    at: ['secrets', 0, 'values', 0],
    value: '(x*)',
    problem: /matches the empty string/,
    schema: false,
  },
  {name: 'secret values empty', at: ['secrets', 0, 'values'], value: [], problem: /is empty; leave "values" out/},
  {
    name: 'secret unknown field',
    at: ['secrets', 0, 'value'],
    value: ['(x)'],
    problem: /is not a field doctor knows/,
    points: 'key',
    suggestion: 'did you mean "values"?',
  },
  {name: 'env name bad', at: ['env', 0], value: 'KV-PASSWORD', problem: /environment variable name/},
  {name: 'env repeated', at: ['env'], value: ['A', 'A'], key: ['env', 1], problem: /repeats the variable "A"/},
  {name: 'configs item not a path', at: ['configs', 0], value: null, problem: /must be a path .* not null/},
  {name: 'logs not an array', at: ['logs'], value: '~/kv/log/kv.log', problem: /must be an array of log file paths/},
  {
    name: 'logs repeated after expansion',
    at: ['logs'],
    value: ['~/kv/log/kv.log', '/home/op/kv/log/kv.log'],
    key: ['logs', 1],
    problem: /repeats the path "\/home\/op\/kv\/log\/kv.log"/,
    schema: false,
  },
  {
    name: 'symptom id outside the target',
    at: ['symptoms', 0, 'id'],
    value: 'redis/port-in-use',
    problem: /must start with the target's id: "kv\/port-in-use", not "redis\/port-in-use"/,
    schema: false,
  },
  {
    name: 'symptom id without a slug',
    at: ['symptoms', 0, 'id'],
    value: 'port-in-use',
    problem: /must start with the target's id: "kv\/port-in-use"/,
  },
  {name: 'symptom slug not kebab-case', at: ['symptoms', 0, 'id'], value: 'kv/Port_In_Use', problem: /kebab-case slug/},
  {name: 'symptom field missing', at: ['symptoms', 0, 'cause'], value: undefined, key: ['symptoms', 0], problem: /needs "cause"/},
  {
    name: 'symptom patterns empty',
    at: ['symptoms', 0, 'patterns'],
    value: [],
    problem: /is empty: a symptom is recognised by at least one pattern/,
  },
  {
    name: 'symptom pattern invalid',
    at: ['symptoms', 0, 'patterns', 0],
    value: 'bind() to (',
    problem: /is not a valid regular expression: "bind\(\) to \("/,
    schema: false,
  },
  {
    name: 'symptom pattern matching every line',
    at: ['symptoms', 0, 'patterns', 0],
    value: '.*',
    problem: /matches the empty string/,
    schema: false,
  },
  {
    name: 'symptom severity bad',
    at: ['symptoms', 0, 'severity'],
    value: 'fatal',
    problem: /must be "fail" or "warn", not the string "fatal"/,
    suggestion: 'did you mean "fail"?',
  },
  {
    name: 'symptom fix without summary',
    at: ['symptoms', 0, 'fix', 'summary'],
    value: undefined,
    key: ['symptoms', 0, 'fix'],
    problem: /needs "summary"/,
  },
  {name: 'symptom fix commands not strings', at: ['symptoms', 0, 'fix', 'commands', 0], value: ['ss'], problem: /must be a command/},
  {name: 'symptom unknown field', at: ['symptoms', 0, 'message'], value: 'x', problem: /is not a field doctor knows/, points: 'key'},
  {
    name: 'detect unknown field',
    at: ['detect', 'files'],
    value: ['/etc/kv'],
    problem: /is not a field doctor knows \(known: paths, env\)/,
    points: 'key',
  },
  {name: 'detect env bad', at: ['detect', 'env', 0], value: '1X', problem: /environment variable name/},
]

/** What is written in `text` at 1-based line and column. */
function at(textValue: string, line: number, column: number): string {
  return textValue.split('\n')[line - 1]!.slice(column - 1)
}

describe('config: declared targets', () => {
  it('accepts dataDir.servedBy as one rule or a list tried in order, and the schema accepts the same', () => {
    const forms: Array<[unknown, unknown]> = [
      ['cwd', [{kind: 'cwd'}]],
      [{flag: '--dir'}, [{kind: 'flag', flag: '--dir'}]],
      [{env: 'KV_DATA'}, [{kind: 'env', env: 'KV_DATA'}]],
      [
        [{flag: '-d'}, {env: 'KV_DATA'}, 'cwd'],
        [{kind: 'flag', flag: '-d'}, {kind: 'env', env: 'KV_DATA'}, {kind: 'cwd'}],
      ],
    ]
    for (const [written, rules] of forms) {
      const value = config(edit(kv(), ['dataDir', 'servedBy'], written))
      assert.equal(schemaValidate(value), true, ajv.errorsText(schemaValidate.errors))
      assert.deepEqual(parse(value).targets[0]!.dataDir!.servedBy, rules)
    }
  })

  it('accepts every field and normalises it: paths expanded, modes and sizes numbers, regexes compiled, the health port among the ports', () => {
    assert.equal(schemaValidate(config()), true, ajv.errorsText(schemaValidate.errors))
    const [t] = parse(config()).targets
    assert.ok(t)
    assert.equal(t.id, 'kv')
    assert.equal(t.name, 'KV cache')
    assert.deepEqual(t.process, {names: ['kvd'], executables: ['/usr/bin/kvd', 'kvd-server']})
    assert.deepEqual(t.ports, [7000, 7001])
    assert.deepEqual(t.health, {port: 7000, timeoutMs: 2000, kind: 'http', path: '/health', status: 200, body: /^ok$/})
    assert.deepEqual(t.pidFile, {path: '/home/op/kv/run/kv.pid'})
    assert.deepEqual(t.dataDir, {path: '/srv/kv/data', mode: 0o700, owner: 'kv', minFree: 1024 ** 3})
    assert.deepEqual(t.secrets, [
      {path: '/home/op/kv/kv.conf', mode: 0o600, values: [/^password\s+(\S+)/]},
      {path: '/etc/project/secrets/token'},
    ])
    assert.deepEqual(t.env, ['KV_PASSWORD'])
    assert.deepEqual(t.configs, ['/etc/kv/kv.conf'])
    assert.deepEqual(t.logs, ['/home/op/kv/log/kv.log'])
    assert.equal(t.symptoms[0]!.patterns[0]!.test('bind() to 0.0.0.0:7000 failed (98: Address already in use)'), true)
    assert.deepEqual(t.detect, {paths: ['/etc/kv'], env: ['KV_HOME']})
    assert.deepEqual(t.source, {configPath: FILE})
  })

  it('fills what a minimal declaration leaves out', () => {
    const minimal = {id: 'echo', health: {port: 9, tcp: {}}, pidFile: {path: '/run/echo.pid', locked: true}}
    assert.equal(schemaValidate(config(minimal)), true, ajv.errorsText(schemaValidate.errors))
    const [t] = parse(config(minimal)).targets
    assert.deepEqual(t, {
      id: 'echo',
      name: 'echo',
      ports: [9],
      secrets: [],
      env: [],
      configs: [],
      logs: [],
      symptoms: [],
      source: {configPath: FILE},
      health: {port: 9, kind: 'tcp'},
      pidFile: {path: '/run/echo.pid', locked: true},
    })
    const redis = parse(config({id: 'redis', health: {port: 6379, tcp: {send: 'PING\r\n', expect: '^\\+PONG', aliveToo: ['^-NOAUTH']}}}))
      .targets[0]!
    assert.deepEqual(redis.health, {port: 6379, kind: 'tcp', send: 'PING\r\n', expect: /^\+PONG/, aliveToo: [/^-NOAUTH/]})
    assert.deepEqual(parse(config({id: 'web', health: {port: 8080, http: {}}})).targets[0]!.health, {
      port: 8080,
      kind: 'http',
      path: '/',
      status: 200,
    })
  })

  for (const c of cases) {
    it(`${c.name}: names the key, its pointer and its line, exit 2`, () => {
      const bad = config(edit(kv(), c.at, c.value))
      const written = text(bad)
      const keyPath = ['targets', 0, ...(c.key ?? c.at)]
      assert.throws(
        () => parse(written),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error))
          assert.ok(error instanceof UsageError, 'a bad declaration is a usage error (exit 2)')
          assert.equal(error.key, keyPath.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join(''), error.message)
          assert.equal(error.pointer, `/${keyPath.join('/')}`)
          assert.match(error.message, c.problem)
          assert.ok(error.message.startsWith(`${FILE}: "${error.key}" `), error.message)
          assert.ok(error.line !== undefined && error.column !== undefined, `no line in: ${error.message}`)
          assert.ok(error.message.endsWith(`(line ${error.line}, column ${error.column}, at ${error.pointer})`), error.message)
          // The line and column are where the offending key or value is written.
          const there = at(written, error.line, error.column)
          const last = keyPath[keyPath.length - 1]!
          if (c.points === 'key') assert.ok(there.startsWith(`"${last}":`), `line ${error.line} col ${error.column}: ${there}`)
          else {
            const value = keyPath.reduce<unknown>((node, s) => (node as Record<string | number, unknown>)[s], bad)
            const expected = value !== null && typeof value === 'object' ? (Array.isArray(value) ? '[' : '{') : JSON.stringify(value)
            assert.ok(there.startsWith(expected), `line ${error.line} col ${error.column}: ${there} (expected ${expected})`)
          }
          if (c.suggestion) assert.ok(error.suggestions.includes(c.suggestion), `suggestions: ${JSON.stringify(error.suggestions)}`)
          return true
        },
      )
      if (c.schema !== false) assert.equal(schemaValidate(bad), false, `schema/config.schema.json accepts it too: ${c.name}`)
    })
  }

  it('refuses a target id declared twice, naming the first', () => {
    const twice = {targets: [kv(), {...kv(), symptoms: []}]}
    const lines = text(twice).split('\n')
    const second = lines.findIndex((l, i) => l.includes('"id": "kv"') && lines.slice(0, i).some((m) => m.includes('"id": "kv"')))
    assert.throws(
      () => parse(twice),
      (e: ConfigError) =>
        e.pointer === '/targets/1/id' && /"kv" is declared twice \(first as targets\[0\]\)/.test(e.message) && e.line === second + 1,
    )
  })

  it('refuses a symptom id declared twice in a target', () => {
    const t = kv()
    t.symptoms = [...(t.symptoms as Json[]), {...(t.symptoms as Json[])[0]}]
    assert.throws(
      () => parse(config(t)),
      (e: ConfigError) =>
        e.pointer === '/targets/0/symptoms/1/id' && /declared twice in this target \(first as symptoms\[0\]\)/.test(e.message),
    )
  })

  it('refuses targets that is not an array, and a target that is not an object', () => {
    assert.throws(
      () => parse({targets: {id: 'kv'}}),
      (e: ConfigError) => e.pointer === '/targets' && /must be an array of target declarations/.test(e.message),
    )
    assert.throws(
      () => parse({targets: ['kv']}),
      (e: ConfigError) => e.pointer === '/targets/0' && /must be a target declaration/.test(e.message),
    )
  })

  it('lets suppressions name a declared target and its symptoms, and only with the check that reports them', () => {
    const ok = parse(
      config(kv(), {
        suppress: [{symptom: 'kv/port-in-use', target: 'kv', check: 'daemon-log-errors', reason: 'known', expires: '2999-01-01'}],
      }),
    )
    assert.equal(ok.suppress[0]!.target, 'kv')
    assert.throws(
      () => parse(config(kv(), {suppress: [{symptom: 'kv/port-in-use', check: 'stale-lock', reason: 'x', expires: '2999-01-01'}]})),
      /"kv\/port-in-use" is not reported by check "stale-lock"/,
    )
    assert.throws(
      () => parse(config(kv(), {suppress: [{check: 'stale-lock', target: 'kb', reason: 'x', expires: '2999-01-01'}]})),
      (e: ConfigError) =>
        /must be one of executor, runwisp, kv, not the string "kb"/.test(e.message) && e.suggestions.includes('did you mean "kv"?'),
    )
  })

  it('points a top-level unknown key at its line', () => {
    const written = '{\n  "skip": [],\n  "target": []\n}'
    assert.throws(
      () => parse(written),
      (e: ConfigError) => e.line === 3 && e.column === 3 && e.pointer === '/target' && e.suggestions.includes('did you mean "targets"?'),
    )
  })
})
