import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import commandTable, {ROOT_COMMAND_ID} from '../../src/cli/commands.js'
import {runCli} from '../helpers/cli.js'
import {executorHome} from '../helpers/executor-state.js'
import {deadPid, REPO} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const envFor = (home: string, extra: NodeJS.ProcessEnv = {}) => ({HOME: home, EXECUTOR_DATA_DIR: '', ...extra})

/** Parses stdout as exactly one JSON document (fails on anything else on stdout). */
function parseReport(stdout: string): Report {
  const report = JSON.parse(stdout) as Report
  assertValidReport(report)
  return report
}

describe('doctor (command)', () => {
  afterEach(() => tmp.cleanup())

  it('says plainly that no known product is here, explains --target, and exits 0', async () => {
    const home = tmp.make()
    const r = await runCli([], {env: envFor(home), cwd: home})
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /No known product was found here/)
    assert.match(r.stdout, /doctor --target executor/)
  })

  it('prints exactly one schema-valid JSON document with --json, and nothing else on stdout', async () => {
    const home = tmp.make()
    const h = executorHome(home)
    const pid = await deadPid()
    h.manifest({pid})
    const r = await runCli(['--json'], {env: envFor(home), cwd: home})
    assert.equal(r.code, 1)
    const report = parseReport(r.stdout)
    assert.equal(report.schemaVersion, 1)
    assert.equal(report.targets.find((t) => t.id === 'executor')?.detected, true)
    const stale = report.checks.find((c) => c.id === 'stale-manifest')!
    assert.equal(stale.status, 'fail')
    assert.match(stale.findings[0]!.message, new RegExp(`pid ${pid}`))
    assert.equal(report.summary.fail >= 1, true)
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
  })

  it('validates the JSON of a machine with no product against the schema too', async () => {
    const home = tmp.make()
    const r = await runCli(['--json'], {env: envFor(home), cwd: home})
    assert.equal(r.code, 0)
    const report = parseReport(r.stdout)
    assert.deepEqual(report.checks, [])
    assert.deepEqual(report.summary, {pass: 0, warn: 0, fail: 0, skip: 0, error: 0})
  })

  it('prints the finding, evidence, fix commands and docs in the human report', async () => {
    const home = tmp.make()
    const pid = await deadPid()
    const path = executorHome(home).manifest({pid})
    const r = await runCli([], {env: envFor(home), cwd: home})
    assert.equal(r.code, 1)
    assert.match(r.stdout, /✖ stale-manifest/)
    assert.ok(r.stdout.includes(`names pid ${pid}, which is not running`))
    assert.ok(r.stdout.includes('$ executor daemon status'))
    assert.ok(r.stdout.includes(`$ rm ${path}`))
    assert.match(r.stdout, /docs: doctor checks stale-manifest \(docs\/checks\/stale-manifest\.md\); Executor docs › Troubleshooting › /)
    assert.match(r.stderr, /Check daemon manifests and records/, 'progress goes to stderr')
    // The plain list (stderr is a pipe here) says a skip once, not its title twice; why is the report's (--verbose).
    const skips = r.stderr.split('\n').filter((l) => l.includes('SKIPPED'))
    assert.ok(skips.length > 0, r.stderr)
    for (const line of skips) assert.match(line, /^↓ .+ \[SKIPPED: not applicable\]$/)
  })

  it('exits 0 on warnings, and 1 with --strict', async () => {
    const home = tmp.make()
    executorHome(home).manifest('{"truncated":')
    const plain = await runCli(['--json'], {env: envFor(home), cwd: home})
    assert.equal(plain.code, 0, plain.stdout)
    assert.equal(parseReport(plain.stdout).summary.warn, 1)
    const strict = await runCli(['--json', '--strict'], {env: envFor(home), cwd: home})
    assert.equal(strict.code, 1)
  })

  it('runs only the checks asked for, and skips the ones asked to skip', async () => {
    const home = tmp.make()
    executorHome(home)
    const only = parseReport((await runCli(['--json', '--only', 'stale-lock,stale-manifest'], {env: envFor(home), cwd: home})).stdout)
    assert.deepEqual(only.checks.map((c) => c.id).sort(), ['stale-lock', 'stale-manifest'])
    const skipped = parseReport((await runCli(['--json', '--skip', 'clock-skew'], {env: envFor(home), cwd: home})).stdout)
    assert.ok(!skipped.checks.some((c) => c.id === 'clock-skew'))
  })

  for (const [args, pattern] of [
    [['--only', 'no-such-check'], /unknown check id "no-such-check"/],
    [['--skip', 'daemon'], /unknown check id "daemon".*did you mean|did you mean/s],
    [['--timeout', 'soon'], /--timeout "soon" is not a duration/],
    // Targets are open (declared ones come from doctor.config.json): an id nothing declares is named, with the known ones.
    [['--target', 'nginx'], /unknown target "nginx"[\s\S]*known targets: executor, runwisp/],
    [['--no-such-flag'], /Nonexistent flag: --no-such-flag/],
  ] as const) {
    it(`exits 2 with a clear message for ${args.join(' ')}`, async () => {
      const home = tmp.make()
      const r = await runCli([...args], {env: envFor(home), cwd: home})
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, pattern)
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
    })
  }

  it('checks a product forced with --target even when it is absent', async () => {
    const home = tmp.make()
    const report = parseReport((await runCli(['--json', '--target', 'executor'], {env: envFor(home), cwd: home})).stdout)
    const t = report.targets.find((x) => x.id === 'executor')!
    assert.deepEqual([t.detected, t.forced], [false, true])
    assert.ok(report.checks.length >= 8)
  })

  it('reports an unreadable data dir as "could not decide" for a user who cannot read it', async () => {
    const root = tmp.make()
    chmodSync(root, 0o755)
    const dataDir = join(root, 'data')
    mkdirSync(join(dataDir, 'server-control'), {recursive: true})
    writeFileSync(join(dataDir, 'server-control', 'server.json'), '{}')
    chmodSync(dataDir, 0o700) // root's; the doctor runs as nobody below
    const home = join(root, 'home')
    mkdirSync(home, {mode: 0o777})
    chmodSync(home, 0o777)
    const r = await runCli(['--json', '--target', 'executor'], {env: {HOME: home, EXECUTOR_DATA_DIR: dataDir}, cwd: home, asNobody: true})
    assert.equal(r.code, 1, r.stderr)
    const report = parseReport(r.stdout)
    const stale = report.checks.find((c) => c.id === 'stale-manifest')!
    assert.equal(stale.status, 'error')
    assert.match(stale.reason!, /permission denied \(EACCES\)/)
  })

  it('lists every check with doctor checks --json', async () => {
    const r = await runCli(['checks', '--json'])
    assert.equal(r.code, 0)
    const {checks} = JSON.parse(r.stdout) as {
      checks: Array<{id: string; targets: string[]; symptoms: Array<{id: string}>; fixable: boolean}>
    }
    for (const id of [
      'daemon-health',
      'port-squatter',
      'stale-manifest',
      'stale-lock',
      'unreachable-daemon',
      'duplicate-daemon',
      'clock-skew',
      'daemon-log-errors',
    ]) {
      const c = checks.find((x) => x.id === id)
      assert.ok(c, `missing ${id}`)
      assert.ok(c.symptoms.length > 0 && c.targets.includes('executor'))
    }
  })

  it("prints a check's page with doctor checks <id> (what every finding of it points at), and exits 2 on an unknown id", async () => {
    const page = readFileSync(join(REPO, 'docs/checks/stale-lock.md'), 'utf8')
    const r = await runCli(['checks', 'stale-lock'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, page)
    const json = await runCli(['checks', 'stale-lock', '--json'])
    assert.deepEqual((({page, text}) => ({page, text}))(JSON.parse(json.stdout) as {page: string; text: string}), {
      page: 'docs/checks/stale-lock.md',
      text: page,
    })
    const unknown = await runCli(['checks', 'stale-locks'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown check id "stale-locks"; `doctor checks` lists them/)
    assert.doesNotMatch(unknown.stderr, /\n\s+at /)
  })

  it('shows help with the run flags and every other command with its one-line summary', async () => {
    const r = await runCli(['--help'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /--json/)
    const others = Object.entries(commandTable).filter(([id]) => id !== ROOT_COMMAND_ID)
    assert.ok(others.length >= 7, 'the command table lists the subcommands')
    const listed = r.stdout.slice(r.stdout.indexOf('\nCOMMANDS\n'))
    assert.ok(listed.startsWith('\nCOMMANDS\n'), r.stdout)
    for (const [id, command] of others) {
      const summary = command.summary ?? ''
      assert.ok(
        summary.length > 0 && summary.length <= 60 && !summary.includes('\n'),
        `${id} has a one-line summary that fits beside its name: "${summary}"`,
      )
      assert.match(
        listed,
        new RegExp(`^  ${id.replace(':', ' ')} +${summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
        `${id} is listed with its summary`,
      )
    }
  })

  it('answers `doctor help` and `doctor help <command>` as --help does', async () => {
    const [root, help] = await Promise.all([runCli(['--help']), runCli(['help'])])
    assert.equal(help.code, 0, help.stderr)
    assert.equal(help.stdout, root.stdout)
    const verify = await runCli(['help', 'bundle', 'verify'])
    assert.equal(verify.code, 0, verify.stderr)
    assert.match(verify.stdout, /\$ doctor bundle verify/)
  })

  for (const args of [
    ['help', 'nosuch'],
    ['nosuch', '--help'],
  ]) {
    it(`exits 2 naming the unknown command for doctor ${args.join(' ')}`, async () => {
      const r = await runCli(args)
      assert.equal(r.code, 2, r.stdout)
      assert.match(r.stderr, /There is no command "nosuch"\. `doctor --help` lists the commands\./)
      assert.doesNotMatch(r.stderr, /Symbol|\n\s+at /)
    })
  }
})
