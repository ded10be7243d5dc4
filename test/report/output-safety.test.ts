/**
 * Every output format goes through the output-safety step (issue 13 §2): a real squatter holds the
 * daemon port with a command line that carries this machine's bearer token after `--auth-token`, a
 * password after `--password`, and terminal escapes (OSC 0 title, OSC 52 clipboard write, CSI 2J,
 * BEL, a C1 CSI). Each format must show the squatter (it is the finding) without any of those.
 */
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {readArchive} from '../bundle/helpers.js'
import {jsonReport, runCli, type CliResult} from '../helpers/cli.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFixture, stop, type Started} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const BEARER = 'Tq8vX2mLp9Rz4Wn7Yb3Kc6Hd1Fs5Gj0A'
const PASSWORD = 'hunter2-correct-horse'
const ESCAPES = ['\u001b]0;owned\u0007', '\u001b]52;c;ZWNobyBwd25lZA==\u0007', '\u001b[2J', '\u009b31m']
/** What no output may contain: the secrets, and any raw control but line feed and tab. */
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/

const tmp = tmpDirs()

function assertSafe(text: string, what: string): void {
  assert.ok(!text.includes(BEARER), `${what} shows the bearer token:\n${text}`)
  assert.ok(!text.includes(PASSWORD), `${what} shows the --password value:\n${text}`)
  assert.ok(!text.includes(Buffer.from(BEARER).toString('base64').slice(0, 20)), `${what} shows the bearer in base64`)
  const control = RAW_CONTROL.exec(text)
  assert.equal(control, null, `${what} carries a raw control character ${JSON.stringify(control?.[0])}`)
}

/** The squatter is in the output (so the test is not passing on an empty report), made harmless. */
function assertShowsSquatter(text: string, what: string): void {
  assert.match(text, /--auth-token \[REDACTED:secret-\d+\]/, `${what}: the token is not replaced by its label`)
  assert.match(text, /--password \[REDACTED:secret-flag\]/, `${what}: the --password value is not masked`)
  assert.match(text, /\\\\?x1b\]52;c;/, `${what}: the OSC 52 sequence is not shown as a visible escape`)
}

describe('output safety: every format, a hostile squatter on the daemon port', function () {
  this.timeout(60_000)
  let home: string
  let squatter: Started
  let port: number
  const env = () => ({HOME: home, EXECUTOR_DATA_DIR: '', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', XDG_DATA_HOME: ''})
  const doctor = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCli([...args, '--target', 'executor', '--executor-port', String(port)], {env: {...env(), ...extra}, cwd: home})

  before(async () => {
    home = tmp.make()
    const h = executorHome(home)
    const auth = join(h.dataDir, 'server-control', 'auth.json')
    writeFileSync(auth, JSON.stringify({token: BEARER}) + '\n')
    chmodSync(auth, 0o600)
    squatter = await startFixture('squatter.ts', ['--auth-token', BEARER, '--password', PASSWORD, ...ESCAPES], {untracked: true})
    port = squatter.ready.port as number
  })
  after(async () => {
    await stop(squatter.child)
    tmp.cleanup()
  })

  it('human report', async () => {
    const r = await doctor([])
    assert.equal(r.code, 1, r.stderr)
    assertSafe(r.stdout + r.stderr, 'the human report')
    assertShowsSquatter(r.stdout, 'the human report')
  })

  it('--json: every string of the document', async () => {
    const r = await doctor(['--json'])
    assertSafe(r.stdout, 'the JSON report')
    const report = jsonReport<Report>(r)
    // Decoded, the strings hold no control either (jq -r would print them raw).
    assertSafe(
      JSON.stringify(report).replace(/\\u00[0-9a-f]{2}/gi, (e) => String.fromCharCode(parseInt(e.slice(2), 16))),
      'the decoded JSON strings',
    )
    const squat = report.checks.find((c) => c.id === 'port-squatter')!
    assertShowsSquatter(squat.findings.map((f) => f.message).join('\n'), 'the JSON report')
  })

  it('--format junit', async () => {
    const r = await doctor(['--format', 'junit'])
    assertSafe(r.stdout, 'the JUnit report')
    assertShowsSquatter(r.stdout, 'the JUnit report')
  })

  it('--format github, and the step summary (Markdown)', async () => {
    const summary = join(home, 'summary.md')
    const r = await doctor(['--format', 'github'], {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary})
    assertSafe(r.stdout, 'the GitHub annotations')
    assertShowsSquatter(r.stdout, 'the GitHub annotations')
    const md = readFileSync(summary, 'utf8')
    assertSafe(md, 'the step summary')
    assertShowsSquatter(md, 'the step summary')
  })

  it('--format prometheus', async () => {
    const r = await doctor(['--format', 'prometheus'])
    assertSafe(r.stdout, 'the Prometheus exposition')
    assert.match(r.stdout, /doctorkit_check_findings\{check="port-squatter",target="executor",symptom="executor\/port-squatter"\} 1/)
  })

  it('--dry-run: the fix plan', async () => {
    const r = await doctor(['--dry-run'])
    assertSafe(r.stdout + r.stderr, 'the dry-run plan')
    assert.match(r.stdout, /Fix plan \(dry run/)
    const plan = r.stdout.slice(r.stdout.indexOf('Fix plan'))
    assertShowsSquatter(plan, 'the dry-run plan')
  })

  it('--fix --dry-run --json: the plan in the document', async () => {
    const r = await doctor(['--dry-run', '--json'])
    assertSafe(r.stdout, 'the JSON plan')
    const report = jsonReport<Report>(r)
    assertShowsSquatter(JSON.stringify(report.fix), 'the JSON plan')
  })

  it('doctor preflight (JUnit)', async () => {
    const r = await runCli(['preflight', '--format', 'junit', '--executor-port', String(port)], {env: env(), cwd: home})
    assertSafe(r.stdout, 'the preflight report')
    assertShowsSquatter(r.stdout, 'the preflight report')
  })

  it("report merge: another host's report carrying the same text", async () => {
    // A report from a doctor without this step, as a fleet may hold: merge applies it on the way out.
    const dir = join(home, 'reports', 'web-1')
    mkdirSync(dir, {recursive: true})
    const raw = jsonReport<Report>(await doctor(['--json']))
    const hostile = `held by node squatter.ts --auth-token ${BEARER} --password ${PASSWORD} ${ESCAPES.join(' ')}`
    const squat = raw.checks.find((c) => c.id === 'port-squatter')!
    squat.findings[0]!.fix.summary = hostile
    // A second copy of the check that could not decide: its reason is listed under "could not be judged".
    raw.checks.push({...squat, target: 'runwisp', status: 'error', reason: hostile, findings: []})
    writeFileSync(join(dir, 'doctor.json'), JSON.stringify({...raw, host: 'web-1'}))
    for (const format of ['human', 'markdown', 'json']) {
      const r = await runCli(['report', 'merge', '--format', format, join(dir, 'doctor.json')], {env: env(), cwd: home})
      assert.ok(r.code === 1, `${format}: ${r.stderr}`)
      assertSafe(
        format === 'json' ? r.stdout.replace(/\\u00[0-9a-f]{2}/gi, (e) => String.fromCharCode(parseInt(e.slice(2), 16))) : r.stdout,
        `report merge --format ${format}`,
      )
      // Another machine's report: its token is not known here, so the flag rule masks it.
      assert.match(r.stdout, /--auth-token \[REDACTED:secret-flag\] --password \[REDACTED:secret-flag\]/, `${format}: ${r.stdout}`)
      assert.match(r.stdout, /\\\\?x1b\]52;c;/, `${format}: the OSC 52 sequence is not shown as a visible escape`)
    }
  })

  it('doctor bundle: report.md (and every other file) of the archive', async () => {
    const out = join(home, 'b.tar.gz')
    const r = await runCli(['bundle', '-o', out, '--executor-port', String(port)], {env: env(), cwd: home})
    assert.equal(r.code, 0, r.stderr)
    const files = await readArchive(out)
    const md = files.get('report.md')!.toString()
    assertSafe(md, 'report.md')
    assert.match(md, /--auth-token \[REDACTED:secret-\d+\]/)
    assert.match(md, /\\x1b\]52;c;/)
    for (const [name, data] of files)
      assert.ok(!data.toString().includes(BEARER) && !data.toString().includes(PASSWORD), `${name} holds a secret`)
  })
})
