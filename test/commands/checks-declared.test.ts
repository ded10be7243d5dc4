/**
 * `doctor checks` with targets declared in doctor.config.json (issue 14 §2): the checks written
 * once for declared targets list them and their symptoms, each declared target is listed with its
 * catalogue, and `doctor checks <symptom id>` shows a symptom's cause and fix; config `skip` and
 * `suppress` take declared target and symptom ids, with the closest name for a wrong one.
 */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, type CliResult} from '../helpers/cli.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import type {Report} from '../../src/types.js'

interface Listing {
  checks: Array<{id: string; targets: string[]; symptoms: Array<{id: string; title: string}>}>
  targets: Array<{id: string; name: string; declaredIn: string; symptoms: Array<{id: string; title: string; check: string}>}>
}

interface SymptomPage {
  symptom: {id: string; target: string; title: string; cause: string; fix: {summary: string; commands: string[]}; check: string | null}
}

const PORT_IN_USE = {
  id: 'kv/port-in-use',
  title: 'Another process holds the KV port',
  patterns: ['bind\\(\\) to \\S+ failed \\(98: Address already in use\\)'],
  cause: 'A second kvd, or another program, already listens on the port.',
  fix: {summary: 'Stop the other process or move kvd to a free port.', commands: ['ss -ltnp sport = :7000']},
}

const parsed = <T>(r: CliResult): T => {
  try {
    return JSON.parse(r.stdout) as T
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}
const oneLine = (stderr: string) => stderr.replace(/\s*\n\s*›\s*/g, ' ')

describe('doctor checks: declared targets and their symptoms', function () {
  this.timeout(60_000)
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  /** A directory whose doctor.config.json declares kv (a pid file and a data dir) with `more` merged in. */
  function project(more: Record<string, unknown> = {}, target: Record<string, unknown> = {}) {
    const dir = tmp.make()
    const config = join(dir, 'doctor.config.json')
    writeFileSync(
      config,
      JSON.stringify({
        targets: [
          {
            id: 'kv',
            name: 'KV cache',
            pidFile: join(dir, 'kv.pid'),
            dataDir: {path: join(dir, 'data'), mode: '0700'},
            symptoms: [PORT_IN_USE],
            ...target,
          },
        ],
        ...more,
      }),
    )
    return {dir, config, env: {HOME: dir, EXECUTOR_DATA_DIR: ''}}
  }

  it('lists the declared target under every check written for declared targets, with its symptoms, and the target with its catalogue', async () => {
    const p = project()
    const r = await runCli(['checks', '--json'], {env: p.env, cwd: p.dir})
    assert.equal(r.code, 0, r.stderr)
    const listing = parsed<Listing>(r)
    const check = (id: string) => listing.checks.find((c) => c.id === id)!
    assert.ok(check('stale-lock').targets.includes('kv'))
    assert.ok(check('stale-lock').symptoms.some((s) => s.id === 'kv/stale-pid-file'))
    assert.ok(
      check('stale-lock').symptoms.some((s) => s.id === 'executor/stale-start-lock'),
      'the built-in symptoms stay',
    )
    assert.ok(check('daemon-log-errors').symptoms.some((s) => s.id === 'kv/port-in-use' && s.title === PORT_IN_USE.title))
    assert.ok(!check('token-drift').targets.includes('kv'), 'a product-only check does not run for a declared target')
    // stale-manifest is written once too: it runs for kv (to skip: kv keeps no daemon records) and reports nothing of kv's.
    assert.ok(check('stale-manifest').targets.includes('kv'))
    assert.ok(!check('stale-manifest').symptoms.some((s) => s.id.startsWith('kv/')))
    assert.deepEqual(
      listing.targets.map((t) => [t.id, t.name, t.declaredIn]),
      [['kv', 'KV cache', p.config]],
    )
    const symptoms = listing.targets[0]!.symptoms
    assert.deepEqual(
      symptoms.find((s) => s.id === 'kv/stale-pid-file'),
      {id: 'kv/stale-pid-file', title: 'The pid file names a process that is not running', check: 'stale-lock'},
    )
    assert.ok(symptoms.some((s) => s.id === 'kv/port-in-use' && s.check === 'daemon-log-errors'))
    // Every symptom a check lists for kv is one the target lists, and the other way round.
    const byChecks = listing.checks.flatMap((c) => c.symptoms.filter((s) => s.id.startsWith('kv/')).map((s) => s.id)).sort()
    assert.deepEqual(byChecks, symptoms.map((s) => s.id).sort())

    const human = await runCli(['checks'], {env: p.env, cwd: p.dir})
    assert.equal(human.code, 0, human.stderr)
    assert.ok(human.stdout.includes(`target kv (KV cache), declared in ${p.config}`), human.stdout)
    assert.match(human.stdout, /- kv\/port-in-use: Another process holds the KV port \(daemon-log-errors\)/)
    assert.match(human.stdout, /^stale-lock {2}\[executor, runwisp, kv\]/m)
  })

  it("doctor checks <symptom id> shows a declared symptom's cause and fix, generic or the target's own", async () => {
    const p = project()
    const own = await runCli(['checks', 'kv/port-in-use', '--json'], {env: p.env, cwd: p.dir})
    assert.equal(own.code, 0, own.stderr)
    const page = parsed<SymptomPage>(own).symptom
    assert.deepEqual(
      [page.id, page.target, page.title, page.cause, page.fix, page.check],
      ['kv/port-in-use', 'kv', PORT_IN_USE.title, PORT_IN_USE.cause, PORT_IN_USE.fix, 'daemon-log-errors'],
    )
    const generic = await runCli(['checks', 'kv/stale-pid-file'], {env: p.env, cwd: p.dir})
    assert.equal(generic.code, 0, generic.stderr)
    assert.match(generic.stdout, /^kv\/stale-pid-file: The pid file names a process that is not running \(fail\)$/m)
    assert.match(generic.stdout, /cause: The daemon was killed or crashed/)
    assert.match(generic.stdout, /fix: Move the stale pid file aside/)
    assert.match(generic.stdout, /reported by: stale-lock \(doctor --only stale-lock --target kv\)/)
    // A built-in symptom has a page too.
    const builtin = await runCli(['checks', 'executor/stale-record', '--json'], {env: p.env, cwd: p.dir})
    assert.equal(builtin.code, 0, builtin.stderr)
    assert.equal(parsed<SymptomPage>(builtin).symptom.target, 'executor')
  })

  it('an unknown symptom id is exit 2 with the closest one; without the config the declared ids are unknown', async () => {
    const p = project()
    const typo = await runCli(['checks', 'kv/stale-pidfile'], {env: p.env, cwd: p.dir})
    assert.equal(typo.code, 2)
    assert.match(oneLine(typo.stderr), /unknown symptom id "kv\/stale-pidfile"; `doctor checks` lists them/)
    assert.match(oneLine(typo.stderr), /did you mean "kv\/stale-pid-file"\?/)
    assert.doesNotMatch(typo.stderr, /\n\s+at /)
    const elsewhere = tmp.make()
    const unaware = await runCli(['checks', 'kv/stale-pid-file'], {env: p.env, cwd: elsewhere})
    assert.equal(unaware.code, 2)
    assert.match(oneLine(unaware.stderr), /reads its config \(--config FILE\)/)
  })

  it("neutralises terminal controls a declaration's texts carry before printing them", async () => {
    const p = project({}, {name: 'KV \u001b]0;owned\u0007cache', symptoms: [{...PORT_IN_USE, title: 'Port \u001b[2Jtaken'}]})
    const r = await runCli(['checks'], {env: p.env, cwd: p.dir})
    assert.equal(r.code, 0, r.stderr)
    assert.ok(!/[\u0007\u001b]/.test(r.stdout), 'no raw control reaches the terminal')
    assert.ok(r.stdout.includes('KV \\x1b]0;owned\\x07cache'), r.stdout)
    assert.ok(r.stdout.includes('Port \\x1b[2Jtaken'), r.stdout)
  })

  it('config skip takes a declared target id: its checks are listed as skipped, and the other targets still run', async () => {
    const p = project({skip: ['kv']})
    writeFileSync(join(p.dir, 'kv.pid'), `${await deadPid()}\n`)
    const r = await runCli(['--json'], {env: p.env, cwd: p.dir})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const report = parsed<Report>(r)
    assert.equal(report.targets.find((t) => t.id === 'kv')?.detected, true)
    const kv = report.checks.filter((c) => c.target === 'kv')
    assert.ok(kv.length > 0 && kv.some((c) => c.id === 'stale-lock'))
    for (const c of kv) {
      assert.equal(c.status, 'skip', c.id)
      assert.equal(c.reason, 'target kv is skipped in doctor.config.json')
    }
    assert.deepEqual(report.config?.skip, ['kv'])
  })

  it('config suppress takes a declared generic symptom and a declared target: the real stale pid file is accepted until the date', async () => {
    const pid = await deadPid()
    const p = project({
      suppress: [{symptom: 'kv/stale-pid-file', target: 'kv', reason: 'kvd is restarted by the nightly job', expires: '2999-01-01'}],
    })
    writeFileSync(join(p.dir, 'kv.pid'), `${pid}\n`)
    mkdirSync(join(p.dir, 'data'), {mode: 0o700})
    const r = await runCli(['--json', '--only', 'stale-lock'], {env: p.env, cwd: p.dir})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const result = parsed<Report>(r).checks.find((c) => c.id === 'stale-lock' && c.target === 'kv')!
    assert.equal(result.status, 'skip')
    assert.equal(result.suppressed?.status, 'fail')
    assert.match(result.findings[0]!.message, new RegExp(`names pid ${pid}`))
    assert.deepEqual(result.findings[0]!.suppressed, {reason: 'kvd is restarted by the nightly job', expires: '2999-01-01'})
    assert.deepEqual(parsed<Report>(r).config?.suppressions[0]?.matches, ['kv:stale-lock'])
  })

  for (const [name, more, problem, suggestion] of [
    ['a misspelt target in skip', {skip: ['kb']}, /"skip\[0\]" names no check: "kb" \(nor any target\)/, 'did you mean "kv"?'],
    [
      'a symptom in skip',
      {skip: ['kv/stale-pid-file']},
      /"skip\[0\]" is a symptom \("kv\/stale-pid-file"\), and skip names checks and targets/,
      'suppress it: {"symptom": "kv/stale-pid-file"',
    ],
    [
      'a misspelt declared symptom in suppress',
      {suppress: [{symptom: 'kv/stale-pidfile', reason: 'x', expires: '2999-01-01'}]},
      /"suppress\[0\]\.symptom" names no known symptom: "kv\/stale-pidfile"/,
      'did you mean "kv/stale-pid-file"?',
    ],
    [
      'a misspelt declared target in suppress',
      {suppress: [{check: 'stale-lock', target: 'kb', reason: 'x', expires: '2999-01-01'}]},
      /"suppress\[0\]\.target" must be one of executor, runwisp, kv/,
      'did you mean "kv"?',
    ],
  ] as const) {
    it(`${name}: exit 2 naming the key and its line, with the closest name`, async () => {
      const p = project(more)
      const r = await runCli(['checks'], {env: p.env, cwd: p.dir})
      assert.equal(r.code, 2, r.stdout + r.stderr)
      const stderr = oneLine(r.stderr)
      assert.match(stderr, problem)
      assert.match(stderr, /\(line 1, column \d+, at \/(skip|suppress)\//)
      assert.ok(stderr.includes(suggestion), stderr)
      assert.equal(r.stdout, '')
    })
  }
})
