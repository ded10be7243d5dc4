import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {applySuppressions, markSlow} from '../../src/config/apply.js'
import {findConfig, knownIds, loadConfig} from '../../src/config/load.js'
import {ConfigError, parseConfig, parseExpiry, type Suppression} from '../../src/config/schema.js'
import {runDoctor, UsageError} from '../../src/engine/doctor.js'
import {defineCheck} from '../../src/check.js'
import type {TargetDefinition} from '../../src/targets/types.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'
import {sampleReport} from './sample-report.js'

const parse = (value: unknown) => parseConfig(typeof value === 'string' ? value : JSON.stringify(value), 'doctor.config.json', knownIds())
const rejects = (value: unknown, key: string, problem: RegExp) => {
  assert.throws(
    () => parse(value),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error))
      assert.ok(error instanceof UsageError, 'a bad config is a usage error (exit 2)')
      assert.equal(error.key, key, error.message)
      assert.match(error.message, problem)
      return true
    },
  )
}
const suppression = (s: Omit<Suppression, 'expiresAtMs'>): Suppression => ({...s, expiresAtMs: parseExpiry(s.expires)!})

describe('preflight: doctor.config.json', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  it('accepts every setting and normalises it', () => {
    const config = parse({
      $schema: './node_modules/doctorkit/schema/config.json',
      skip: ['clock-skew'],
      suppress: [
        {check: 'stale-lock', reason: '  a start lock CI leaves behind  ', expires: '2999-12-31'},
        {symptom: 'executor/stale-record', target: 'executor', reason: 'debris', expires: '2999-01-01T12:00:00+02:00'},
      ],
      timeouts: {'daemon-health': '10s', 'port-squatter': 1500},
      watchPorts: [5432, 6379, 5432],
    })
    assert.deepEqual(config.skip, ['clock-skew'])
    assert.deepEqual(config.timeouts, {'daemon-health': 10_000, 'port-squatter': 1500})
    assert.deepEqual(config.watchPorts, [5432, 6379])
    assert.equal(config.suppress[0]!.reason, 'a start lock CI leaves behind')
    assert.equal(config.suppress[0]!.expiresAtMs, Date.UTC(3000, 0, 1))
    assert.equal(config.suppress[1]!.expiresAtMs, Date.UTC(2999, 0, 1, 10))
    assert.deepEqual(parse('\uFEFF{}'), {skip: [], suppress: [], timeouts: {}, watchPorts: [], targets: []})
  })

  it('names the key of every mistake', () => {
    rejects({suppression: []}, 'suppression', /not a setting doctor knows/)
    rejects({skip: 'clock-skew'}, 'skip', /must be an array of check ids, not the string "clock-skew"/)
    rejects({skip: ['clock-skew', 'clock-skw']}, 'skip[1]', /names no check: "clock-skw"/)
    rejects({timeouts: {'daemon-health': 'soon'}}, 'timeouts.daemon-health', /positive duration/)
    rejects({timeouts: {'daemon-health': -5}}, 'timeouts.daemon-health', /positive duration/)
    rejects({timeouts: {nope: '1s'}}, 'timeouts.nope', /names no check/)
    rejects({watchPorts: [80, 70000]}, 'watchPorts[1]', /port number from 1 to 65535, not number 70000/)
    rejects({watchPorts: ['5432']}, 'watchPorts[0]', /not the string "5432"/)
    rejects({suppress: {check: 'stale-lock'}}, 'suppress', /must be an array/)
    rejects({suppress: ['stale-lock']}, 'suppress[0]', /must be an object/)
    rejects({suppress: [{reason: 'x', expires: '2999-01-01'}]}, 'suppress[0]', /must name a "check" or a "symptom"/)
    rejects({suppress: [{check: 'stale-lock', expires: '2999-01-01'}]}, 'suppress[0].reason', /is required: say why/)
    rejects({suppress: [{check: 'stale-lock', reason: '   ', expires: '2999-01-01'}]}, 'suppress[0].reason', /non-empty sentence/)
    rejects({suppress: [{check: 'stale-lock', reason: 'ok'}]}, 'suppress[0].expires', /is required: a date/)
    rejects({suppress: [{check: 'stale-lock', reason: 'ok', expires: '2030-02-30'}]}, 'suppress[0].expires', /YYYY-MM-DD/)
    rejects({suppress: [{check: 'stale-lock', reason: 'ok', expires: '2030-01-01T00:00:00'}]}, 'suppress[0].expires', /with a zone/)
    rejects({suppress: [{check: 'stale-lock', reason: 'ok', expires: 20300101}]}, 'suppress[0].expires', /not number 20300101/)
    rejects({suppress: [{symptom: 'executor/nope', reason: 'ok', expires: '2999-01-01'}]}, 'suppress[0].symptom', /names no known symptom/)
    rejects(
      {suppress: [{check: 'stale-lock', symptom: 'executor/stale-record', reason: 'ok', expires: '2999-01-01'}]},
      'suppress[0].symptom',
      /not reported by check "stale-lock"/,
    )
    rejects(
      {suppress: [{check: 'stale-lock', target: 'docker', reason: 'ok', expires: '2999-01-01'}]},
      'suppress[0].target',
      /one of executor, runwisp/,
    )
    rejects(
      {suppress: [{check: 'stale-lock', reason: 'ok', expires: '2999-01-01', until: 'x'}]},
      'suppress[0].until',
      /not a suppression field/,
    )
    rejects(
      '{\n  "skip": [\n    "clock-skew",\n  ]\n}',
      '',
      /not valid JSON: a comma before "\]" \(trailing commas are not JSON\) at line 4, column 3$/,
    )
    rejects('{"skip": ["a"] "timeouts": {}}', '', /expected "," or "}", found "\\"" at line 1, column 16$/)
    rejects('{"watchPorts": [1, 2]}}', '', /unexpected "}" after the end of the JSON value at line 1, column 23$/)
    rejects('{\n  // comment\n}', '', /expected a quoted key, found a comment \(JSON has none\) at line 2, column 3$/)
    rejects('{"skip": ["clock-skew', '', /a string is not closed at line 1, column 22$/)
    rejects('', '', /is empty/)
    rejects('[]', '', /must hold a JSON object, not an array/)
  })

  it('suggests the key or id that was meant', () => {
    assert.throws(
      () => parse({watch_ports: [1]}),
      (e: ConfigError) => e.suggestions.includes('did you mean "watchPorts"?'),
    )
    assert.throws(
      () => parse({skip: ['stale-manfest']}),
      (e: ConfigError) => e.suggestions.some((s) => s.includes('"stale-manifest"')),
    )
  })

  it('holds a date-only expiry through the end of that UTC day', () => {
    assert.equal(parseExpiry('2030-01-31'), Date.UTC(2030, 1, 1))
    assert.equal(parseExpiry('2030-01-31T23:00:00Z'), Date.UTC(2030, 0, 31, 23))
    assert.equal(parseExpiry('2030-13-01'), null)
    assert.equal(parseExpiry('tomorrow'), null)
  })

  it('is found from a subdirectory up to the repository root, and never above it', async () => {
    const outer = tmp.make()
    writeTree(outer, {
      'doctor.config.json': '{"skip": ["clock-skew"]}',
      'repo/e2e/src/ports.ts': '',
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
    })
    const repo = join(outer, 'repo')
    assert.equal(await findConfig(join(repo, 'e2e/src')), null, "the config above the repo root is not this repo's")
    writeFileSync(join(repo, 'doctor.config.json'), '{"watchPorts": [5173]}')
    assert.equal(await findConfig(join(repo, 'e2e/src')), join(repo, 'doctor.config.json'))
    const loaded = await loadConfig({cwd: join(repo, 'e2e')})
    assert.deepEqual(loaded?.config.watchPorts, [5173])
    // A worktree's .git is a file: still the root.
    const worktree = join(outer, 'wt')
    writeTree(worktree, {'.git': 'gitdir: /somewhere/.git/worktrees/wt\n', 'sub/x': ''})
    assert.equal(await findConfig(join(worktree, 'sub')), null)
  })

  it('reports an explicit config that is missing, a directory, binary or huge as such', async () => {
    const dir = tmp.make()
    mkdirSync(join(dir, 'as-dir'))
    writeFileSync(join(dir, 'binary.json'), Buffer.from([0x7b, 0x00, 0x7d]))
    writeFileSync(join(dir, 'latin1.json'), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]))
    writeFileSync(join(dir, 'huge.json'), Buffer.alloc(2 * 1024 * 1024, 0x20))
    const expect = async (name: string, problem: RegExp) => {
      await assert.rejects(
        loadConfig({cwd: dir, explicit: name}),
        (e: unknown) => e instanceof ConfigError && problem.test(e.message) && e.message.startsWith(join(dir, name)),
      )
    }
    await expect('missing.json', /does not exist/)
    await expect('as-dir', /is not a regular file|is a directory/)
    await expect('binary.json', /is binary/)
    await expect('latin1.json', /not UTF-8/)
    await expect('huge.json', /is 2097152 bytes/)
  })
})

describe('preflight: suppressions and slow checks', () => {
  const report = sampleReport()
  const now = Date.now()

  it('turns a result covered by a live check suppression into a skip that keeps its findings, marked', () => {
    const {results, outcomes} = applySuppressions(
      report.checks,
      [suppression({check: 'port-squatter', reason: 'proxy on the runner', expires: '2999-01-01'})],
      now,
    )
    const r = results.find((x) => x.id === 'port-squatter')!
    assert.equal(r.status, 'skip')
    assert.equal(r.reason, 'suppressed until 2999-01-01: proxy on the runner')
    assert.deepEqual(r.suppressed, {reason: 'proxy on the runner', expires: '2999-01-01', status: 'fail'})
    assert.equal(r.findings.length, 1)
    assert.deepEqual(r.findings[0]!.suppressed, {reason: 'proxy on the runner', expires: '2999-01-01'})
    assert.deepEqual(outcomes, [
      {check: 'port-squatter', reason: 'proxy on the runner', expires: '2999-01-01', state: 'active', matches: ['executor:port-squatter']},
    ])
  })

  it('keeps the reason of a suppressed error', () => {
    const {results} = applySuppressions(
      report.checks,
      [suppression({check: 'stale-lock', reason: 'CI cannot read it', expires: '2999-01-01'})],
      now,
    )
    const r = results.find((x) => x.id === 'stale-lock')!
    assert.equal(r.status, 'skip')
    assert.equal(r.suppressed?.status, 'error')
    assert.match(r.suppressed!.statusReason!, /^cannot read \/data\/x\.lock/)
  })

  it('does not apply an expired suppression, and says it expired', () => {
    const {results, outcomes} = applySuppressions(
      report.checks,
      [suppression({check: 'port-squatter', reason: 'was fine', expires: '2001-01-01'})],
      now,
    )
    assert.equal(results.find((x) => x.id === 'port-squatter')!.status, 'fail')
    assert.deepEqual(outcomes[0]!.state, 'expired')
    assert.deepEqual(outcomes[0]!.matches, ['executor:port-squatter'])
  })

  it('suppresses only the named symptom; other findings keep deciding the status', () => {
    const squat = report.checks.find((x) => x.id === 'port-squatter')!
    const mixed = {...squat, findings: [...squat.findings, {...report.checks.find((x) => x.id === 'stale-manifest')!.findings[0]!}]}
    const {results} = applySuppressions(
      [mixed],
      [suppression({symptom: 'executor/port-squatter', reason: 'known', expires: '2999-01-01'})],
      now,
    )
    assert.equal(results[0]!.status, 'warn', 'the unsuppressed stale-record warning is what is left')
    assert.equal(results[0]!.suppressed, undefined)
    assert.deepEqual(
      results[0]!.findings.map((f) => Boolean(f.suppressed)),
      [true, false],
    )
  })

  it('narrows by target and reports a suppression with nothing to cover as unused', () => {
    const {results, outcomes} = applySuppressions(
      report.checks,
      [
        suppression({check: 'port-squatter', target: 'runwisp', reason: 'x', expires: '2999-01-01'}),
        suppression({check: 'daemon-health', reason: 'y', expires: '2999-01-01'}),
      ],
      now,
    )
    assert.equal(results.find((x) => x.id === 'port-squatter')!.status, 'fail')
    assert.deepEqual(
      outcomes.map((o) => o.state),
      ['unused', 'unused'],
    )
  })

  it('flags a check slow when it used more than half its timeout, with per-check timeouts from the config', () => {
    const flagged = report.checks.map(({slow: _slow, ...r}) => markSlow(r, r.id === 'port-squatter' ? 50 : 5000))
    assert.deepEqual(
      flagged.filter((r) => r.slow).map((r) => [r.id, r.slow!.timeoutMs]),
      [
        ['port-squatter', 50],
        ['stale-lock', 5000],
      ],
    )
  })

  it('lists the checks the config skips, in report order, and recounts the summary', async () => {
    // The engine applies the config inside the run: the skipped check never runs, and is listed.
    const ran: string[] = []
    const pool = ['daemon-health', 'port-squatter', 'stale-manifest', 'stale-lock', 'clock-skew'].map((id) =>
      defineCheck({
        id,
        title: id,
        description: id,
        targets: ['executor'],
        symptoms: [],
        fixable: false,
        detect: async () => (ran.push(id), []),
      }),
    )
    const target: TargetDefinition = {
      id: 'executor',
      name: 'Executor',
      detect: async () => ({
        id: 'executor',
        detected: true,
        forced: false,
        generation: null,
        generationReason: 'test',
        dataDir: null,
        reasons: ['test'],
      }),
    }
    const config = {path: '/r/doctor.config.json', config: {skip: ['clock-skew'], suppress: [], timeouts: {}, watchPorts: [], targets: []}}
    const shaped = await runDoctor({env: {}, checks: pool, targets: [target], config})
    const skew = shaped.checks.find((r) => r.id === 'clock-skew')!
    assert.deepEqual([skew.status, skew.reason], ['skip', 'skipped in doctor.config.json'])
    assert.ok(!ran.includes('clock-skew'), 'a skipped check is not run')
    assert.deepEqual(
      shaped.checks.map((r) => r.id),
      pool.map((c) => c.id),
    )
    assert.equal(shaped.summary.skip, 1)
    assert.deepEqual(shaped.config, {path: '/r/doctor.config.json', skip: ['clock-skew'], suppressions: [], watchPorts: []})
  })
})
