import assert from 'node:assert/strict'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {Chalk} from 'chalk'
import {summarize} from '../../src/engine/doctor.js'
import {formatHuman} from '../../src/report/human.js'
import type {CheckResult, Report} from '../../src/types.js'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const plain = new Chalk({level: 0})

function result(id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult {
  return {id, target: 'executor', title: `Check ${id}`, status, durationMs: 1, findings: [], ...extra}
}

function report(checks: CheckResult[], extra: Partial<Report> = {}): Report {
  const targets: Report['targets'] = [
    {id: 'executor', detected: true, forced: false, generation: null, generationReason: 'test', dataDir: '/data', reasons: ['test']},
  ]
  return {
    schemaVersion: 1,
    tool: {name: 'doctorkit', version: '0.0.0-test'},
    startedAt: '2030-01-02T03:04:05.678Z',
    durationMs: 10,
    targets,
    checks,
    summary: summarize(checks),
    ...extra,
  }
}

describe('human report: short on a healthy machine', () => {
  afterEach(() => tmp.cleanup())

  it('says what passed and how many did not apply, and keeps the reasons for --verbose', async () => {
    const home = tmp.make()
    mkdirSync(join(home, '.executor'))
    const env = {HOME: home, EXECUTOR_DATA_DIR: ''}
    const r = await runCli(['--target', 'executor'], {env, cwd: home})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.doesNotMatch(r.stdout, /skipped:/, 'no skip reasons by default')
    assert.match(r.stdout, /^✔ \d+ passed \[executor\]: .*\bstale-manifest\b/m)
    const notApplicable = /^↓ (\d+) not applicable here \(--verbose says why\)$/m.exec(r.stdout)
    const summary = /^(\d+) passed, (\d+) skipped in /m.exec(r.stdout)
    assert.ok(notApplicable && summary, r.stdout)
    assert.equal(notApplicable[1], summary[2], 'every skip here is a check that does not apply')
    const targets = (r.stdout.match(/^\S+ — /gm) ?? []).length
    assert.ok(r.stdout.trimEnd().split('\n').length <= targets * 3 + 4, `short: ${r.stdout}`)

    const verbose = await runCli(['--target', 'executor', '--verbose'], {env, cwd: home})
    assert.equal(verbose.code, 0, verbose.stderr)
    assert.match(verbose.stdout, /^↓ public-origin \[executor\] skipped: no self-host configuration here/m)
    assert.match(verbose.stdout, /^↓ (?:[a-z0-9-]+, )+[a-z0-9-]+ \[executor\] skipped: no Executor monorepo checkout/m)
    assert.doesNotMatch(verbose.stdout, /not applicable here/)
  })

  it('shows failures in full, suppressions with their reason, and counts config skips apart', () => {
    const text = formatHuman(
      report(
        [
          result('daemon-health', 'pass'),
          result('stale-lock', 'fail', {
            findings: [
              {
                symptom: 'executor/x',
                severity: 'fail',
                message: 'the lock is stale',
                evidence: {pid: 7},
                fix: {summary: 'move it', commands: ['mv a b'], docs: 'doctor checks stale-lock'},
              },
            ],
          }),
          result('port-squatter', 'skip', {
            reason: 'suppressed until 2999-01-01: metrics proxy',
            suppressed: {reason: 'metrics proxy', expires: '2999-01-01', status: 'fail'},
          }),
          result('clock-skew', 'skip', {reason: 'skipped in doctor.config.json'}),
          result('vite-cache', 'skip', {reason: 'no checkout'}),
          result('e2e-ports', 'skip', {reason: 'no checkout'}),
        ],
        {config: {path: '/r/doctor.config.json', skip: ['clock-skew'], suppressions: [], watchPorts: []}},
      ),
      {verbose: false, chalk: plain},
    )
    assert.match(
      text,
      /^✖ stale-lock \[executor\] Check stale-lock\n {4}✖ the lock is stale\n {6}evidence: pid=7\n {6}fix: move it\n {8}\$ mv a b\n {6}docs: doctor checks stale-lock$/m,
    )
    assert.match(text, /^✔ 1 passed \[executor\]: daemon-health$/m)
    assert.match(text, /^↓ port-squatter \[executor\] skipped: suppressed until 2999-01-01: metrics proxy$/m)
    assert.match(text, /^↓ 1 skipped in doctor\.config\.json: clock-skew$/m)
    assert.match(text, /^↓ 2 not applicable here \(--verbose says why\)$/m)
    assert.doesNotMatch(text, /no checkout/)
  })
})
