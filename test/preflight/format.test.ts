import assert from 'node:assert/strict'
import {readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checks} from '../../checks/index.js'
import {PREFLIGHT_CHECK_IDS, preflightChecks} from '../../commands/preflight.js'
import {applySuppressions} from '../../src/config/apply.js'
import {parseExpiry} from '../../src/config/schema.js'
import {summarize, UsageError} from '../../src/engine/doctor.js'
import {renderReport, resolveFormat, writeReportFile} from '../../src/report/format.js'
import {tmpDirs} from '../helpers/tmp.js'
import {sampleReport} from './sample-report.js'

describe('preflight: format choice and output', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  it('defaults to github under GitHub Actions and human elsewhere; --format and --json win', () => {
    const actions = {GITHUB_ACTIONS: 'true'}
    assert.equal(resolveFormat({}, actions), 'github')
    assert.equal(resolveFormat({}, {}), 'human')
    assert.equal(resolveFormat({}, {GITHUB_ACTIONS: 'false'}), 'human')
    assert.equal(resolveFormat({format: 'human'}, actions), 'human')
    assert.equal(resolveFormat({json: true}, actions), 'json')
    assert.equal(resolveFormat({json: true, format: 'json'}, {}), 'json')
    assert.throws(() => resolveFormat({json: true, format: 'junit'}, {}), UsageError)
    assert.throws(() => resolveFormat({format: 'sarif'}, {}), /--format "sarif" is not a format/)
  })

  it('refuses an --output it cannot write, leaving nothing behind', async () => {
    const dir = tmp.make()
    writeFileSync(join(dir, 'a-file'), 'x')
    await assert.rejects(
      writeReportFile(join(dir, 'a-file', 'report.xml'), '<x/>'),
      (e: unknown) => e instanceof UsageError && /cannot write the report to .*a-file\/report\.xml/.test(e.message),
    )
    await writeReportFile(join(dir, 'ok.xml'), '<x/>')
    assert.deepEqual(readdirSync(dir).sort(), ['a-file', 'ok.xml'])
  })

  it('adds slow checks and the state of each suppression to the human report', async () => {
    const report = sampleReport()
    const suppressions = [
      {check: 'port-squatter', reason: 'metrics proxy', expires: '2999-01-01', expiresAtMs: parseExpiry('2999-01-01')!},
      {check: 'daemon-health', reason: 'old', expires: '2001-01-01', expiresAtMs: parseExpiry('2001-01-01')!},
    ]
    const {results, outcomes} = applySuppressions(report.checks, suppressions, Date.now())
    const shaped = {
      ...report,
      checks: results,
      summary: summarize(results),
      config: {path: '/r/doctor.config.json', skip: [], suppressions: outcomes, watchPorts: []},
    }
    const text = await renderReport(shaped, 'human', {name: 'doctor preflight', strict: false, verbose: false})
    assert.match(text, /↓ port-squatter \[executor\] skipped: suppressed until 2999-01-01: metrics proxy\n/)
    assert.match(text, /slow: stale-lock \[executor\] took 4000 ms, over half of its 5000 ms timeout/)
    assert.match(text, /suppressed until 2999-01-01: port-squatter — metrics proxy/)
    assert.match(text, /✖ the suppression of daemon-health expired on 2001-01-01 \(old\); renew or remove it in \/r\/doctor\.config\.json/)
  })

  it('runs the preflight set that exists in this build, dev-checkout checks first', () => {
    const ids: string[] = preflightChecks().map((c) => c.id)
    const declared: readonly string[] = PREFLIGHT_CHECK_IDS
    assert.deepEqual(
      [...ids],
      declared.filter((id) => checks.some((c) => c.id === id)),
    )
    for (const id of ['port-squatter', 'daemon-health', 'stale-manifest', 'stale-lock']) assert.ok(ids.includes(id), id)
    assert.ok(!ids.includes('clock-skew') && !ids.includes('daemon-log-errors'), 'only what decides whether e2e can start')
  })
})
