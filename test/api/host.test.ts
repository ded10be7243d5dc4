/**
 * What a host does with the library, through the public entry only (src/index.ts, docs/api.md):
 * a target defined in code with a check of its own, a config given as an object, and the repair
 * cycle — plan, apply, undo — on a real stale pid file naming a real dead pid.
 */
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {
  applyFix,
  createBundle,
  defineCheck,
  defineTarget,
  explain,
  listChecks,
  planFix,
  renderCheckList,
  runDoctor,
  runPreflight,
  undo,
  UsageError,
  type DoctorTarget,
  type Finding,
} from '../../src/index.js'
import {catalogueGeneration} from '../../src/catalogue.js'
import {readArchive} from '../bundle/helpers.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {keepCatalogue} from '../helpers/catalogue.js'

/** Every file under `dir`, recursively, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  )
}

/** The host's target: a pid file and a data dir in `dir`, and a check of its own reading a file there. */
function kvTarget(dir: string, more: {logs?: string[]} = {}): DoctorTarget {
  return defineTarget({
    ...more,
    id: 'kv',
    name: 'KV cache',
    pidFile: {path: join(dir, 'kv.pid')},
    dataDir: {path: join(dir, 'data')},
    symptoms: [
      {
        id: 'kv/readonly',
        title: 'KV is read-only',
        patterns: [/READONLY You can't write against a read only replica/],
        severity: 'fail',
        cause: 'The node was demoted to a replica.',
        fix: {summary: 'Point writers at the primary.', commands: []},
      },
    ],
    checks: [
      defineCheck({
        id: 'kv-replica',
        title: 'Check the KV replica',
        description: 'The node this host writes to is not a read-only replica.',
        targets: ['kv'],
        symptoms: ['kv/readonly'],
        fixable: false,
        async detect(ctx) {
          const role = await ctx.files.read(join(dir, 'data/role'))
          if (!role.ok) return []
          if (role.text.trim() !== 'replica') return []
          const finding: Finding = {
            symptom: 'kv/readonly',
            severity: 'fail',
            message: `${join(dir, 'data/role')} says this node is a replica`,
            evidence: {role: 'replica'},
            fix: {summary: 'Point writers at the primary.', commands: [], docs: 'the host docs'},
          }
          return [finding]
        },
      }),
    ],
  })
}

describe('library API: what a host does', function () {
  keepCatalogue()
  this.timeout(60_000)
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  it("runs a defined target's own check beside the generic ones, and lists it", async () => {
    const dir = tmp.make()
    writeFileSync(join(dir, 'kv.pid'), `${process.pid}\n`)
    const kv = kvTarget(dir)
    // A replica: the host's check must find it.
    mkdirSync(join(dir, 'data'), {mode: 0o700})
    writeFileSync(join(dir, 'data/role'), 'replica\n')
    const report = await runDoctor({targets: [kv], env: {HOME: dir}, home: dir, cwd: dir, config: null})
    const target = report.targets.find((t) => t.id === 'kv')
    assert.ok(target?.detected, JSON.stringify(report.targets))
    const own = report.checks.find((c) => c.id === 'kv-replica')
    assert.equal(own?.target, 'kv')
    assert.equal(own?.status, 'fail', JSON.stringify(own))
    assert.deepEqual(
      own?.findings.map((f) => f.symptom),
      ['kv/readonly'],
    )
    // The generic checks serve it too: its pid file names this (live) process.
    assert.equal(report.checks.find((c) => c.id === 'stale-lock' && c.target === 'kv')?.status, 'pass')

    const listing = listChecks({targets: [kv]})
    const row = listing.find((c) => c.id === 'kv-replica')
    assert.deepEqual(row, {
      id: 'kv-replica',
      title: 'Check the KV replica',
      description: 'The node this host writes to is not a read-only replica.',
      targets: ['kv'],
      symptoms: [{id: 'kv/readonly', title: 'KV is read-only'}],
      dependsOn: [],
      fixable: false,
    })
    assert.match(renderCheckList(listing, 'human'), /^kv-replica {2}\[kv\]$/m)
    assert.equal(
      listChecks().find((c) => c.id === 'kv-replica'),
      undefined,
      'listed without the host target',
    )
  })

  it('set points a defined target elsewhere, as it does a declared one; the host target is left as defined', async () => {
    const dir = tmp.make()
    writeFileSync(join(dir, 'kv.pid'), `${process.pid}\n`)
    const other = join(dir, 'other.pid')
    writeFileSync(other, `${await deadPid()}\n`)
    const kv = kvTarget(dir)
    const report = await runDoctor({targets: [kv], set: [`kv.pidFile=${other}`], env: {HOME: dir}, home: dir, cwd: dir, config: null})
    const stale = report.checks.find((c) => c.id === 'stale-lock' && c.target === 'kv')
    assert.equal(stale?.status, 'fail', JSON.stringify(stale))
    assert.match(JSON.stringify(stale?.findings), /other\.pid/)
    assert.equal(kv.profile.pidFile?.path, join(dir, 'kv.pid'))
    const again = await runDoctor({targets: [kv], env: {HOME: dir}, home: dir, cwd: dir, config: null})
    assert.equal(again.checks.find((c) => c.id === 'stale-lock' && c.target === 'kv')?.status, 'pass')
    await assert.rejects(runDoctor({targets: [kv], set: ['kv.nope=1'], env: {HOME: dir}, home: dir, cwd: dir, config: null}), /not a key/)
  })

  it("createBundle with set collects a defined target's log where set points it, not where it was defined", async () => {
    const dir = tmp.make()
    writeFileSync(join(dir, 'kv.pid'), `${process.pid}\n`)
    mkdirSync(join(dir, 'a'))
    mkdirSync(join(dir, 'b'))
    writeFileSync(join(dir, 'a/kv.log'), 'the log where the host defined it\n')
    writeFileSync(join(dir, 'b/kv.log'), 'the log where set points\n')
    const kv = kvTarget(dir, {logs: [join(dir, 'a/kv.log')]})
    const common = {targets: [kv], env: {HOME: dir}, home: dir, cwd: dir, config: null}
    const pointed = await createBundle({...common, set: [`kv.logs=${join(dir, 'b/kv.log')}`], output: 'pointed.tar.gz'})
    assert.equal(pointed.path, join(dir, 'pointed.tar.gz'))
    const files = await readArchive(pointed.path)
    assert.equal(files.get('kv/kv.log')?.toString(), 'the log where set points\n', [...files.keys()].join(', '))
    const report = JSON.parse(files.get('report.json')!.toString()) as {targets: Array<{id: string; detected: boolean}>}
    assert.equal(report.targets.find((t) => t.id === 'kv')?.detected, true)
    // The definition is left as it was: a bundle without set collects the defined log.
    assert.deepEqual(kv.profile.logs, [join(dir, 'a/kv.log')])
    const plain = await createBundle({...common, output: 'plain.tar.gz'})
    assert.equal((await readArchive(plain.path!)).get('kv/kv.log')?.toString(), 'the log where the host defined it\n')
    await assert.rejects(createBundle({...common, set: ['kv.nope=1'], output: 'bad.tar.gz'}), UsageError)
    assert.equal(existsSync(join(dir, 'bad.tar.gz')), false)
  })

  it('explain answers for a defined target; asked again with the same target, the catalogue is not rebuilt', async () => {
    const dir = tmp.make()
    const common = {targets: [kvTarget(dir)], env: {HOME: dir}, home: dir, cwd: dir, config: null}
    const line = "-READONLY You can't write against a read only replica."
    const first = await explain(line, common)
    assert.equal(first.matches[0]?.symptom, 'kv/readonly', JSON.stringify(first))
    const generation = catalogueGeneration()
    const again = await explain(line, {...common, targets: [kvTarget(dir)]})
    assert.equal(again.matches[0]?.symptom, 'kv/readonly')
    assert.equal(catalogueGeneration(), generation, 'the same declaration read again changed the catalogue')
    // Another declaration under the same id replaces it.
    const changed = defineTarget({id: 'kv', name: 'KV cache', symptoms: []})
    const none = await explain(line, {...common, targets: [changed]})
    assert.notEqual(catalogueGeneration(), generation)
    assert.equal(
      none.matches.find((m) => m.symptom === 'kv/readonly'),
      undefined,
    )
  })

  it('takes the config as an object: its declared target, skips and suppressions apply', async () => {
    const dir = tmp.make()
    const pid = await deadPid()
    writeFileSync(join(dir, 'kv.pid'), `${pid}\n`)
    const config = {
      targets: [{id: 'kv', pidFile: join(dir, 'kv.pid'), ports: [1]}],
      skip: ['clock-skew'],
      suppress: [{symptom: 'kv/stale-pid-file', check: 'stale-lock', reason: 'CI leaves it behind', expires: '2999-12-31'}],
    }
    const report = await runDoctor({config, cwd: dir, home: dir, env: {HOME: dir}})
    assert.ok(report.targets.find((t) => t.id === 'kv')?.detected, JSON.stringify(report.targets))
    const skew = report.checks.filter((c) => c.id === 'clock-skew')
    assert.ok(skew.length > 0)
    for (const c of skew) assert.equal(c.status, 'skip', JSON.stringify(c))
    const stale = report.checks.find((c) => c.id === 'stale-lock' && c.target === 'kv')!
    assert.equal(stale.status, 'skip', JSON.stringify(stale))
    assert.match(stale.reason ?? '', /suppressed until 2999-12-31: CI leaves it behind/)
    assert.deepEqual(
      stale.findings.map((f) => [f.symptom, f.suppressed?.reason]),
      [['kv/stale-pid-file', 'CI leaves it behind']],
    )
    assert.equal(report.config?.path, join(dir, '(config object)'))
    // A suppressed finding gets no repair.
    assert.deepEqual(
      planFix(report).steps.filter((s) => s.step.kind === 'quarantine'),
      [],
    )
  })

  it("takes a config object that skips and suppresses a defined target's checks and symptoms, and refuses to declare it again", async () => {
    const dir = tmp.make()
    const pid = await deadPid()
    writeFileSync(join(dir, 'kv.pid'), `${pid}\n`)
    mkdirSync(join(dir, 'data'), {mode: 0o700})
    writeFileSync(join(dir, 'data/role'), 'replica\n')
    const kv = kvTarget(dir)
    const config = {
      skip: ['disk-space'],
      suppress: [
        {symptom: 'kv/stale-pid-file', check: 'stale-lock', reason: 'left by the last deploy', expires: '2999-12-31'},
        {symptom: 'kv/readonly', check: 'kv-replica', target: 'kv', reason: 'a replica on purpose', expires: '2999-12-31'},
      ],
    }
    const report = await runDoctor({targets: [kv], config, cwd: dir, home: dir, env: {HOME: dir}})
    const status = (id: string) => report.checks.find((c) => c.id === id && c.target === 'kv')
    assert.equal(status('stale-lock')?.status, 'skip', JSON.stringify(status('stale-lock')))
    assert.equal(status('kv-replica')?.status, 'skip', JSON.stringify(status('kv-replica')))
    assert.match(status('kv-replica')?.reason ?? '', /a replica on purpose/)
    assert.equal(status('disk-space')?.status, 'skip')
    // A target id skips every check of that target, a host's as well as a declared one's.
    const skipped = await runDoctor({targets: [kv], config: {skip: ['kv']}, cwd: dir, home: dir, env: {HOME: dir}})
    assert.deepEqual(
      skipped.checks.filter((c) => c.target === 'kv' && c.status !== 'skip').map((c) => c.id),
      [],
    )
    await assert.rejects(
      runDoctor({targets: [kv], config: {targets: [{id: 'kv', pidFile: join(dir, 'kv.pid')}]}, cwd: dir, home: dir, env: {HOME: dir}}),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error))
        assert.match(error.message, /"targets\[0\]\.id" "kv" is a target the program defines itself/)
        return true
      },
    )
  })

  it('plans, applies and undoes the quarantine of a stale pid file: the file comes back byte for byte', async () => {
    const dir = tmp.make()
    const state = tmp.make()
    const env = {HOME: dir, DOCTORKIT_STATE_DIR: state}
    const pid = await deadPid()
    const pidFile = join(dir, 'kv.pid')
    // Bytes a rewrite would not keep: CRLF and trailing blanks.
    const bytes = Buffer.from(`${pid}\r\n\r\n`, 'utf8')
    writeFileSync(pidFile, bytes, {mode: 0o640})
    const kv = kvTarget(dir)
    const report = await runDoctor({targets: [kv], env, home: dir, cwd: dir, config: null, only: ['stale-lock']})
    const stale = report.checks.find((c) => c.id === 'stale-lock' && c.target === 'kv')!
    assert.equal(stale.status, 'fail', JSON.stringify(stale))
    assert.deepEqual(
      stale.findings.map((f) => f.symptom),
      ['kv/stale-pid-file'],
    )

    const plan = planFix(report)
    assert.deepEqual(
      plan.steps.map((s) => [s.step.kind, s.step.risk]),
      [['quarantine', 'safe']],
    )
    const seen: string[] = []
    const fixed = await applyFix(plan, {env, yes: true, onStep: (r) => void seen.push(r.status)})
    assert.deepEqual(seen, ['applied'], JSON.stringify(fixed.steps))
    assert.equal(existsSync(pidFile), false, 'the pid file is still in place')
    const quarantined = filesUnder(state).filter((f) => readFileSync(join(state, f)).equals(bytes))
    assert.equal(quarantined.length, 1, `the quarantine holds no copy: ${filesUnder(state).join(', ')}`)
    assert.equal(fixed.recheck.find((r) => r.check === 'stale-lock' && r.target === 'kv')?.outcome, 'fixed', JSON.stringify(fixed.recheck))
    const moved = fixed.steps[0]!.quarantinedAt
    assert.ok(moved && readFileSync(moved).equals(bytes), `the step names no quarantined copy: ${JSON.stringify(fixed.steps)}`)

    const outcome = await undo(undefined, {env})
    assert.ok(outcome, 'undo found nothing to restore')
    assert.deepEqual(
      outcome.results.map((s) => s.status),
      ['restored'],
      JSON.stringify(outcome),
    )
    assert.ok(readFileSync(pidFile).equals(bytes), 'the restored pid file differs from the original')
    assert.equal(statSync(pidFile).mode & 0o777, 0o640)
  })

  it('runs preflight over a defined target too: its pid file and its own check, none of the checks outside the set', async () => {
    const dir = tmp.make()
    const pid = await deadPid()
    writeFileSync(join(dir, 'kv.pid'), `${pid}\n`)
    mkdirSync(join(dir, 'data'), {mode: 0o700})
    writeFileSync(join(dir, 'data/role'), 'replica\n')
    const kv = kvTarget(dir)
    const env = {HOME: dir, EXECUTOR_DATA_DIR: join(dir, 'no-executor')}
    const report = await runPreflight({targets: [kv], env, home: dir, cwd: dir, config: null})
    const ran = report.checks.filter((c) => c.target === 'kv').map((c) => `${c.id} ${c.status}`)
    assert.ok(ran.includes('stale-lock fail'), ran.join('\n'))
    assert.ok(ran.includes('kv-replica fail'), ran.join('\n'))
    // Only what decides whether e2e can start: the generic disk and clock checks stay out.
    for (const outside of ['disk-space', 'clock-skew', 'data-dir-permissions'])
      assert.equal(
        report.checks.some((c) => c.id === outside),
        false,
        outside,
      )
    // Executor is still checked (forced) as `doctor preflight` does.
    assert.ok(report.targets.find((t) => t.id === 'executor')?.forced)
    const only = await runPreflight({targets: [kv], env, home: dir, cwd: dir, config: null, only: ['kv-replica']})
    assert.deepEqual(
      only.checks.map((c) => `${c.target}:${c.id}`),
      ['kv:kv-replica'],
    )
    await assert.rejects(
      runPreflight({targets: [kv], env, home: dir, cwd: dir, config: null, only: ['disk-space']}),
      /disk-space: not a preflight check/,
    )
  })
})
