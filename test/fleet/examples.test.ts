/**
 * The fleet recipes of docs/fleet.md, tested as the files the doc shows (examples/fleet/):
 * the systemd units pass systemd-analyze and their command runs as an unprivileged user; the
 * alerting rules pass promtool and fire on a failing check; the doc shows each file verbatim.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {formatPrometheus} from '../../src/report/prometheus.js'
import {executorHome} from '../helpers/executor-state.js'
import {deadPid, REPO} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {needTools, NODE_EXPORTER, PROMTOOL, skipOrFail, SYSTEMD_ANALYZE} from '../helpers/tools.js'
import {sampleReport} from '../preflight/sample-report.js'
import {find, promtoolCheckMetrics, samples} from './exposition.js'

const EXAMPLES = join(REPO, 'examples/fleet')
const SYSTEMD = join(EXAMPLES, 'systemd')
const RULES = join(EXAMPLES, 'prometheus')
const TEXTFILE_DIR = '/var/lib/prometheus/node-exporter'
const tmp = tmpDirs()

/** Where the units say the doctor is installed (`npm install -g doctorkit`). */
function unitDoctorPath(): string {
  const exec = /^ExecStart=(\S+)/m.exec(readFileSync(join(SYSTEMD, 'doctorkit@.service'), 'utf8'))
  assert.ok(exec, 'the service has an ExecStart')
  return exec[1]!
}

/**
 * Runs `script` in a private mount namespace where the units' install path of `doctor` is this
 * checkout's bin/run.js (bind-mounted over its directory), and `binds` are mounted too. Nothing
 * outside the namespace changes.
 */
function inMountNamespace(script: string, binds: Array<[from: string, onto: string]> = [], options: {input?: string} = {}) {
  const shim = tmp.make('doctorkit-shim-')
  chmodSync(shim, 0o755)
  const doctor = unitDoctorPath()
  symlinkSync(join(REPO, 'bin/run.js'), join(shim, doctor.split('/').pop()!))
  const mounts = [[shim, doctor.slice(0, doctor.lastIndexOf('/'))], ...binds].map(([a, b]) => `mount --bind '${a}' '${b}'`).join(' && ')
  return spawnSync('unshare', ['--mount', 'sh', '-c', `${mounts} && ${script}`], {encoding: 'utf8', timeout: 60_000, input: options.input})
}

function canUnshareMounts(): boolean {
  return spawnSync('unshare', ['--mount', 'true'], {stdio: 'ignore'}).status === 0
}

describe('fleet recipes (examples/fleet, docs/fleet.md)', () => {
  afterEach(() => tmp.cleanup())

  describe('systemd service and timer', () => {
    it('pass systemd-analyze verify, with no warning', function () {
      needTools(this, SYSTEMD_ANALYZE)
      if (!canUnshareMounts())
        skipOrFail(this, "needs a private mount namespace (unshare --mount, as root) to give the unit's ExecStart path a doctor")
      const r = inMountNamespace(`cd '${SYSTEMD}' && systemd-analyze verify doctorkit@runwisp.service doctorkit@runwisp.timer`)
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`)
      assert.equal(`${r.stdout}${r.stderr}`, '', 'systemd-analyze said nothing (warnings are findings too)')
    })

    it('would be caught by systemd-analyze if they were wrong (the check can fail)', function () {
      needTools(this, SYSTEMD_ANALYZE)
      if (!canUnshareMounts()) skipOrFail(this, 'needs a private mount namespace (unshare --mount, as root)')
      const dir = tmp.make()
      const unit = readFileSync(join(SYSTEMD, 'doctorkit@.service'), 'utf8')
      writeFileSync(join(dir, 'doctorkit@.service'), unit.replace('ExecStart=', 'ExecStrat='))
      copyFileSync(join(SYSTEMD, 'doctorkit@.timer'), join(dir, 'doctorkit@.timer'))
      const r = inMountNamespace(`cd '${dir}' && systemd-analyze verify doctorkit@runwisp.service doctorkit@runwisp.timer`)
      assert.match(`${r.stdout}${r.stderr}`, /ExecStrat|ExecStart/)
    })

    it('run the doctor as an unprivileged user and leave a report the collector can read', async function () {
      // The Debian package of node_exporter makes the textfile directory the unit writes to.
      needTools(this, PROMTOOL, NODE_EXPORTER)
      if (!canUnshareMounts() || !existsSync(TEXTFILE_DIR))
        skipOrFail(this, `needs ${TEXTFILE_DIR} (apt-get install -y prometheus-node-exporter) and unshare --mount as root`)
      this.timeout(60_000)
      const unit = readFileSync(join(SYSTEMD, 'doctorkit@.service'), 'utf8')
      const value = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!)
      assert.deepEqual(value('User'), ['%i'])
      assert.deepEqual(value('SuccessExitStatus'), ['1'])
      // The unit's command line, as systemd runs it for doctorkit@nobody with no DOCTOR_ARGS set.
      const argv = value('ExecStart')[0]!
        .split(/\s+/)
        .filter((w) => w !== '$DOCTOR_ARGS')
        .map((w) => w.replaceAll('%i', 'nobody'))
      assert.ok(
        argv.every((w) => !w.includes('$') && !w.includes('%')),
        `unexpanded word in ${argv.join(' ')}`,
      )
      const out = argv[argv.indexOf('--output') + 1]!
      assert.ok(out.startsWith(`${TEXTFILE_DIR}/`), out)

      const home = tmp.make()
      chmodSync(home, 0o755)
      executorHome(home).manifest({pid: await deadPid()})
      const textfiles = tmp.make()
      chmodSync(textfiles, 0o1777)
      const quoted = argv.map((w) => `'${w}'`).join(' ')
      const r = inMountNamespace(
        `cd '${home}' && HOME='${home}' EXECUTOR_DATA_DIR= exec setpriv --reuid=65534 --regid=65534 --clear-groups -- ${quoted}`,
        [[textfiles, TEXTFILE_DIR]],
      )
      assert.equal(r.status, 1, `exit 1 (a check failed), which the unit counts as success\n${r.stdout}${r.stderr}`)
      assert.deepEqual(readdirSync(textfiles), ['doctorkit.prom'], 'only the report, no temp file')
      const text = readFileSync(join(textfiles, 'doctorkit.prom'), 'utf8')
      const check = promtoolCheckMetrics(text)
      assert.equal(check.code, 0, check.output)
      assert.equal(find(samples(text), 'doctorkit_check_status', {check: 'stale-manifest', status: 'fail'})?.value, 1)
    })
  })

  describe('Prometheus alerting rules', () => {
    it('pass promtool check rules', function () {
      needTools(this, PROMTOOL)
      const r = spawnSync('promtool', ['check', 'rules', 'doctorkit.rules.yml'], {cwd: RULES, encoding: 'utf8'})
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`)
      assert.match(r.stdout, /SUCCESS: 5 rules found/)
    })

    it('fire on a failing check, a doctor that stopped reporting and a missing report, and not before (promtool test rules)', function () {
      needTools(this, PROMTOOL)
      const r = spawnSync('promtool', ['test', 'rules', 'doctorkit.rules.test.yml'], {cwd: RULES, encoding: 'utf8'})
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`)
      assert.match(r.stdout, /SUCCESS/)
    })

    it('the rule test fails when the failing-check alert does not fire (the test can fail)', function () {
      needTools(this, PROMTOOL)
      const dir = tmp.make()
      copyFileSync(join(RULES, 'doctorkit.rules.test.yml'), join(dir, 'doctorkit.rules.test.yml'))
      writeFileSync(
        join(dir, 'doctorkit.rules.yml'),
        readFileSync(join(RULES, 'doctorkit.rules.yml'), 'utf8').replace(
          'doctorkit_check_status{status="fail"}',
          'doctorkit_check_status{status="failed"}',
        ),
      )
      const r = spawnSync('promtool', ['test', 'rules', 'doctorkit.rules.test.yml'], {cwd: dir, encoding: 'utf8'})
      assert.notEqual(r.status, 0, r.stdout)
      assert.match(`${r.stdout}${r.stderr}`, /DoctorkitCheckFailing/)
    })

    it('name only metrics and statuses the doctor writes', () => {
      const rules = readFileSync(join(RULES, 'doctorkit.rules.yml'), 'utf8')
      const written = new Set(samples(formatPrometheus(sampleReport())).map((s) => s.name))
      const used = new Set([...rules.matchAll(/\bdoctorkit_[a-z_]+/g)].map((m) => m[0]))
      assert.ok(used.size >= 3)
      for (const name of used) assert.ok(written.has(name), `${name} is not a metric doctorkit writes`)
      for (const m of rules.matchAll(/status="([a-z]+)"/g)) assert.ok(['pass', 'warn', 'fail', 'skip', 'error'].includes(m[1]!), m[0])
      // The rule test feeds series by the same names.
      const test = readFileSync(join(RULES, 'doctorkit.rules.test.yml'), 'utf8')
      for (const m of test.matchAll(/\bdoctorkit_[a-z_]+/g))
        assert.ok(written.has(m[0]), `${m[0]} in the rule test is not a metric doctorkit writes`)
    })
  })

  it('docs/fleet.md shows every example file exactly as it is', () => {
    const doc = readFileSync(join(REPO, 'docs/fleet.md'), 'utf8')
    const files = readdirSync(EXAMPLES, {recursive: true, withFileTypes: true}).filter((e) => e.isFile())
    assert.ok(files.length >= 6)
    for (const f of files) {
      const rel = relative(REPO, join(f.parentPath ?? f.path, f.name))
      assert.ok(doc.includes(rel), `docs/fleet.md names ${rel}`)
      assert.ok(doc.includes(readFileSync(join(REPO, rel), 'utf8').trimEnd()), `docs/fleet.md shows ${rel} as it is`)
    }
  })
})
