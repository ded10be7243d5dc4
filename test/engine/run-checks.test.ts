import assert from 'node:assert/strict'
import {defineCheck, skip, Undetermined, type CheckDefinition} from '../../src/check.js'
import {finding} from '../../src/catalogue.js'
import {createContext} from '../../src/context.js'
import {runChecks} from '../../src/engine/run-checks.js'
import type {DetectedTarget} from '../../src/targets/types.js'
import '../../src/targets/index.js'

const target: DetectedTarget = {
  id: 'executor',
  detected: true,
  forced: false,
  generation: null,
  generationReason: 'test',
  dataDir: null,
  reasons: [],
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function fake(id: string, detect: CheckDefinition['detect'], extra: Partial<CheckDefinition> = {}): CheckDefinition {
  return defineCheck({
    id,
    title: id,
    description: id,
    targets: ['executor'],
    symptoms: ['executor/stale-manifest'],
    fixable: false,
    detect,
    ...extra,
  })
}

async function run(checks: CheckDefinition[], budgetMs = 10_000, checkTimeoutMs = 5000) {
  const ctx = createContext({env: {}, options: {checkTimeoutMs}})
  const started = Date.now()
  const results = await runChecks(
    ctx,
    checks.map((check) => ({check, target})),
    {deadline: started + budgetMs},
  )
  return {results, elapsed: Date.now() - started}
}

describe('engine: runChecks', () => {
  it('turns a check that never returns into an error at its timeout, and the run still finishes', async () => {
    const {results, elapsed} = await run([
      fake('hangs', () => new Promise(() => undefined), {timeoutMs: 300}),
      fake('fine', async () => []),
    ])
    assert.equal(results[0]!.status, 'error')
    assert.match(results[0]!.reason!, /timed out after 300 ms/)
    assert.equal(results[1]!.status, 'pass')
    assert.ok(elapsed < 2000, `took ${elapsed} ms`)
  })

  it('never lets a check outlive the run budget', async () => {
    const {results, elapsed} = await run([fake('slow', () => sleep(5000).then(() => []))], 400)
    assert.equal(results[0]!.status, 'error')
    assert.ok(elapsed < 1500, `took ${elapsed} ms`)
  })

  it('keeps running the other checks when one crashes, without a stack trace in the reason', async () => {
    const {results} = await run([
      fake('crashes', async () => {
        throw new TypeError('boom')
      }),
      fake('fine', async () => []),
    ])
    assert.equal(results[0]!.status, 'error')
    assert.equal(results[0]!.reason, 'the check crashed: boom')
    assert.equal(results[1]!.status, 'pass')
  })

  it('reports Undetermined as error with its reason', async () => {
    const {results} = await run([
      fake('undecided', async () => {
        throw new Undetermined('cannot read /x (EACCES)')
      }),
    ])
    assert.deepEqual([results[0]!.status, results[0]!.reason], ['error', 'cannot read /x (EACCES)'])
  })

  it('derives status from findings: fail beats warn, none is pass', async () => {
    const fail = finding('executor/stale-manifest', {vars: {path: 'p', pid: 1}})
    const warn = finding('executor/stale-manifest', {vars: {path: 'p', pid: 1}, severity: 'warn'})
    const {results} = await run([
      fake('a', async () => [warn, fail]),
      fake('b', async () => [warn]),
      fake('c', async () => []),
      fake('d', async () => skip('n/a')),
    ])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fail', 'warn', 'pass', 'skip'],
    )
    assert.equal(results[3]!.reason, 'n/a')
  })

  it('skips a check whose dependency failed, naming it', async () => {
    const broken = fake('upstream', async () => [finding('executor/stale-manifest', {vars: {path: 'p', pid: 1}})])
    let ran = false
    const dependent = fake('downstream', async () => ((ran = true), []), {dependsOn: ['upstream']})
    const {results} = await run([dependent, broken])
    assert.equal(results[0]!.status, 'skip')
    assert.equal(results[0]!.reason, 'depends on upstream, which is fail')
    assert.equal(ran, false)
  })

  it('runs a dependent check after its dependency passed', async () => {
    const order: string[] = []
    const upstream = fake('upstream', async () => (await sleep(50), order.push('upstream'), []))
    const dependent = fake('downstream', async () => (order.push('downstream'), []), {dependsOn: ['upstream']})
    const {results} = await run([dependent, upstream])
    assert.deepEqual(
      results.map((r) => r.status),
      ['pass', 'pass'],
    )
    assert.deepEqual(order, ['upstream', 'downstream'])
  })

  it('runs independent checks concurrently', async () => {
    let inFlight = 0
    let peak = 0
    const slow = (id: string) =>
      fake(id, async () => {
        inFlight++
        peak = Math.max(peak, inFlight)
        await sleep(100)
        inFlight--
        return []
      })
    await run([slow('a'), slow('b'), slow('c'), slow('d'), slow('e')])
    assert.equal(peak, 5)
  })
})
