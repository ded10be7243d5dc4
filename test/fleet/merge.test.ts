import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FleetView} from '../../src/fleet/merge.js'
import {MAX_REPORT_BYTES} from '../../src/fleet/read.js'
import type {Report} from '../../src/types.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {executorHome} from '../helpers/executor-state.js'
import {deadPid} from '../helpers/processes.js'
import {assertValidFleet, assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'
import {NASTY, sampleReport} from '../preflight/sample-report.js'

const tmp = tmpDirs()
const envFor = (home: string) => ({HOME: home, EXECUTOR_DATA_DIR: ''})

/** Writes `report` (or raw text) at `<dir>/<rel>`, creating directories; returns the path. */
function put(dir: string, rel: string, report: Report | string): string {
  const path = join(dir, rel)
  mkdirSync(join(path, '..'), {recursive: true})
  writeFileSync(path, typeof report === 'string' ? report : JSON.stringify(report, null, 2))
  return path
}

const merge = (args: string[], cwd?: string) => runCli(['report', 'merge', ...args], {cwd})

/** A report of one host with these results. */
function hostReport(host: string | undefined, checks: Report['checks'], extra: Partial<Report> = {}): Report {
  const base = sampleReport({checks, ...extra})
  return host === undefined ? base : {...base, host}
}
const pass = (id: string, target: 'executor' | 'runwisp' = 'executor'): Report['checks'][number] => ({
  id,
  target,
  title: id,
  status: 'pass',
  durationMs: 1,
  findings: [],
})

describe("the report's host field", () => {
  afterEach(() => tmp.cleanup())

  it("is the machine's host name, and valid against the schema", async () => {
    const home = tmp.make()
    const r = await runCli(['--json'], {env: envFor(home), cwd: home, hostname: 'fleet-web-7'})
    const report = jsonReport(r)
    assertValidReport(report)
    assert.equal(report.host, 'fleet-web-7')
  })

  it('is what --hostname says, for doctor and doctor preflight', async () => {
    const home = tmp.make()
    assert.equal(
      jsonReport(await runCli(['--json', '--hostname', 'web-1.example.com'], {env: envFor(home), cwd: home})).host,
      'web-1.example.com',
    )
    const pre = await runCli(['preflight', '--json', '--hostname', 'ci-runner-3'], {env: envFor(home), cwd: home})
    assert.equal(jsonReport(pre).host, 'ci-runner-3')
  })

  for (const bad of ['', 'two words', 'tab\there', 'esc\u001b[31m', 'x'.repeat(254)]) {
    it(`refuses --hostname ${JSON.stringify(bad.slice(0, 20))} with exit 2`, async () => {
      const home = tmp.make()
      const r = await runCli(['--json', `--hostname=${bad}`], {env: envFor(home), cwd: home})
      assert.equal(r.code, 2, r.stdout)
      assert.match(r.stderr, /--hostname .* is not a host name/)
      assert.doesNotMatch(r.stderr, /\u001b/, 'the control character is not echoed')
    })
  }

  it('is optional in the schema (older reports), but a string when present', () => {
    const report = sampleReport()
    assertValidReport(report)
    assert.throws(() => assertValidReport({...report, host: 42}), /host/)
  })
})

describe('doctor report merge', () => {
  afterEach(() => tmp.cleanup())

  it('names the broken host and its failing check, from real reports, in all three formats', async () => {
    const dir = tmp.make()
    const healthy = tmp.make()
    executorHome(healthy)
    const broken = tmp.make()
    executorHome(broken).manifest({pid: await deadPid()})
    for (const [name, home] of [
      ['alpha', healthy],
      ['bravo', broken],
    ] as const) {
      const r = await runCli(['--json', '--hostname', name, '--output', join(dir, `${name}.json`)], {env: envFor(home), cwd: home})
      assert.ok(r.code === 0 || r.code === 1, r.stderr)
    }
    const files = ['alpha.json', 'bravo.json']
    const human = await merge(files, dir)
    assert.equal(human.code, 1, human.stderr)
    assert.match(human.stdout, /^Fleet: 2 hosts: 1 failing, 0 warning, 0 could not be judged, 1 healthy$/m)
    assert.match(human.stdout, /^ {2}host +executor:stale-manifest$/m)
    assert.match(human.stdout, /^ {2}bravo +fail$/m)
    assert.match(human.stdout, /executor\/stale-manifest \(fail\) on 1 host: bravo/)
    assert.match(human.stdout, /^Healthy: alpha$/m)

    const md = await merge(['--format', 'markdown', ...files], dir)
    assert.match(md.stdout, /^\| Host \| `executor:stale-manifest` \|$/m)
    assert.match(md.stdout, /^\| bravo \| ❌ fail \|$/m)

    const json = await merge(['--json', ...files], dir)
    const view = JSON.parse(json.stdout) as FleetView
    assertValidFleet(view)
    assert.deepEqual(
      view.checks.find((c) => c.check === 'stale-manifest'),
      {check: 'stale-manifest', target: 'executor', fail: ['bravo'], warn: [], error: []},
    )
    assert.deepEqual(
      view.hosts.map((h) => [h.host, h.hostFrom, h.status]),
      [
        ['alpha', 'report', 'pass'],
        ['bravo', 'report', 'fail'],
      ],
    )
    assert.equal(view.symptoms[0]!.symptom, 'executor/stale-manifest')
  })

  it('takes the host from the directory when the report has no host field (Ansible fetch layout)', async () => {
    const dir = tmp.make()
    put(dir, 'web1/doctor.json', hostReport(undefined, [pass('daemon-health')]))
    put(dir, 'web2/doctor.json', hostReport('web2.example.com', [pass('daemon-health')]))
    const r = await merge(['--json', 'web1/doctor.json', 'web2/doctor.json'], dir)
    assert.equal(r.code, 0, r.stderr)
    const view = JSON.parse(r.stdout) as FleetView
    assert.deepEqual(
      view.hosts.map((h) => [h.host, h.hostFrom]),
      [
        ['web1', 'directory'],
        ['web2.example.com', 'report'],
      ],
    )
    assert.match((await merge(['web1/doctor.json'], dir)).stdout, /Named after their directory .*: web1/)
  })

  it('shows hosts × failing/warning checks, the most common symptoms first, and who could not be judged', async () => {
    const dir = tmp.make()
    const sample = sampleReport()
    const squat = sample.checks.find((c) => c.id === 'port-squatter')!
    const stale = sample.checks.find((c) => c.id === 'stale-manifest')!
    const undecided = sample.checks.find((c) => c.id === 'stale-lock')!
    put(dir, 'a.json', hostReport('web10', [squat, pass('stale-manifest')]))
    put(dir, 'b.json', hostReport('web2', [squat, stale]))
    put(dir, 'c.json', hostReport('web3', [pass('port-squatter'), undecided]))
    put(
      dir,
      'd.json',
      hostReport('web4', [], {
        targets: [{id: 'executor', detected: false, forced: false, generation: null, generationReason: 'x', dataDir: null, reasons: []}],
      }),
    )
    put(dir, 'e.json', hostReport('web5', [pass('port-squatter'), pass('stale-manifest')]))
    const r = await merge(['--json', 'a.json', 'b.json', 'c.json', 'd.json', 'e.json'], dir)
    assert.equal(r.code, 1)
    const view = JSON.parse(r.stdout) as FleetView
    assertValidFleet(view)
    assert.deepEqual(view.summary, {hosts: 5, failing: 2, warning: 0, unjudged: 2, healthy: 1})
    assert.deepEqual(
      view.hosts.map((h) => h.host),
      ['web2', 'web3', 'web4', 'web5', 'web10'],
      'natural order',
    )
    assert.deepEqual(
      view.checks.map((c) => [`${c.target}:${c.check}`, c.fail, c.warn, c.error]),
      [
        ['executor:port-squatter', ['web2', 'web10'], [], []],
        ['executor:stale-lock', [], [], ['web3']],
        ['executor:stale-manifest', [], ['web2'], []],
      ],
    )
    assert.deepEqual(
      view.symptoms.map((s) => [s.symptom, s.hosts]),
      [
        ['executor/port-squatter', ['web10', 'web2']],
        ['executor/stale-record', ['web2']],
      ],
    )
    assert.ok(view.symptoms[0]!.fix && view.symptoms[0]!.fix.length > 10, 'the documented fix comes along')
    assert.deepEqual(
      view.unjudged.map((u) => [u.host, u.reason]),
      [
        ['web3', '1 check could not decide'],
        ['web4', 'no known product was detected, so nothing was checked'],
      ],
    )
    assert.match(view.unjudged[0]!.checks[0]!.reason, /EACCES/)

    const human = (await merge(['a.json', 'b.json', 'c.json', 'd.json', 'e.json'], dir)).stdout
    assert.match(human, /^ {2}host +executor:port-squatter +executor:stale-lock +executor:stale-manifest$/m)
    assert.match(human, /^ {2}web2 +fail +· +warn$/m)
    assert.match(human, /^ {2}web3 +· +error +·$/m)
    assert.match(human, /^Could not be judged\n {2}web3: 1 check could not decide\n {4}executor:stale-lock: cannot read/m)
    assert.match(human, /^ {2}web4: no known product was detected/m)
    assert.match(human, /^Healthy: web5$/m)
  })

  it('exits 0 when hosts only warn, and 1 with --strict', async () => {
    const dir = tmp.make()
    put(dir, 'a.json', hostReport('a', [sampleReport().checks.find((c) => c.status === 'warn')!]))
    assert.equal((await merge(['a.json'], dir)).code, 0)
    assert.equal((await merge(['--strict', 'a.json'], dir)).code, 1)
  })

  it('merges reports of different doctorkit versions of schema 1, and says which versions it saw', async () => {
    const dir = tmp.make()
    put(dir, 'a.json', hostReport('a', [pass('daemon-health')], {tool: {name: 'doctorkit', version: '0.1.0'}}))
    // A newer doctorkit: fields and a target this build does not know are additions, not errors.
    const newer = {
      ...hostReport('b', [{...pass('daemon-health'), id: 'future-check', target: 'executor'}], {
        tool: {name: 'doctorkit', version: '0.9.0'},
      }),
      futureField: {x: 1},
    }
    newer.targets.push({
      id: 'nginx' as 'executor',
      detected: true,
      forced: false,
      generation: 'v2',
      generationReason: '',
      dataDir: null,
      reasons: [],
    })
    put(dir, 'b.json', JSON.stringify(newer))
    const r = await merge(['a.json', 'b.json'], dir)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /by doctorkit 0\.1\.0 \(1 host\), 0\.9\.0 \(1 host\)/)
  })

  const invalid: Array<[string, string | ((dir: string) => string), RegExp]> = [
    ['garbage', 'garbage{', /g\.json: is not JSON: unexpected text at line 1, column 1$/m],
    [
      'a truncated report',
      '{"schemaVersion": 1, "tool": {"name": "doctorkit"',
      /is not JSON: expected "," or "}", found the end of the text at line 1, column 50/,
    ],
    ['an empty file', '', /is empty, not a doctorkit report/],
    ['a JSON array', '[1, 2]', /is JSON but not a doctorkit report: it holds an array/],
    ["another program's JSON", '{"name": "x", "version": "1"}', /is JSON but not a doctorkit report/],
    ['another tool', '{"schemaVersion": 1, "tool": {"name": "eslint", "version": "9"}}', /tool\.name is "eslint", not "doctorkit"/],
    [
      'schema version 2',
      '{"schemaVersion": 2, "tool": {"name": "doctorkit", "version": "2.0.0"}}',
      /has report schema version 2 \(written by doctorkit 2\.0\.0\); this doctorkit \(.+\) reads schema version 1: merge with doctorkit 2\.0\.0 or newer/,
    ],
    [
      'schema version 0',
      '{"schemaVersion": 0, "tool": {"name": "doctorkit", "version": "0.0.1"}}',
      /has report schema version 0 .*run the doctor on that host again with this doctorkit/,
    ],
    [
      'a string schemaVersion',
      '{"schemaVersion": "1", "tool": {"name": "doctorkit", "version": "1"}}',
      /"schemaVersion" is "1", not a number/,
    ],
    [
      'missing fields',
      JSON.stringify({
        schemaVersion: 1,
        tool: {name: 'doctorkit'},
        targets: [{}],
        checks: [{id: 'daemon-health', target: 'executor', findings: []}, 'x'],
      }),
      /tool\.version is missing, not a string; "startedAt" is missing, not an ISO date-time; targets\[0\]\.id is missing, not a target id; checks\[0\]\.status is missing, not one of pass, warn, fail, skip, error; checks\[1\] is "x", not an object/,
    ],
    [
      'a bad finding',
      JSON.stringify({
        ...sampleReport(),
        checks: [{...sampleReport().checks[1], findings: [{symptom: 'executor/port-squatter', severity: 'fatal', message: 'm'}]}],
      }),
      /checks\[0\]\.findings\[0\]\.severity is "fatal", not warn or fail/,
    ],
    ['a bad host field', JSON.stringify({...sampleReport(), host: 'a b'}), /"host" is "a b", not a host name/],
    [
      'many problems',
      JSON.stringify({...sampleReport(), checks: Array.from({length: 9}, () => ({}))}),
      /checks\[0\]\.id is missing.*; and \d+ more problems/,
    ],
    ['UTF-16', '\uFEFF{}', /is UTF-16 text/],
    ['binary', '\u0000', /is not JSON/],
    [
      'a directory',
      (dir) => (mkdirSync(join(dir, 'g.json')), 'g.json'),
      /g\.json: is a directory, not a report file; pass the report files in it/,
    ],
    ['a FIFO', (dir) => (spawnSync('mkfifo', [join(dir, 'g.json')]), 'g.json'), /g\.json: is a FIFO \(named pipe\), not a report file/],
    ['a device', () => '/dev/zero', /\/dev\/zero: is a character device, not a report file/],
    ['a missing file', () => 'nowhere.json', /nowhere\.json: does not exist/],
    ['a symlink loop', (dir) => (symlinkSync('g.json', join(dir, 'g.json')), 'g.json'), /g\.json: is a symlink loop/],
    [
      'a huge file',
      (dir) => (writeFileSync(join(dir, 'g.json'), ''), truncateSync(join(dir, 'g.json'), 3 * 1024 ** 3), 'g.json'),
      /g\.json: is 3\.0 GiB; a doctorkit report is at most 16\.0 MiB/,
    ],
    ['a deeply nested file', '['.repeat(1_000_000), /is not JSON: /],
  ]
  for (const [what, content, expected] of invalid) {
    it(`refuses ${what} with a precise error and exit 2, merging nothing`, async function () {
      this.timeout(20_000)
      const dir = tmp.make()
      put(dir, 'ok/doctor.json', hostReport('ok', [pass('daemon-health')]))
      let file = 'g.json'
      if (typeof content === 'function') file = content(dir)
      else if (what === 'UTF-16') writeFileSync(join(dir, file), Buffer.from(content, 'utf16le'))
      else writeFileSync(join(dir, file), content)
      const r = await merge(['ok/doctor.json', file], dir)
      assert.equal(r.code, 2, `${r.stdout}${r.stderr}`)
      assert.equal(r.stdout, '', 'no partial view')
      assert.match(r.stderr, /^Error: a report cannot be merged:\n/)
      assert.match(r.stderr, expected)
      assert.doesNotMatch(r.stderr, /ok\/doctor\.json/, 'the good report is not blamed')
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
      assert.ok(r.durationMs < 10_000, `took ${r.durationMs} ms`)
    })
  }

  it('names every bad file at once', async () => {
    const dir = tmp.make()
    put(dir, 'x.json', 'nope')
    put(dir, 'y.json', '{"schemaVersion": 3, "tool": {"name": "doctorkit", "version": "3.0.0"}}')
    const r = await merge(['x.json', 'y.json'], dir)
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^Error: 2 reports cannot be merged:\n {2}x\.json: is not JSON.*\n {2}y\.json: has report schema version 3/)
  })

  it('refuses two reports that name one host, saying where each name came from', async () => {
    const dir = tmp.make()
    put(dir, 'a/doctor.json', hostReport('web1', [pass('daemon-health')]))
    put(dir, 'b/doctor.json', hostReport('web1', [pass('daemon-health')]))
    const r = await merge(['a/doctor.json', 'b/doctor.json'], dir)
    assert.equal(r.code, 2)
    assert.match(r.stderr, /two reports name the host "web1": a\/doctor\.json \(its "host" field, started .*\) and b\/doctor\.json/)
    assert.match(r.stderr, /--hostname/)
    put(dir, 'c/tmp/doctor.json', hostReport(undefined, [pass('daemon-health')]))
    put(dir, 'd/tmp/doctor.json', hostReport(undefined, [pass('daemon-health')]))
    const dirs = await merge(['c/tmp/doctor.json', 'd/tmp/doctor.json'], dir)
    assert.equal(dirs.code, 2)
    assert.match(dirs.stderr, /two reports name the host "tmp": .*its directory's name/)
  })

  it('says what to pass when given no report, and refuses an unknown format', async () => {
    const none = await merge([])
    assert.equal(none.code, 2)
    assert.match(none.stderr, /no report to merge/)
    const bad = await merge(['--format', 'xml', 'x.json'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /Expected --format=xml to be one of: human, markdown, json/)
  })

  it("keeps other hosts' text from breaking the terminal or the Markdown table", async () => {
    const dir = tmp.make()
    const hostile = sampleReport()
    hostile.checks[3]!.reason = `cannot read | ${NASTY}`
    put(dir, 'evil|host/doctor.json', hostile)
    const human = await merge(['evil|host/doctor.json'], dir)
    assert.doesNotMatch(human.stdout, /\u001b/, 'no raw escape reaches the terminal')
    assert.match(human.stdout, /\\x1b\[31mred/)
    const md = await merge(['--format', 'markdown', 'evil|host/doctor.json'], dir)
    const lines = md.stdout.split('\n')
    const cells = (line: string) => line.split(/(?<!\\)\|/).length
    assert.equal(
      cells(lines.find((l) => l.startsWith('| evil'))!),
      cells(lines.find((l) => l.startsWith('| Host'))!),
      'the row has as many cells as the header',
    )
    assert.match(md.stdout, /\| evil\\\|host \|/)
    assert.doesNotMatch(md.stdout, /<b>/)
  })

  it('writes the view with --output', async () => {
    const dir = tmp.make()
    put(dir, 'a/doctor.json', hostReport('a', [pass('daemon-health')]))
    const r = await merge(['--format', 'markdown', '--output', 'out/fleet.md', 'a/doctor.json'], dir)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(readFileSync(join(dir, 'out/fleet.md'), 'utf8'), /^### doctorkit fleet: 1 host: 0 failing/)
  })

  it('reads a report of the maximum size', async function () {
    this.timeout(20_000)
    const dir = tmp.make()
    const report = hostReport('big', [pass('daemon-health')])
    const text = JSON.stringify(report)
    put(dir, 'big.json', text.slice(0, -1) + `,"padding":"${'x'.repeat(MAX_REPORT_BYTES - text.length - 14)}"}`)
    assert.ok(readFileSync(join(dir, 'big.json')).length <= MAX_REPORT_BYTES)
    const r = await merge(['big.json'], dir)
    assert.equal(r.code, 0, r.stderr)
  })
})
