/**
 * `--timeout` is a wall-clock promise (docs/ARCHITECTURE.md › Decisions): checks get an
 * AbortSignal their probes honour, and the process ends within the budget plus a small grace,
 * whatever the machine holds. The CLI cases measure the wall clock of the real process.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {defineCheck, type CheckDefinition} from '../../src/check.js'
import {EXIT_GRACE_MS} from '../../src/cli/exit.js'
import {FINDINGS_CAP} from '../../src/engine/cap.js'
import {createContext} from '../../src/context.js'
import {runChecks} from '../../src/engine/run-checks.js'
import {Deadline} from '../../src/probes/abort.js'
import {walkTree} from '../../src/probes/walk.js'
import type {DetectedTarget} from '../../src/targets/types.js'
import '../../src/targets/index.js'
import type {Report} from '../../src/types.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {deadPids, killAll, REPO} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
/** The crowded data dir, kept across the tests of the file (see crowdedHome). */
const crowdedTmp = tmpDirs()
/** Generous against a loaded 2-core machine; today's code overshoots it by seconds. */
const MARGIN_MS = 1500
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Timed {
  code: number | null
  stdout: string
  stderr: string
  /** From spawn to exit. */
  wallMs: number
  /** From the last byte of stdout to exit: how long the process lingered after its report. */
  lingerMs: number
}

/** The built CLI as a user runs it, timed from outside; killed (and failing the test) after `hardMs`. */
function timedCli(args: string[], env: NodeJS.ProcessEnv, hardMs = 30_000): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    let lastOut = started
    let stdout = ''
    let stderr = ''
    const child = spawn(process.execPath, [join(REPO, 'bin/run.js'), ...args], {
      env: {...process.env, NO_COLOR: '1', CI: '1', ...env},
      cwd: env.HOME,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      lastOut = Date.now()
    })
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `doctor ${args.join(' ')} was still running after ${hardMs} ms\nstdout: ${stdout.slice(0, 2000)}\nstderr: ${stderr.slice(0, 2000)}`,
        ),
      )
    }, hardMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      const now = Date.now()
      resolve({code, stdout, stderr, wallMs: now - started, lingerMs: now - lastOut})
    })
  })
}

/**
 * What each check concludes on records and start locks of dead pids: debris the CLI itself prunes
 * or takes over, worth a warning (executor-facts §2.2, §2.4). A recycled pid would be a failure.
 */
const STATUS_OF_DEAD_PIDS = new Map([
  ['stale-manifest', 'warn'],
  ['stale-lock', 'warn'],
])

/** An Executor data dir holding `count` daemon records and `count` start locks, each naming a dead pid (executor-facts §2). */
function crowdedExecutorHome(count: number): string {
  const home = crowdedTmp.make()
  const dataDir = join(home, '.executor')
  mkdirSync(join(dataDir, 'server-control'), {recursive: true})
  const pids = deadPids(count)
  const startedAt = new Date().toISOString()
  for (let i = 0; i < count; i++) {
    const pid = pids[i % pids.length]!
    const port = 1024 + (i % 60_000)
    writeFileSync(
      join(dataDir, `daemon-h${i}-${port}.json`),
      JSON.stringify({version: 1, hostname: `h${i}`, port, pid, startedAt, scopeDir: null}),
    )
    writeFileSync(
      join(dataDir, `daemon-active-h${i}-0123456789abcdef01234567.json.lock`),
      JSON.stringify({pid, hostname: `h${i}`, scopeId: 'cwd:/x', startedAt}),
    )
  }
  return home
}

describe('engine/deadline: --timeout is wall clock', function () {
  this.timeout(90_000)
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })
  after(() => crowdedTmp.cleanup())
  /** The 40,000 files are written once for the tests that read them (none writes to them: no --fix). */
  let crowded: string | undefined
  const crowdedHome = () => (crowded ??= crowdedExecutorHome(20_000))

  it('ends the process within the budget on a data dir of 20,000 daemon records and 20,000 start locks', async () => {
    const home = crowdedHome()
    const r = await timedCli(['--json', '--timeout', '1s'], {HOME: home, EXECUTOR_DATA_DIR: ''})
    const report = JSON.parse(r.stdout) as Report
    assertValidReport(report)
    assert.ok(r.wallMs < 1000 + MARGIN_MS, `the process took ${r.wallMs} ms with --timeout 1s (report says ${report.durationMs} ms)`)
    assert.ok(r.lingerMs < EXIT_GRACE_MS + 500, `the process lingered ${r.lingerMs} ms after its report`)
    // What could not be decided in time is said as such, never a pass; what was decided is judged.
    for (const [id, decided] of STATUS_OF_DEAD_PIDS) {
      const result = report.checks.find((c) => c.id === id)!
      if (result.status === 'error') assert.match(result.reason!, /time budget/)
      else assert.equal(result.status, decided, JSON.stringify(result).slice(0, 2000))
    }
    assert.equal(r.code, 1)
  })

  it('decides stale-manifest and stale-lock within the default timeout on 20,000 records and 20,000 locks, capping the findings', async () => {
    const home = crowdedHome()
    // The default budget and per-check timeout (5 s): before the batched reads both timed out.
    const r = await timedCli(['--json', '--target', 'executor', '--only', 'stale-manifest,stale-lock'], {HOME: home, EXECUTOR_DATA_DIR: ''})
    const report = JSON.parse(r.stdout) as Report
    assertValidReport(report)
    // When pid_max leaves no room above it (deadPids), a few free pids may have been recycled since
    // the files were written: those are judged as recycled, with a plan too.
    for (const [id, symptoms] of [
      ['stale-manifest', ['executor/stale-record', 'executor/record-pid-reused']],
      ['stale-lock', ['executor/stale-start-lock', 'executor/start-lock-blocked']],
    ] as const) {
      const result = report.checks.find((c) => c.id === id)!
      assert.equal(
        result.status,
        STATUS_OF_DEAD_PIDS.get(id),
        `${id}: ${result.status} ${result.reason ?? ''} after ${result.durationMs} ms`,
      )
      assert.equal(result.findings.length, FINDINGS_CAP, id)
      for (const f of result.findings) {
        assert.ok((symptoms as readonly string[]).includes(f.symptom), `${id}: ${f.symptom}`)
        assert.equal(f.plan?.[0]?.kind, 'quarantine', `${id}: ${JSON.stringify(f).slice(0, 500)}`)
      }
      const omitted = result.omittedFindings!
      assert.equal(omitted.cap, FINDINGS_CAP)
      assert.equal(omitted.count, 20_000 - FINDINGS_CAP, JSON.stringify(omitted))
      assert.ok((omitted.bySymptom[symptoms[0]] ?? 0) > 19_000, JSON.stringify(omitted))
    }
    // Warnings alone exit 0; a recycled pid's failure, 1.
    assert.equal(r.code, report.checks.some((c) => c.status === 'fail') ? 1 : 0)
  })

  it('ends the process within the budget when the daemon accepts its health probe and never answers', async () => {
    const home = tmp.make()
    await startFakeExecutor(home, ['--mode', 'hung'])
    const r = await timedCli(['--json', '--timeout', '500ms'], {HOME: home, EXECUTOR_DATA_DIR: ''})
    const report = JSON.parse(r.stdout) as Report
    assertValidReport(report)
    // The probe's own deadline is 2 s: today the process waits for it after the report is out.
    assert.ok(r.lingerMs < EXIT_GRACE_MS + 500, `the process lingered ${r.lingerMs} ms after its report`)
    assert.ok(r.wallMs < 500 + MARGIN_MS, `the process took ${r.wallMs} ms with --timeout 500ms`)
    const health = report.checks.find((c) => c.id === 'daemon-health')!
    assert.equal(health.status, 'error', JSON.stringify(health))
  })

  it('ends the process within its grace after the report even when other work ignores every signal', async () => {
    const home = tmp.make()
    mkdirSync(join(home, '.executor'))
    // A timer that never stops, loaded into the CLI's own process: work nothing can cancel.
    const r = await timedCli(
      ['--json', '--timeout', '1s'],
      {HOME: home, EXECUTOR_DATA_DIR: '', NODE_OPTIONS: '--import=data:text/javascript,setInterval(()=>{},1000)'},
      15_000,
    )
    assertValidReport(JSON.parse(r.stdout))
    assert.ok(r.lingerMs < EXIT_GRACE_MS + 500, `the process lingered ${r.lingerMs} ms after its report`)
    assert.ok(r.wallMs < 1000 + MARGIN_MS, `the process took ${r.wallMs} ms`)
  })
})

describe('engine/deadline: checks and probes honour their signal', () => {
  const target: DetectedTarget = {
    id: 'executor',
    detected: true,
    forced: false,
    generation: null,
    generationReason: 'test',
    dataDir: null,
    reasons: [],
  }
  const fake = (id: string, detect: CheckDefinition['detect'], timeoutMs?: number) =>
    defineCheck({
      id,
      title: id,
      description: id,
      targets: ['executor'],
      symptoms: [],
      fixable: false,
      detect,
      ...(timeoutMs ? {timeoutMs} : {}),
    })
  afterEach(() => tmp.cleanup())

  it('stops a check at its next probe call once its deadline passed, not only the waiting for it', async () => {
    const ctx = createContext({env: {}})
    let calls = 0
    let stoppedBy: unknown
    const busy = fake(
      'busy',
      async (c) => {
        try {
          for (;;) {
            await c.files.stat(`/nonexistent/${calls++}`)
          }
        } catch (error) {
          stoppedBy = error
          throw error
        }
      },
      200,
    )
    try {
      const [result] = await runChecks(ctx, [{check: busy, target}], {deadline: Date.now() + 10_000})
      assert.equal(result!.status, 'error')
      assert.match(result!.reason!, /timed out after 200 ms/)
      const atDeadline = calls
      await sleep(300)
      assert.ok(calls - atDeadline <= 1, `the check made ${calls - atDeadline} probe calls after its deadline`)
      assert.ok(stoppedBy instanceof Deadline, `stopped by ${String(stoppedBy)}`)
    } finally {
      await ctx.close()
    }
  })

  it('does not let a check that ignores its signal hold the run past the budget', async () => {
    const ctx = createContext({env: {}})
    const started = Date.now()
    try {
      const results = await runChecks(ctx, [{check: fake('deaf', () => new Promise(() => undefined)), target}], {deadline: started + 300})
      assert.equal(results[0]!.status, 'error')
      assert.match(results[0]!.reason!, /time budget \(--timeout\) ran out/)
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`)
    } finally {
      await ctx.close()
    }
  })

  it("loads a shared fact again for a check with time left when another check's deadline cut the first load short", async () => {
    const ctx = createContext({env: {}})
    let loads = 0
    const load = (c: Parameters<CheckDefinition['detect']>[0]) =>
      c.memo('slow-fact', async () => {
        loads++
        for (let i = 0; i < 10; i++) {
          await c.files.stat('/nonexistent')
          await sleep(40)
        }
        return 'the fact'
      })
    let seen: string | undefined
    const hasty = fake('hasty', async (c) => (await load(c), []), 100)
    const patient = fake('patient', async (c) => ((seen = await load(c)), []), 5000)
    try {
      const results = await runChecks(
        ctx,
        [
          {check: hasty, target},
          {check: patient, target},
        ],
        {deadline: Date.now() + 10_000},
      )
      assert.deepEqual(
        results.map((r) => r.status),
        ['error', 'pass'],
        JSON.stringify(results),
      )
      assert.equal(seen, 'the fact')
      assert.equal(loads, 2)
    } finally {
      await ctx.close()
    }
  })

  it('stops a tree walk at its signal', async () => {
    const root = tmp.make()
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(root, `d${d}`))
      for (let f = 0; f < 200; f++) writeFileSync(join(root, `d${d}`, `f${f}`), '')
    }
    const controller = new AbortController()
    let seen = 0
    const walking = walkTree(
      root,
      () => {
        if (++seen === 1000) controller.abort(new Deadline('test deadline', 'check'))
      },
      {signal: controller.signal, sliceMs: 0},
    )
    await assert.rejects(walking, (e: unknown) => e instanceof Deadline)
    assert.ok(seen < 1000 + 512, `the walk went on to ${seen} entries after its signal`)
  })
})
