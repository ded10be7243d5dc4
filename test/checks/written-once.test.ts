/**
 * `writtenOnce` (src/check.ts) composes a generic check with a product-only companion: the
 * companion's findings join the generic ones, a companion with nothing to judge leaves the generic
 * verdict, and a companion that cannot decide does not hide what the generic half found (the rule
 * of `conclude`); over nothing found, its undecided reason is the result.
 */
import assert from 'node:assert/strict'
import {skip, Undetermined, writtenOnce, type DeclaredCheck, type Verdict} from '../../src/check.js'
import {createContext} from '../../src/context.js'
import type {BuiltInProfile, TargetFacts} from '../../src/targets/profile.js'
import type {DetectedTarget} from '../../src/targets/types.js'
import type {Finding} from '../../src/types.js'

const target: DetectedTarget = {
  id: 'executor',
  detected: true,
  forced: false,
  generation: null,
  generationReason: '',
  dataDir: null,
  reasons: [],
}
const facts: TargetFacts = {id: 'executor', name: 'Executor', ports: [], secrets: [], env: [], configs: [], logs: [], symptoms: []}
const profile: BuiltInProfile = {id: 'executor', symptomIds: {}, logSymptomIds: [], facts: () => Promise.resolve(facts)}
const found = (symptom: string): Finding => ({
  symptom,
  severity: 'fail',
  message: symptom,
  evidence: {},
  fix: {summary: '', commands: [], docs: ''},
})
const generic = (verdict: Verdict): DeclaredCheck => ({symptoms: [], detect: () => Promise.resolve(verdict)})
const companion = (detect: () => Promise<Verdict>) => ({executor: {symptoms: ['executor/unregistered-daemon'], detect}})

async function run(check: ReturnType<typeof writtenOnce>): Promise<Verdict | {error: string}> {
  const ctx = createContext({env: {}})
  try {
    return await check.detect(ctx, target)
  } catch (error) {
    return {error: (error as Error).message}
  } finally {
    await ctx.close()
  }
}

describe('writtenOnce: a generic check and its companion', () => {
  it("joins the companion's findings to the generic ones, generic first", async () => {
    const verdict = await run(
      writtenOnce(
        generic([found('executor/duplicate-daemon')]),
        [profile],
        companion(() => Promise.resolve([found('executor/unregistered-daemon')])),
      ),
    )
    assert.deepEqual(
      (verdict as Finding[]).map((f) => f.symptom),
      ['executor/duplicate-daemon', 'executor/unregistered-daemon'],
    )
  })

  it('a companion with nothing to judge leaves the generic verdict; a generic skip leaves the companion its say', async () => {
    assert.deepEqual(
      await run(
        writtenOnce(
          generic([]),
          [profile],
          companion(() => Promise.resolve(skip('nothing here'))),
        ),
      ),
      [],
    )
    const more = await run(
      writtenOnce(
        generic(skip('no daemon')),
        [profile],
        companion(() => Promise.resolve([found('executor/unregistered-daemon')])),
      ),
    )
    assert.ok(Array.isArray(more) && more.length === 1)
  })

  it("a companion that cannot decide does not hide the generic half's findings, and is the result over nothing found", async () => {
    const undecided = () => Promise.reject(new Undetermined('cannot tell the data dir of pid 42'))
    const kept = await run(writtenOnce(generic([found('executor/duplicate-daemon')]), [profile], companion(undecided)))
    assert.deepEqual(
      (kept as Finding[]).map((f) => f.symptom),
      ['executor/duplicate-daemon'],
    )
    assert.deepEqual(await run(writtenOnce(generic([]), [profile], companion(undecided))), {error: 'cannot tell the data dir of pid 42'})
    assert.deepEqual(
      await run(writtenOnce(generic(skip('no daemon')), [profile], companion(undecided))),
      {error: 'cannot tell the data dir of pid 42'},
      'a generic skip does not hide it either',
    )
  })

  it('a companion that crashes is never swallowed, whatever the generic half found', async () => {
    const crashed = await run(
      writtenOnce(
        generic([found('executor/duplicate-daemon')]),
        [profile],
        companion(() => Promise.reject(new TypeError('boom'))),
      ),
    )
    assert.deepEqual(crashed, {error: 'boom'})
  })
})
