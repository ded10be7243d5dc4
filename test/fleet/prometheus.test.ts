import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {get} from 'node:http'
import {join} from 'node:path'
import {escapeLabelValue, formatPrometheus} from '../../src/report/prometheus.js'
import {STATUSES} from '../../src/types.js'
import {runCli} from '../helpers/cli.js'
import {executorHome} from '../helpers/executor-state.js'
import {freePort} from '../helpers/ports.js'
import {deadPid, stop} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {needTools, NODE_EXPORTER, PROMTOOL} from '../helpers/tools.js'
import {NASTY, sampleReport} from '../preflight/sample-report.js'
import {find, promtoolCheckMetrics, samples, seriesKey} from './exposition.js'

const tmp = tmpDirs()
const envFor = (home: string) => ({HOME: home, EXECUTOR_DATA_DIR: ''})

/** What only bounded, code-defined values may be: the labels of each family. */
const LABELS: Record<string, string[]> = {
  doctorkit_info: ['generation', 'target', 'version'],
  doctorkit_run_timestamp_seconds: [],
  doctorkit_run_duration_seconds: [],
  doctorkit_run_completed: [],
  doctorkit_check_status: ['check', 'status', 'target'],
  doctorkit_check_duration_seconds: ['check', 'target'],
  doctorkit_check_findings: ['check', 'symptom', 'target'],
}

/** A home whose Executor manifest names a dead pid: stale-manifest fails. */
async function brokenHome(): Promise<{home: string; pid: number; manifest: string}> {
  const home = tmp.make()
  const pid = await deadPid()
  const manifest = executorHome(home).manifest({pid})
  return {home, pid, manifest}
}

describe('doctor --format prometheus', () => {
  afterEach(() => tmp.cleanup())

  it('renders a report that promtool parses and lints clean: names, units, HELP and TYPE per family', function () {
    needTools(this, PROMTOOL)
    const text = formatPrometheus(sampleReport(), {budgetMs: 30_000})
    const check = promtoolCheckMetrics(text)
    assert.equal(check.code, 0, check.output)
    assert.equal(check.output, '', 'no lint findings')
    // Every family declared once, as a gauge (nothing here is a counter, so no _total).
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]])
    assert.deepEqual(types.map(([n]) => n).sort(), Object.keys(LABELS).sort())
    assert.ok(types.every(([, t]) => t === 'gauge'))
  })

  it('labels only check, target, status and symptom (and version, generation on the info metric): no path, pid, command or message', () => {
    const report = sampleReport()
    const text = formatPrometheus(report)
    const list = samples(text)
    for (const s of list) assert.deepEqual(Object.keys(s.labels).sort(), LABELS[s.name], `${s.name} labels`)
    // The sample report's findings carry a pid, a port, a path, a command line and hostile text.
    for (const leak of ['/data', '4242', '4788', 'squat.js', 'EACCES', '<b>', '\u001b'])
      assert.ok(!text.includes(leak), `${JSON.stringify(leak)} leaked`)
    const keys = list.map(seriesKey)
    assert.equal(new Set(keys).size, keys.length, 'no duplicate series (node_exporter rejects the whole file)')
    assert.ok(
      list.every((s) => s.rest === ''),
      'no sample timestamps (the textfile collector refuses them)',
    )
  })

  it('gives each (check, target) one status series per status, its duration in seconds and its findings by symptom', () => {
    const report = sampleReport()
    const list = samples(formatPrometheus(report))
    for (const r of report.checks) {
      for (const status of STATUSES) {
        const s = find(list, 'doctorkit_check_status', {check: r.id, target: r.target, status})
        assert.equal(s?.value, status === r.status ? 1 : 0, `${r.id} ${status}`)
      }
      assert.equal(find(list, 'doctorkit_check_duration_seconds', {check: r.id, target: r.target})?.value, r.durationMs / 1000)
    }
    assert.equal(find(list, 'doctorkit_check_findings', {check: 'port-squatter', symptom: 'executor/port-squatter'})?.value, 1)
    assert.equal(find(list, 'doctorkit_check_findings', {check: 'stale-manifest', symptom: 'executor/stale-record'})?.value, 1)
    // Symptoms a check can report but did not find are 0, so `> 0` alerts have a series to compare.
    assert.equal(find(list, 'doctorkit_check_findings', {check: 'stale-manifest', symptom: 'executor/stale-manifest'})?.value, 0)
    assert.equal(find(list, 'doctorkit_check_findings', {check: 'daemon-health', target: 'executor'})?.value, 0)
  })

  it('does not count suppressed findings', () => {
    const report = sampleReport()
    const squat = report.checks.find((c) => c.id === 'port-squatter')!
    squat.findings[0]!.suppressed = {reason: 'known', expires: '2099-01-01'}
    const list = samples(formatPrometheus(report))
    assert.equal(find(list, 'doctorkit_check_findings', {check: 'port-squatter', symptom: 'executor/port-squatter'})?.value, 0)
  })

  it('has one info series per checked target with the tool version and generation, and one with empty labels when none was', () => {
    const report = sampleReport({
      targets: [
        {id: 'executor', detected: true, forced: false, generation: 'legacy', generationReason: 't', dataDir: '/x', reasons: []},
        {id: 'runwisp', detected: false, forced: true, generation: null, generationReason: 't', dataDir: null, reasons: []},
      ],
    })
    const info = samples(formatPrometheus(report)).filter((s) => s.name === 'doctorkit_info')
    assert.deepEqual(
      info.map((s) => s.labels),
      [
        {version: '0.0.0-test', target: 'executor', generation: 'legacy'},
        {version: '0.0.0-test', target: 'runwisp', generation: 'unknown'},
      ],
    )
    const none = samples(
      formatPrometheus(
        sampleReport({
          targets: [{id: 'executor', detected: false, forced: false, generation: null, generationReason: 't', dataDir: null, reasons: []}],
          checks: [],
        }),
      ),
    )
    assert.deepEqual(
      none.filter((s) => s.name === 'doctorkit_info').map((s) => s.labels),
      [{version: '0.0.0-test', target: '', generation: ''}],
    )
  })

  it('never turns an unexpected generation into a label value', () => {
    const report = sampleReport({
      targets: [
        {
          id: 'executor',
          detected: true,
          forced: false,
          generation: `/home/alice ${NASTY}`,
          generationReason: 't',
          dataDir: null,
          reasons: [],
        },
      ],
    })
    assert.equal(find(samples(formatPrometheus(report)), 'doctorkit_info')?.labels.generation, 'unknown')
  })

  it('says when the run ended and whether it completed within its budget', () => {
    const report = sampleReport({startedAt: '2030-01-02T03:04:05.678Z', durationMs: 4100})
    const ok = samples(formatPrometheus(report, {budgetMs: 30_000}))
    assert.equal(find(ok, 'doctorkit_run_timestamp_seconds')?.value, Date.parse('2030-01-02T03:04:09.778Z') / 1000)
    assert.equal(find(ok, 'doctorkit_run_duration_seconds')?.value, 4.1)
    assert.equal(find(ok, 'doctorkit_run_completed')?.value, 1)
    assert.equal(find(samples(formatPrometheus(report, {budgetMs: 4100})), 'doctorkit_run_completed')?.value, 0)
  })

  it('escapes label values as the exposition format says, so promtool reads what raw text would break', function () {
    needTools(this, PROMTOOL)
    const help = '# HELP t_info test\n# TYPE t_info gauge\n'
    const raw = promtoolCheckMetrics(`${help}t_info{v="${NASTY}"} 1\n`)
    assert.notEqual(raw.code, 0, 'the unescaped text is rejected (the test can fail)')
    const escaped = `${help}t_info{v="${escapeLabelValue(NASTY)}"} 1\n`
    const check = promtoolCheckMetrics(escaped)
    assert.equal(check.code, 0, check.output)
    assert.equal(samples(escaped)[0]!.labels.v, NASTY.replace('\uD800', '\uFFFD'))
  })

  it('prints a failing check of a real run on stdout, parsed by promtool', async function () {
    needTools(this, PROMTOOL)
    const {home, pid, manifest} = await brokenHome()
    const r = await runCli(['--format', 'prometheus'], {env: envFor(home), cwd: home})
    assert.equal(r.code, 1, r.stderr)
    const check = promtoolCheckMetrics(r.stdout)
    assert.equal(check.code, 0, check.output)
    const list = samples(r.stdout)
    assert.equal(find(list, 'doctorkit_check_status', {check: 'stale-manifest', target: 'executor', status: 'fail'})?.value, 1)
    assert.equal(find(list, 'doctorkit_check_findings', {check: 'stale-manifest', symptom: 'executor/stale-manifest'})?.value, 1)
    assert.equal(find(list, 'doctorkit_info', {target: 'executor'})?.labels.generation, 'legacy')
    assert.equal(find(list, 'doctorkit_run_completed')?.value, 1)
    assert.ok(!r.stdout.includes(String(pid)) && !r.stdout.includes(manifest) && !r.stdout.includes(home), 'no pid or path in the output')
    assert.doesNotMatch(r.stderr, /Check daemon manifests/, 'no live task list for a machine format')
  })

  it('works for doctor preflight too', async function () {
    needTools(this, PROMTOOL)
    const {home} = await brokenHome()
    const r = await runCli(['preflight', '--format', 'prometheus'], {env: envFor(home), cwd: home})
    assert.equal(r.code, 1, r.stderr)
    assert.equal(promtoolCheckMetrics(r.stdout).code, 0)
    assert.equal(find(samples(r.stdout), 'doctorkit_check_status', {check: 'stale-manifest', status: 'fail'})?.value, 1)
  })

  it('reports a run whose --timeout ran out as not completed', async () => {
    const {home} = await brokenHome()
    const r = await runCli(['--format', 'prometheus', '--timeout', '1ms'], {env: envFor(home), cwd: home})
    assert.equal(find(samples(r.stdout), 'doctorkit_run_completed')?.value, 0, r.stdout)
  })

  it('refuses --format prometheus with --fix (a repair run has no metrics form)', async () => {
    const home = tmp.make()
    const r = await runCli(['--fix', '--format', 'prometheus'], {env: envFor(home), cwd: home})
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--format prometheus does not apply to --fix/)
  })

  it('--output replaces the file by rename (a reader never sees it half written), leaving no temp file', async () => {
    const {home} = await brokenHome()
    const dir = join(home, 'textfile')
    mkdirSync(dir)
    const out = join(dir, 'doctorkit.prom')
    writeFileSync(out, 'previous\n')
    // A second name for the old file: an in-place write would change it too, a rename does not.
    linkSync(out, join(home, 'old.prom'))
    const before = statSync(out).ino
    const r = await runCli(['--format', 'prometheus', '--output', out], {env: envFor(home), cwd: home})
    assert.equal(r.code, 1, r.stderr)
    assert.equal(r.stdout, '')
    assert.equal(readFileSync(join(home, 'old.prom'), 'utf8'), 'previous\n')
    assert.notEqual(statSync(out).ino, before)
    assert.match(readFileSync(out, 'utf8'), /^doctorkit_check_status\{check="stale-manifest",target="executor",status="fail"\} 1$/m)
    assert.deepEqual(readdirSync(dir), ['doctorkit.prom'])
  })

  describe("read by node_exporter's textfile collector", () => {
    let exporter: ChildProcess | undefined
    afterEach(async () => {
      if (exporter) await stop(exporter)
      exporter = undefined
    })

    it('exposes every series of the file, with no scrape error', async function () {
      needTools(this, NODE_EXPORTER)
      this.timeout(30_000)
      const {home} = await brokenHome()
      const dir = join(home, 'textfile')
      const r = await runCli(['--format', 'prometheus', '--output', join(dir, 'doctorkit.prom')], {env: envFor(home), cwd: home})
      assert.equal(r.code, 1, r.stderr)
      const port = await freePort()
      exporter = spawn(
        NODE_EXPORTER.command,
        [
          '--collector.disable-defaults',
          '--collector.textfile',
          `--collector.textfile.directory=${dir}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        {stdio: 'ignore'},
      )
      const scraped = await scrape(port)
      assert.equal(
        find(
          samples(
            scraped
              .split('\n')
              .filter((l) => /^(node_textfile_scrape_error|doctorkit_)/.test(l))
              .join('\n'),
          ),
          'node_textfile_scrape_error',
        )?.value,
        0,
        scraped,
      )
      const exposed = samples(
        scraped
          .split('\n')
          .filter((l) => l.startsWith('doctorkit_'))
          .join('\n'),
      )
      const written = samples(readFileSync(join(dir, 'doctorkit.prom'), 'utf8'))
      assert.deepEqual(exposed.map(seriesKey).sort(), written.map(seriesKey).sort())
      assert.equal(find(exposed, 'doctorkit_check_status', {check: 'stale-manifest', status: 'fail'})?.value, 1)
    })
  })
})

/** GET /metrics, retrying while the exporter starts (bounded). */
async function scrape(port: number): Promise<string> {
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const req = get({host: '127.0.0.1', port, path: '/metrics', timeout: 2000}, (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => (body += c))
          res.on('end', () => resolve(body))
        })
        req.on('error', reject)
        req.on('timeout', () => req.destroy(new Error('timeout')))
      })
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
