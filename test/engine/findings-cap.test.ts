/**
 * Findings per check are capped (src/engine/cap.ts): a machine with a thousand copies of one
 * problem gets a bounded report that says how many were left out, in JSON and in the human report.
 */
import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {defineCheck} from '../../src/check.js'
import {finding} from '../../src/catalogue.js'
import {createContext} from '../../src/context.js'
import {FINDINGS_CAP} from '../../src/engine/cap.js'
import {runChecks} from '../../src/engine/run-checks.js'
import type {DetectedTarget} from '../../src/targets/types.js'
import '../../src/targets/index.js'
import type {Report} from '../../src/types.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {deadPids} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()

describe('engine/findings-cap: findings per check are capped, with a count of the rest', () => {
  afterEach(() => tmp.cleanup())

  /** What daemons killed without cleanup leave, one record per host and port (executor-facts §2.4). */
  function staleRecords(count: number): {env: Record<string, string>; home: string; pids: number[]} {
    const home = tmp.make()
    const dataDir = join(home, '.executor')
    mkdirSync(dataDir)
    const pids = deadPids(count)
    const startedAt = new Date().toISOString()
    pids.forEach((pid, i) =>
      writeFileSync(
        join(dataDir, `daemon-h${i}-${2000 + i}.json`),
        JSON.stringify({version: 1, hostname: `h${i}`, port: 2000 + i, pid, startedAt, scopeDir: null}),
      ),
    )
    return {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, home, pids}
  }

  it('says what it left out in JUnit, GitHub annotations and Markdown too', async () => {
    const {env, home, pids} = staleRecords(300)
    const left = pids.length - FINDINGS_CAP
    const line = `and ${left} more not listed (executor/stale-record ×${left}): a check lists at most ${FINDINGS_CAP} findings`
    const junit = await runCli(['--format', 'junit', '--strict', '--only', 'stale-manifest'], {env, cwd: home})
    assert.ok(junit.stdout.includes(`(and ${pids.length - 1} more)" type="executor/stale-record"`), junit.stdout.slice(0, 600))
    assert.ok(junit.stdout.includes(`… ${line}`), 'the failure body ends with what was left out')
    const junitWarn = await runCli(['--format', 'junit', '--only', 'stale-manifest'], {env, cwd: home})
    assert.ok(
      junitWarn.stdout.includes(`… ${line}; repair these and run again to see the rest</system-out>`),
      "a warning's system-out ends with it",
    )
    assert.ok(junitWarn.stdout.includes('<system-out>warning:'))
    // The Markdown summary is what --format github appends to $GITHUB_STEP_SUMMARY.
    const summaryFile = join(home, 'step-summary.md')
    const github = await runCli(['--format', 'github', '--only', 'stale-manifest'], {
      env: {...env, GITHUB_STEP_SUMMARY: summaryFile},
      cwd: home,
    })
    const annotation = github.stdout.split('\n').find((l) => l.startsWith('::warning '))
    assert.ok(annotation?.endsWith(`%0A%0A… ${line}; repair these and run again to see the rest`), annotation?.slice(-300))
    assert.match(github.stdout, new RegExp(`^⚠ stale-manifest \\[executor\\] warn .* — ${pids.length} findings, ${left} not listed$`, 'm'))
    const markdown = readFileSync(summaryFile, 'utf8')
    const row = markdown.split('\n').find((l) => l.includes('`stale-manifest`') && l.startsWith('| '))
    assert.ok(row?.includes(`<br>… ${line}`), row?.slice(-300))
    assert.ok(markdown.includes(`**\`stale-manifest\`** (executor): … ${line}`), 'the fix section says so too')
  })

  it('lists the first findings of 1,000 stale daemon records and counts the rest, in JSON and in the human report', async () => {
    const {env, home, pids} = staleRecords(1000)
    const json = await runCli(['--json', '--only', 'stale-manifest'], {env, cwd: home})
    const report = jsonReport<Report>(json)
    assertValidReport(report)
    const result = report.checks.find((c) => c.id === 'stale-manifest')!
    assert.equal(result.status, 'warn')
    assert.equal(result.findings.length, FINDINGS_CAP)
    assert.deepEqual(result.omittedFindings, {
      count: pids.length - FINDINGS_CAP,
      cap: FINDINGS_CAP,
      bySymptom: {'executor/stale-record': pids.length - FINDINGS_CAP},
    })
    assert.ok(json.stdout.length < 512 * 1024, `the JSON report is ${json.stdout.length} bytes`)

    const human = await runCli(['--only', 'stale-manifest'], {env, cwd: home})
    assert.equal(human.stdout.split('\n').filter((l) => /^\s+⚠ /.test(l)).length, FINDINGS_CAP, human.stdout.slice(0, 2000))
    assert.match(
      human.stdout,
      new RegExp(
        `… and ${pids.length - FINDINGS_CAP} more not listed \\(executor/stale-record ×${pids.length - FINDINGS_CAP}\\): a check lists at most ${FINDINGS_CAP} findings`,
      ),
    )
  })

  it("keeps failures over warnings when it cuts, in the check's order, and the status counts everything", async () => {
    const target: DetectedTarget = {
      id: 'executor',
      detected: true,
      forced: false,
      generation: null,
      generationReason: 'test',
      dataDir: null,
      reasons: [],
    }
    const warn = (i: number) => finding('executor/stale-record', {vars: {path: `/r/${i}`, pid: i}, severity: 'warn'})
    const fail = finding('executor/stale-manifest', {vars: {path: '/m', pid: 1}})
    const many = defineCheck({
      id: 'many',
      title: 'many',
      description: 'many',
      targets: ['executor'],
      symptoms: ['executor/stale-record', 'executor/stale-manifest'],
      fixable: false,
      detect: async () => [...Array.from({length: 150}, (_, i) => warn(i)), fail],
    })
    const ctx = createContext({env: {}})
    try {
      const [result] = await runChecks(ctx, [{check: many, target}], {deadline: Date.now() + 10_000})
      assert.equal(result!.status, 'fail')
      assert.equal(result!.findings.length, FINDINGS_CAP)
      assert.equal(result!.findings.at(-1)!.symptom, 'executor/stale-manifest', 'the failure is kept, in its place after the warnings')
      assert.deepEqual(
        result!.findings.slice(0, 3).map((f) => f.evidence.path ?? f.message),
        result!.findings.slice(0, 3).map((_, i) => warn(i).evidence.path ?? warn(i).message),
      )
      assert.deepEqual(result!.omittedFindings, {count: 51, cap: FINDINGS_CAP, bySymptom: {'executor/stale-record': 51}})
    } finally {
      await ctx.close()
    }
  })
})
