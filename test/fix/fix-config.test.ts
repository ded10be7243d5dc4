/**
 * `doctor`, `doctor --fix` and `doctor --dry-run` are one pipeline: the same flags and
 * doctor.config.json shape the diagnosis, the plan and the re-check, and the report goes where
 * `--output` says. Real Executor state with real dead pids, through the built CLI.
 */
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {deadPid, killAll} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()

describe("fix/fix-config: --fix runs under the run's own flags and config", () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  /** Machine-wide checks (default ports, clock) are left out: other suites on this machine use those ports. */
  const LOCAL_ONLY = 'port-squatter,daemon-health,clock-skew'

  /**
   * A HOME whose Executor data dir holds what a SIGKILLed daemon leaves (server.json and its record,
   * naming a dead pid) and a start lock of a dead start (executor-facts §2, §2.2); cwd is a project
   * dir beside it where a doctor.config.json can go.
   */
  async function machine() {
    const home = tmp.make()
    const dataDir = join(home, '.executor')
    const project = join(home, 'project')
    mkdirSync(join(dataDir, 'server-control'), {recursive: true})
    mkdirSync(project)
    const pid = await deadPid()
    const startedAt = new Date().toISOString()
    const origin = 'http://localhost:4788'
    const manifest = join(dataDir, 'server-control', 'server.json')
    writeFileSync(
      manifest,
      JSON.stringify(
        {
          version: 1,
          kind: 'cli-daemon',
          pid,
          startedAt,
          dataDir,
          scopeDir: null,
          connection: {kind: 'http', origin},
          owner: {client: 'cli', version: '1.5.9', executablePath: null},
        },
        null,
        2,
      ) + '\n',
    )
    const record = join(dataDir, 'daemon-localhost-4788.json')
    writeFileSync(record, JSON.stringify({version: 1, hostname: 'localhost', port: 4788, pid, startedAt, scopeDir: null}, null, 2) + '\n')
    const lock = join(dataDir, 'daemon-active-localhost-0123456789abcdef01234567.json.lock')
    writeFileSync(lock, JSON.stringify({pid, hostname: 'localhost', scopeId: 'cwd:/x', startedAt}, null, 2) + '\n')
    const env = {HOME: home, DOCTORKIT_STATE_DIR: join(home, 'state'), XDG_STATE_HOME: '', EXECUTOR_DATA_DIR: '', PATH: '/usr/bin:/bin'}
    const config = (value: unknown, at = join(project, 'doctor.config.json')) => writeFileSync(at, JSON.stringify(value, null, 2) + '\n')
    const doctor = (args: string[]) =>
      runCli(['--target', 'executor', '--skip', LOCAL_ONLY, ...args], {env, cwd: project, timeoutMs: 40_000})
    return {home, project, manifest, record, lock, config, doctor}
  }

  const symptoms = (report: Report) => report.fix!.steps.map((s) => s.origin.symptom).sort()

  it('--dry-run plans nothing for a check doctor.config.json skips, and lists it as skipped', async () => {
    const m = await machine()
    const before = symptoms(jsonReport(await m.doctor(['--dry-run', '--json'])))
    assert.ok(before.includes('executor/stale-start-lock'), `without the config the lock is planned: ${before}`)

    m.config({skip: ['stale-lock']})
    const report = jsonReport(await m.doctor(['--dry-run', '--json']))
    assertValidReport(report)
    assert.deepEqual(symptoms(report), ['executor/stale-manifest', 'executor/stale-record'])
    const skipped = report.checks.find((c) => c.id === 'stale-lock')!
    assert.deepEqual([skipped.status, skipped.reason], ['skip', 'skipped in doctor.config.json'])
    assert.equal(report.config?.path, join(m.project, 'doctor.config.json'))
  })

  it('--fix never acts on a suppressed finding, and its re-check still counts the suppression', async () => {
    const m = await machine()
    const manifestBefore = readFileSync(m.manifest, 'utf8')
    m.config({
      skip: ['stale-lock'],
      suppress: [{symptom: 'executor/stale-manifest', reason: 'kept for a post-mortem', expires: '2999-01-01'}],
    })
    const result = await m.doctor(['--fix', '--json'])
    const report = jsonReport(result)
    assert.deepEqual(symptoms(report), ['executor/stale-record'], JSON.stringify(report.fix))
    assert.deepEqual(
      report.fix!.steps.map((s) => s.status),
      ['applied'],
    )
    assert.equal(readFileSync(m.manifest, 'utf8'), manifestBefore, 'the suppressed manifest was touched')
    assert.equal(existsSync(m.record), false)
    assert.ok(existsSync(m.lock), 'the config skips stale-lock: its lock stays')
    // What is left is the suppressed manifest: the record the fix moved is gone, so the check is fixed.
    assert.deepEqual(
      report.fix!.recheck.map((r) => [r.check, r.outcome]),
      [['stale-manifest', 'fixed']],
      JSON.stringify(report.fix!.recheck),
    )
    assert.equal(result.code, 0, result.stdout + result.stderr)
  })

  it('honours --config and --output under --fix: the report (with its fix) goes to the file, stdout stays empty', async () => {
    const m = await machine()
    const elsewhere = join(m.home, 'ci', 'doctor.json')
    mkdirSync(join(m.home, 'ci'))
    m.config({skip: ['stale-lock', 'stale-manifest']}, elsewhere)
    const out = join(m.home, 'reports', 'fix.json')
    const result = await m.doctor(['--dry-run', '--json', '--config', elsewhere, '--output', out])
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /json report written to .*fix\.json/)
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report
    assertValidReport(report)
    assert.equal(report.config?.path, elsewhere)
    assert.deepEqual(report.fix!.steps, [], 'both fixable checks are skipped by the --config file')
  })

  it('prints each applied step once in the human report, and writes the same report to --output', async () => {
    const m = await machine()
    const streamed = await m.doctor(['--fix'])
    const applied = streamed.stdout.split('\n').filter((l) => /^\s+\d+\. applied: /.test(l))
    assert.equal(applied.length, 3, streamed.stdout)
    assert.equal(new Set(applied).size, 3, `a step is printed twice:\n${streamed.stdout}`)
    assert.equal(streamed.stderr.split('\n').filter((l) => / applied: /.test(l)).length, 0, 'the steps are repeated on stderr')
    assert.match(streamed.stdout, /Fix plan[\s\S]*Fix results[\s\S]*Re-check[\s\S]*After fixing/)

    const again = await machine()
    const out = join(again.home, 'fix.txt')
    const written = await again.doctor(['--fix', '--output', out])
    assert.equal(written.stdout, '')
    const text = readFileSync(out, 'utf8')
    assert.equal(text.split('\n').filter((l) => /^\s+\d+\. applied: /.test(l)).length, 3, text)
    assert.match(text, /stale-manifest[\s\S]*Fix plan[\s\S]*Fix results[\s\S]*Re-check/)
    // The person watching sees each step as it is applied, once, on stderr.
    assert.equal(written.stderr.split('\n').filter((l) => / applied: /.test(l)).length, 3, written.stderr)
  })

  it('fails the --fix run on an expired suppression, as the diagnosis does', async () => {
    const m = await machine()
    m.config({suppress: [{check: 'stale-lock', reason: 'until the CI image is fixed', expires: '2001-01-01'}]})
    const result = await m.doctor(['--fix', '--json'])
    const report = jsonReport(result)
    assert.equal(report.config?.suppressions[0]?.state, 'expired')
    assert.equal(report.fix!.summaryAfter.fail, 0, JSON.stringify(report.fix))
    assert.equal(result.code, 1, 'an expired suppression fails the run whatever the checks say')
  })
})
