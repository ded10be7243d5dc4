/**
 * `doctor preflight` end to end, as a CI job runs it: the built CLI, in a skeleton git checkout
 * made in a temp dir, with its own HOME and EXECUTOR_DATA_DIR, real broken states (a manifest
 * naming a dead pid, a start lock held by a foreign pid, a squatter on a watched port, a hung
 * daemon) and the JUnit / GitHub output parsed back.
 */
import assert from 'node:assert/strict'
import {assertValidReport} from '../helpers/schema.js'
import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {SocketProbe} from '../../src/probes/sockets.js'
import type {Report} from '../../src/types.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import {deadPid, executorShim, killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'
import {childElements, parseXml, textOf, type XmlElement} from './xml.js'

/**
 * A run that must come out clean keeps off Executor's default CLI port (other test runs on this
 * machine start daemons there): its daemon is a healthy fake on an ephemeral port, passed with
 * --executor-port. The service port 4789 is always checked, so the run waits (up to 15 s) for it.
 */
const DEFAULT_PORTS = [4789]

async function whenDefaultPortsFree(): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const held = (await Promise.all(DEFAULT_PORTS.map((p) => new SocketProbe().onPort(p)))).flat()
    if (held.length === 0) return
    if (Date.now() > deadline)
      throw new Error(
        `ports ${DEFAULT_PORTS.join(', ')} stayed busy for 15 s (${held.map((l) => `${l.address}:${l.port}`).join(', ')}); another process holds them`,
      )
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

interface Checkout {
  root: string
  home: string
  dataDir: string
  /** Where the CI job runs the doctor from: a subdirectory, so the config is found by walking up. */
  cwd: string
  env: NodeJS.ProcessEnv
}

function testcases(xml: string): Map<string, XmlElement> {
  const root = parseXml(xml)
  assert.equal(root.name, 'testsuites')
  const map = new Map<string, XmlElement>()
  for (const suite of childElements(root, 'testsuite'))
    for (const tc of childElements(suite, 'testcase')) map.set(`${tc.attrs.classname}/${tc.attrs.name}`, tc)
  return map
}

/** oclif wraps error messages at the terminal width with " ›   " prefixes: unwrap before matching. */
const unwrap = (stderr: string) => stderr.replace(/\s*\n\s*›\s*/g, ' ')

const outcomeOf = (tc: XmlElement | undefined) =>
  tc ? (childElements(tc).find((c) => c.name !== 'system-out')?.name ?? 'pass') : 'missing'

/** Testcases that did not pass, as `classname/name: outcome`. */
const notPassing = (xml: string) =>
  [...testcases(xml)].filter(([, tc]) => !['pass', 'skipped'].includes(outcomeOf(tc))).map(([k, tc]) => `${k}: ${outcomeOf(tc)}`)

describe('doctor preflight (CLI, end to end)', function () {
  this.timeout(60_000)
  const tmp = tmpDirs()
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  function checkout(config?: unknown): Checkout {
    const root = tmp.make('doctorkit-checkout-')
    const home = tmp.make('doctorkit-home-')
    const dataDir = join(home, 'executor-data')
    mkdirSync(dataDir)
    writeTree(root, {'README.md': '# skeleton\n', 'e2e/README.md': 'e2e suite\n'})
    const git = spawnSync('git', ['init', '-q', root], {encoding: 'utf8'})
    assert.equal(git.status, 0, git.stderr)
    if (config !== undefined)
      writeFileSync(join(root, 'doctor.config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2))
    return {
      root,
      home,
      dataDir,
      cwd: join(root, 'e2e'),
      env: {HOME: home, EXECUTOR_DATA_DIR: dataDir, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', GITHUB_WORKSPACE: ''},
    }
  }

  /** A fake Executor daemon (named `executor` by the kernel) registered in the checkout's data dir, healthy unless `mode` says otherwise; returns the flags that point the doctor at it. */
  async function fakeDaemon(c: Checkout, mode: 'healthy' | 'wrong' = 'healthy'): Promise<string[]> {
    // The manifest must not name node itself as Executor's binary (every node squatter would then
    // pass as Executor): it names an install path, and the daemon is told apart by its name.
    const executable = join(c.home, '.executor-install', 'bin', 'executor')
    const daemon = await startFixture(
      'executor-daemon.ts',
      ['daemon', 'run', '--data-dir', c.dataDir, '--executable', executable, '--mode', mode],
      {executable: executorShim(c.home)},
    )
    await whenDefaultPortsFree()
    return ['--executor-port', String(daemon.ready.port)]
  }

  const preflight = (c: Checkout, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCli(['preflight', ...args], {cwd: c.cwd, env: {...c.env, ...env}})
  const junit = async (c: Checkout, args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const result = await preflight(c, ['--format', 'junit', ...args], env)
    return {...result, cases: testcases(result.stdout)}
  }

  function writeStaleManifest(c: Checkout, pid: number): string {
    const path = join(c.dataDir, 'server-control', 'server.json')
    const manifest = {
      version: 1,
      kind: 'cli-daemon',
      pid,
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      dataDir: c.dataDir,
      scopeDir: null,
      connection: {origin: 'http://localhost:4788'},
      owner: {client: 'cli', version: '1.5.35', executablePath: null},
    }
    writeTree(c.dataDir, {'server-control/server.json': JSON.stringify(manifest)})
    return path
  }

  it('passes a clean checkout: exit 0, every preflight check a passing or skipped testcase', async () => {
    const c = checkout()
    const r = await junit(c, await fakeDaemon(c))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(notPassing(r.stdout), [])
    for (const id of ['port-squatter', 'daemon-health', 'stale-manifest', 'stale-lock'])
      assert.ok(r.cases.has(`executor/${id}`), `testcase ${id}`)
    // Only preflight's set runs: the daemon checks that matter for e2e and the dev-checkout checks
    // (which skip here: this directory is not an Executor monorepo). No clock-skew, no log scan.
    assert.ok(!r.cases.has('executor/clock-skew') && !r.cases.has('executor/daemon-log-errors'))
    for (const id of ['bootstrap-build', 'vite-cache', 'e2e-ports', 'leaked-dev-servers', 'playwright-browser'])
      assert.equal(outcomeOf(r.cases.get(`executor/${id}`)!), 'skipped', id)
    for (const id of ['port-squatter', 'daemon-health', 'stale-manifest', 'stale-lock'])
      assert.equal(outcomeOf(r.cases.get(`executor/${id}`)), 'pass', id)
  })

  it('fails on a manifest naming a dead pid, with the message, evidence and fix in the stale-manifest testcase', async () => {
    const c = checkout()
    const pid = await deadPid()
    const path = writeStaleManifest(c, pid)
    const r = await junit(c)
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const failure = childElements(r.cases.get('executor/stale-manifest')!, 'failure')[0]
    assert.ok(failure, r.stdout)
    assert.equal(failure.attrs.type, 'executor/stale-manifest')
    assert.match(failure.attrs.message!, new RegExp(`names pid ${pid}, which is not running`))
    assert.ok(textOf(failure).includes(`$ rm ${path}`), textOf(failure))
    assert.match(textOf(failure), new RegExp(`evidence: path=${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} pid=${pid}`))
  })

  it('fails on a start lock held by a pid that is not an Executor start (stale-lock)', async () => {
    const c = checkout()
    writeTree(c.dataDir, {
      'daemon-active-localhost-abc123.json.lock': JSON.stringify({pid: process.pid, startedAt: new Date().toISOString()}),
    })
    const r = await junit(c)
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(childElements(r.cases.get('executor/stale-lock')!, 'failure')[0]?.attrs.type, 'executor/start-lock-blocked', r.stdout)
  })

  it('fails when the registered daemon answers its health probe wrongly (daemon-health)', async () => {
    const c = checkout()
    const r = await junit(c, await fakeDaemon(c, 'wrong'))
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(childElements(r.cases.get('executor/daemon-health')!, 'failure')[0]?.attrs.type, 'executor/health-wrong-answer', r.stdout)
  })

  it('reports a squatter on a port the config watches, from a subdirectory of the checkout', async () => {
    const squatter = await startFixture('squatter.ts', ['--port', '0'])
    const port = squatter.ready.port as number
    const c = checkout({watchPorts: [port]})
    const r = await junit(c)
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const failure = childElements(r.cases.get('executor/port-squatter')!, 'failure')[0]
    assert.ok(failure, r.stdout)
    assert.match(
      failure.attrs.message!,
      new RegExp(
        `^Port ${port} is held by pid ${squatter.pid} \\(.*squatter\\.ts.*\\), which is not Executor\\. The port is watched in doctor\\.config\\.json\\.`,
      ),
    )
    assert.match(textOf(failure), new RegExp(`\\$ ss -ltnp 'sport = :${port}'`))
  })

  it('shows a suppressed failure as skipped with its reason and passes (JUnit and JSON)', async () => {
    const squatter = await startFixture('squatter.ts', ['--port', '0'])
    const port = squatter.ready.port as number
    const c = checkout({
      watchPorts: [port],
      suppress: [{check: 'port-squatter', reason: 'the runner keeps a metrics proxy there', expires: '2999-12-31'}],
    })
    const daemon = await fakeDaemon(c)
    const r = await junit(c, daemon)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const tc = r.cases.get('executor/port-squatter')!
    assert.equal(
      childElements(tc, 'skipped')[0]?.attrs.message,
      'suppressed until 2999-12-31: the runner keeps a metrics proxy there',
      r.stdout,
    )
    assert.match(
      textOf(childElements(tc, 'system-out')[0]!),
      new RegExp(`suppressed \\(it would be fail\\)[\\s\\S]*Port ${port} is held by pid ${squatter.pid}`),
    )

    const json = await preflight(c, ['--json', ...daemon])
    assert.equal(json.code, 0, json.stderr)
    const report = JSON.parse(json.stdout) as Report
    assertValidReport(report)
    const result = report.checks.find((x) => x.id === 'port-squatter')!
    assert.equal(result.status, 'skip')
    assert.deepEqual(result.suppressed, {reason: 'the runner keeps a metrics proxy there', expires: '2999-12-31', status: 'fail'})
    assert.equal(result.findings[0]?.suppressed?.reason, 'the runner keeps a metrics proxy there')
    assert.equal(report.config?.path, join(c.root, 'doctor.config.json'))
    assert.deepEqual(
      report.config?.suppressions.map((s) => s.state),
      ['active'],
    )
  })

  it('fails the run on an expired suppression even when every check passes', async () => {
    const c = checkout({suppress: [{check: 'stale-lock', reason: 'flaky lock on the old runner', expires: '2020-06-30'}]})
    const daemon = await fakeDaemon(c)
    const r = await junit(c, daemon)
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.deepEqual(notPassing(r.stdout), ['doctor.config.json/suppression of stale-lock: failure'])
    assert.match(
      childElements(r.cases.get('doctor.config.json/suppression of stale-lock')!, 'failure')[0]!.attrs.message!,
      /expired on 2020-06-30/,
    )
    const human = await preflight(c, ['--format', 'human', ...daemon])
    assert.equal(human.code, 1)
    assert.match(human.stdout, /✖ the suppression of stale-lock expired on 2020-06-30 \(flaky lock on the old runner\)/)
  })

  it('refuses a suppression without a reason: exit 2, naming the key', async () => {
    const c = checkout({suppress: [{check: 'port-squatter', expires: '2999-01-01'}]})
    const r = await preflight(c)
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(unwrap(r.stderr), /doctor\.config\.json: "suppress\[0\]\.reason" is required/)
    assert.equal(r.stdout, '')
  })

  it('annotates for GitHub by default under Actions and appends a step summary', async () => {
    const c = checkout()
    const pid = await deadPid()
    writeStaleManifest(c, pid)
    const summary = join(c.home, 'step-summary.md')
    writeFileSync(summary, '## Earlier step\n\n')
    const r = await preflight(c, [], {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: c.root})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const error = r.stdout.split('\n').find((l) => l.startsWith('::error title=stale-manifest [executor]%3A '))
    assert.ok(error, r.stdout)
    assert.match(error, new RegExp(`::.*names pid ${pid}, which is not running.*%0AFix: `))
    assert.doesNotMatch(r.stderr, /❯/, 'no live list in the Actions log: the report lists every result')
    const md = readFileSync(summary, 'utf8')
    assert.ok(md.startsWith('## Earlier step\n\n### ❌ doctor preflight: '), md)
    assert.match(md, new RegExp(`\\| ❌ fail \\| \`stale-manifest\` \\| executor \\| .*names pid ${pid}`))
  })

  it('writes the report to --output (creating directories) and keeps stdout empty', async () => {
    const c = checkout()
    writeStaleManifest(c, await deadPid())
    const out = join(c.root, 'reports', 'ci', 'preflight.xml')
    const r = await preflight(c, ['--format', 'junit', '--output', out])
    assert.equal(r.code, 1, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /junit report written to/)
    assert.equal(outcomeOf(testcases(readFileSync(out, 'utf8')).get('executor/stale-manifest')), 'failure')
    assert.deepEqual(
      spawnSync('ls', ['-A', join(c.root, 'reports', 'ci')], {encoding: 'utf8'})
        .stdout.trim()
        .split('\n'),
      ['preflight.xml'],
      'no temp file left beside it',
    )
  })

  it('applies per-check timeouts from the config and flags the slow check; the whole run keeps to --timeout', async () => {
    const c = checkout({timeouts: {'daemon-health': '400ms'}})
    await startFixture('executor-daemon.ts', ['daemon', 'run', '--data-dir', c.dataDir, '--mode', 'hung'])
    const r = await junit(c)
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const tc = r.cases.get('executor/daemon-health')!
    assert.match(childElements(tc, 'error')[0]?.attrs.message ?? '', /timed out after 400 ms/, r.stdout)
    assert.match(textOf(childElements(tc, 'system-out')[0]!), /slow: took \d+ ms, over half of its 400 ms timeout/)

    const budget = await preflight(checkout(), ['--format', 'json', '--timeout', '700ms'], {EXECUTOR_DATA_DIR: c.dataDir})
    assert.equal(budget.code, 1)
    const report = JSON.parse(budget.stdout) as Report
    assertValidReport(report)
    const health = report.checks.find((x) => x.id === 'daemon-health')!
    assert.equal(health.status, 'error')
    assert.ok(report.durationMs < 2000, `the run took ${report.durationMs} ms with a 700 ms budget`)
    for (const result of report.checks) assert.equal(typeof result.durationMs, 'number')
  })

  it('rejects wrong usage with exit 2', async () => {
    const c = checkout()
    const both = await preflight(c, ['--json', '--format', 'junit'])
    assert.equal(both.code, 2)
    assert.match(unwrap(both.stderr), /--json and --format junit/)
    const outside = await preflight(c, ['--only', 'clock-skew'])
    assert.equal(outside.code, 2)
    assert.match(unwrap(outside.stderr), /clock-skew: not a preflight check/)
    const missing = await preflight(c, ['--config', 'nope.json'])
    assert.equal(missing.code, 2)
    assert.match(unwrap(missing.stderr), /nope\.json: does not exist/)
    const bad = await preflight(checkout('{"watchPorts": [0]}'))
    assert.equal(bad.code, 2)
    assert.match(unwrap(bad.stderr), /"watchPorts\[0\]" must be a port number from 1 to 65535, not number 0/)
  })

  it('says a config it may not read is unreadable (exit 2), for a user who cannot read it', async () => {
    const c = checkout({skip: ['stale-lock']})
    const config = join(c.root, 'doctor.config.json')
    chmodSync(config, 0o600)
    chmodSync(c.root, 0o755) // the checkout is open to everyone; only the config is not
    const home = join(c.home, 'nobody')
    mkdirSync(home)
    chownSync(home, 65534, 65534)
    const r = await runCli(['preflight'], {cwd: c.cwd, env: {...c.env, HOME: home}, asNobody: true})
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(unwrap(r.stderr), /doctor\.config\.json: cannot be read \(permission denied\)/)
  })

  it('gives the root doctor command the same formats and config', async () => {
    const c = checkout({skip: ['clock-skew', 'daemon-log-errors']})
    writeStaleManifest(c, await deadPid())
    const r = await runCli(['--target', 'executor', '--format', 'junit'], {cwd: c.cwd, env: c.env})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const cases = testcases(r.stdout)
    assert.equal(outcomeOf(cases.get('executor/stale-manifest')), 'failure')
    assert.equal(childElements(cases.get('executor/clock-skew')!, 'skipped')[0]?.attrs.message, 'skipped in doctor.config.json')
    assert.ok(cases.has('executor/unreachable-daemon'), "the root command runs every check, not only preflight's")
    assert.ok(!existsSync(join(c.cwd, 'doctor.config.json')))
  })
})
