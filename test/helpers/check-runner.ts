import assert from 'node:assert/strict'
import type {CheckDefinition} from '../../src/check.js'
import {createContext, type ContextInit} from '../../src/context.js'
import {runChecks} from '../../src/engine/run-checks.js'
import {targetById} from '../../src/targets/index.js'
import type {CheckResult, Status, TargetId} from '../../src/types.js'

/** Runs one check the way the engine does (deadline, error boundary) against a real context. */
export async function runCheck(check: CheckDefinition, init: ContextInit & {target?: TargetId} = {}): Promise<CheckResult> {
  const ctx = createContext({env: {}, ...init})
  try {
    const target = await targetById(init.target ?? check.targets[0]!)!.detect(ctx)
    const [result] = await runChecks(ctx, [{check, target: {...target, forced: true}}], {deadline: Date.now() + ctx.options.budgetMs})
    for (const f of result!.findings)
      assert.ok(check.symptoms.includes(f.symptom), `${check.id} reported ${f.symptom}, which it does not declare`)
    return result!
  } finally {
    await ctx.close()
  }
}

export interface Expectation {
  status: Status
  /** Symptoms expected among the findings, in any order. */
  symptoms?: string[]
  /** Substrings expected in the messages, reasons or evidence. */
  mentions?: Array<string | number>
}

export function expectResult(result: CheckResult, expected: Expectation): void {
  const dump = JSON.stringify(result, null, 2)
  assert.equal(result.status, expected.status, dump)
  if (expected.symptoms) assert.deepEqual([...new Set(result.findings.map((f) => f.symptom))].sort(), [...expected.symptoms].sort(), dump)
  const text = strings(result).join('\n')
  for (const m of expected.mentions ?? []) assert.ok(text.includes(String(m)) || dump.includes(String(m)), `expected ${m} in ${dump}`)
  for (const f of result.findings) {
    assert.ok(f.fix.summary.length > 0 && f.fix.docs.length > 0, `finding ${f.symptom} has no fix`)
    assert.ok(!/\{\w+\}/.test(f.message + f.fix.commands.join(' ')), `unfilled placeholder in ${f.message} / ${f.fix.commands}`)
  }
  if (result.status === 'skip' || result.status === 'error') assert.ok(result.reason, 'skip/error needs a reason')
}

/** Every string and number in a value, for "the result mentions X" assertions. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (typeof value === 'number') return [String(value)]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings)
  return []
}

/**
 * A table of cases for one check, in the shape of ESLint's RuleTester: each case builds a real
 * state in a fresh temp HOME, returns what the result must mention, and states the expectation.
 */
export interface CheckCase {
  name: string
  setup(home: string): Promise<Array<string | number> | void> | Array<string | number> | void
  expect: Omit<Expectation, 'mentions'>
}

export function runCaseTable(check: CheckDefinition, cases: CheckCase[], makeHome: () => string): void {
  for (const c of cases) {
    it(c.name, async () => {
      const home = makeHome()
      const mentions = (await c.setup(home)) ?? []
      expectResult(await runCheck(check, {home, env: {HOME: home}}), {...c.expect, mentions})
    })
  }
}
