/**
 * The one tester for every check and every target, in the shape of ESLint's RuleTester: a table
 * of rows, each building a real state (files, modes, pids, daemons on real sockets) and stating
 * what the check must make of it: its status, the symptoms it reports, and the risks of the fix
 * plan it offers. A row runs the check as the engine runs it (deadline, error boundary, forced
 * target) and holds every finding to the symptoms the check declares.
 */
import assert from 'node:assert/strict'
import {checks} from '../../checks/index.js'
import {allSymptoms, defineTargetSymptoms} from '../../src/catalogue.js'
import type {CheckDefinition} from '../../src/check.js'
import {createContext, type ContextInit} from '../../src/context.js'
import {runChecks} from '../../src/engine/run-checks.js'
import type {FixRisk} from '../../src/fix/types.js'
import {declaredTarget} from '../../src/targets/declared/target.js'
import {targetById} from '../../src/targets/index.js'
import type {TargetProfile} from '../../src/targets/profile.js'
import type {CheckResult, Status, TargetId} from '../../src/types.js'

/** Where a check runs, and for which target: a built-in (default: the check's first) or a declared profile. */
export type RunAt = ContextInit & {target?: TargetId; profile?: TargetProfile}

export function checkById(id: string): CheckDefinition {
  const c = checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${id}`)
  return c
}

/** Runs one check the way the engine does (deadline, error boundary) against a real context. */
export async function runCheck(check: CheckDefinition, init: RunAt = {}): Promise<CheckResult> {
  const ctx = createContext({env: {}, ...init})
  // Making a declared target registers its symptoms in the one catalogue; a row leaves it as it was.
  const entriesBefore = init.profile ? allSymptoms().filter((e) => e.target === init.profile!.id) : null
  try {
    const definition = init.profile ? declaredTarget(init.profile) : targetById(init.target ?? check.targets[0]!)!
    const target = await definition.detect(ctx)
    const [result] = await runChecks(ctx, [{check, target: {...target, forced: true}}], {deadline: Date.now() + ctx.options.budgetMs})
    const declared = init.profile ? (check.declared?.symptoms ?? []).map((slug) => `${init.profile!.id}/${slug}`) : []
    const own = init.profile && check.declared?.symptoms.includes('declared') ? init.profile.symptoms.map((s) => s.id) : []
    for (const f of result!.findings)
      assert.ok(
        [...check.symptoms, ...declared, ...own].includes(f.symptom),
        `${check.id} reported ${f.symptom}, which it does not declare`,
      )
    return result!
  } finally {
    if (entriesBefore) defineTargetSymptoms(init.profile!.id, entriesBefore)
    await ctx.close()
  }
}

export interface Expectation {
  status: Status
  /** The symptoms of the findings, in any order (each once). */
  symptoms?: string[]
  /** Substrings expected in the messages, reasons or evidence. */
  mentions?: Array<string | number>
  /** The risk of every step the findings' fix plans hold, in any order ([] for none). */
  plan?: FixRisk[]
}

export function expectResult(result: CheckResult, expected: Expectation): void {
  const dump = JSON.stringify(result, null, 2)
  assert.equal(result.status, expected.status, dump)
  if (expected.symptoms) assert.deepEqual([...new Set(result.findings.map((f) => f.symptom))].sort(), [...expected.symptoms].sort(), dump)
  if (expected.plan)
    assert.deepEqual(result.findings.flatMap((f) => (f.plan ?? []).map((s) => s.risk)).sort(), [...expected.plan].sort(), dump)
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

/** What a row's state builder returns: what the result must mention, and where the check runs. */
export interface RowState {
  /** Default: `dir` as HOME (and the only environment), for the check's first target. */
  at?: RunAt
  mentions?: Array<string | number>
}

type Built = RowState | Array<string | number> | void

export interface CheckRow {
  name: string
  /** Builds a real state in `dir` (the table's fresh temp dir, if it makes one); returns only mentions when the check runs with `dir` as HOME. */
  state(dir: string): Promise<Built> | Built
  expect: Omit<Expectation, 'mentions'>
}

/** Runs one row: builds its state, runs the check there, holds the result to the row's expectation. */
export async function runRow(check: CheckDefinition, row: CheckRow, dir?: string): Promise<CheckResult> {
  const built = (await row.state(dir ?? '')) ?? []
  const state: RowState = Array.isArray(built) ? {mentions: built} : built
  if (!state.at && dir === undefined) throw new Error(`row "${row.name}" says not where it runs, and its table makes no dir`)
  const result = await runCheck(check, state.at ?? {home: dir, env: {HOME: dir!}})
  expectResult(result, {...row.expect, mentions: state.mentions ?? []})
  return result
}

/**
 * One `it` per row (call inside a `describe`, whose hooks clean up what the rows start). `makeDir`
 * gives each row a fresh dir; a table whose rows all say where they run (`at`) needs none.
 */
export function checkTable(check: CheckDefinition | string, rows: readonly CheckRow[], makeDir?: () => string): void {
  const definition = typeof check === 'string' ? checkById(check) : check
  for (const row of rows) it(row.name, async () => void (await runRow(definition, row, makeDir?.())))
}
