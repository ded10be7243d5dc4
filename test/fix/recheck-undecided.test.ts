/**
 * A re-check that cannot decide is not "still failing": `--fix` applied its steps, and the
 * re-check came back `error`. Built for real: the doctor runs as nobody on nobody's Executor data
 * dir, where one start lock names a dead pid (the fix moves it) and another is root's 0600 file
 * that nobody cannot read, so after the fix the re-check has nothing left it can decide.
 */
import assert from 'node:assert/strict'
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {RECHECK_OUTCOMES} from '../../src/fix/types.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {deadPid, killAll, REPO} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const NOBODY = 65534

describe('fix/recheck-undecided: a re-check that comes back error', function () {
  this.timeout(60_000)
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  async function machine() {
    const home = tmp.make()
    chmodSync(home, 0o755)
    chownSync(home, NOBODY, NOBODY)
    const dataDir = join(home, '.executor')
    mkdirSync(dataDir)
    chownSync(dataDir, NOBODY, NOBODY)
    const pid = await deadPid()
    // Start locks of two dead starts (executor-facts §2.2): one nobody's own, one root's 0600.
    const lock = (name: string) =>
      JSON.stringify({pid, hostname: 'localhost', scopeId: `cwd:/${name}`, startedAt: new Date().toISOString()})
    const stale = join(dataDir, 'daemon-active-localhost-0123456789abcdef01234567.json.lock')
    writeFileSync(stale, lock('a'))
    chownSync(stale, NOBODY, NOBODY)
    const unreadable = join(dataDir, 'daemon-active-localhost-fedcba9876543210fedcba98.json.lock')
    writeFileSync(unreadable, lock('b'), {mode: 0o600})
    const env = {HOME: home, DOCTORKIT_STATE_DIR: join(home, 'state'), XDG_STATE_HOME: '', EXECUTOR_DATA_DIR: '', PATH: '/usr/bin:/bin'}
    const doctor = (args: string[]) =>
      runCli(['--target', 'executor', '--only', 'stale-lock', ...args], {env, cwd: home, asNobody: true, timeoutMs: 40_000})
    return {stale, unreadable, doctor}
  }

  it('reports not-rechecked with the reason, keeps the step applied, and exits 1 (could not decide)', async () => {
    const m = await machine()
    const r = await m.doctor(['--fix', '--yes', '--json'])
    const report = jsonReport(r)
    assertValidReport(report)
    const diagnosed = report.checks.find((c) => c.id === 'stale-lock')!
    assert.equal(diagnosed.status, 'warn', JSON.stringify(diagnosed))
    const fix = report.fix!
    assert.deepEqual(
      fix.steps.map((s) => [s.origin.symptom, s.status]),
      [['executor/stale-start-lock', 'applied']],
    )
    assert.ok(!existsSync(m.stale), 'the stale lock was moved to the quarantine')
    assert.ok(readFileSync(m.unreadable, 'utf8').includes('cwd:/b'), "root's lock is left as it was")
    assert.equal(fix.recheck.length, 1)
    const recheck = fix.recheck[0]!
    assert.equal(recheck.status, 'error')
    assert.equal(recheck.outcome, 'not-rechecked', JSON.stringify(recheck))
    assert.match(
      recheck.reason!,
      /^applied; the re-check could not decide: .*cannot read .*fedcba9876543210fedcba98\.json\.lock \(EACCES\)/,
    )
    assert.equal(fix.summaryAfter.error, 1)
    assert.equal(r.code, 1, 'a check that could not decide exits 1 (README › Exit codes)')
  })

  it('says so in the human report, once, without calling it still failing', async () => {
    const m = await machine()
    const r = await m.doctor(['--fix', '--yes'])
    assert.match(r.stdout, /\? not re-checked stale-lock \[executor\] \(error\): applied; the re-check could not decide: /)
    assert.doesNotMatch(r.stdout, /still failing/)
    assert.equal(r.code, 1)
  })

  it('the schema lists every re-check outcome', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'schema/report.schema.json'), 'utf8')) as {
      properties: {fix: {properties: {recheck: {items: {properties: {outcome: {enum: string[]}}}}}}}
    }
    assert.deepEqual(schema.properties.fix.properties.recheck.items.properties.outcome.enum, [...RECHECK_OUTCOMES])
  })
})
