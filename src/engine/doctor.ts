/**
 * One doctor run: detect targets, plan (check, target) pairs, run them, assemble the report.
 * Rendering is not done here: the command chooses a view (JSON, listr2, CI formats).
 */
import {checks} from '../../checks/index.js'
import type {CheckDefinition} from '../check.js'
import {createContext, type CheckContext, type ContextInit, type RunContext} from '../context.js'
import {abortable, childController, Deadline, isDeadline} from '../probes/abort.js'
import {targets as allTargets} from '../targets/index.js'
import type {DetectedTarget, TargetDefinition} from '../targets/types.js'
import {STATUSES, type CheckResult, type Report, type Summary} from '../types.js'
import {toolVersion} from '../version.js'
import {runChecks, type PlannedCheck, type RunHooks} from './run-checks.js'

export class UsageError extends Error {
  constructor(
    message: string,
    readonly suggestions: string[] = [],
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface DoctorRunInit extends ContextInit {
  /** Restrict the run to these checks (for example preflight's set). */
  checkSet?: readonly CheckDefinition[]
  timeouts?: Record<string, number>
  verbose?: boolean
  /** Called once targets are known and the plan is made, before any check runs. */
  onPlan?(planned: PlannedCheck[], targets: DetectedTarget[]): RunHooks | void
  /** Run in this context (its caller owns and closes it) and share what it has already read. */
  context?: RunContext
}

export function checkIds(): string[] {
  return checks.map((c) => c.id)
}

/** Unknown ids are a usage error (exit 2), with the closest known id suggested. */
export function validateCheckIds(ids: string[]): void {
  const known = new Set(checkIds())
  for (const id of ids) {
    if (!known.has(id)) {
      const near = [...known].filter((k) => k.includes(id) || id.includes(k) || k.split('-')[0] === id.split('-')[0])
      throw new UsageError(`unknown check id "${id}"`, [
        ...(near.length > 0 ? [`did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`] : []),
        'run `doctor checks` to list every check id',
      ])
    }
  }
}

export function summarize(results: CheckResult[]): Summary {
  const summary = Object.fromEntries(STATUSES.map((s) => [s, 0])) as unknown as Summary
  for (const r of results) summary[r.status]++
  return summary
}

export async function runDoctor(init: DoctorRunInit = {}): Promise<Report> {
  const started = Date.now()
  const ctx: RunContext = init.context ?? createContext(init)
  const {options} = ctx
  validateCheckIds([...options.only, ...options.skip])
  const deadline = started + options.budgetMs
  // The budget covers detection too: a target whose detection cannot finish is still reported.
  const budget = childController(ctx.signal)
  const budgetTimer = setTimeout(() => budget.controller.abort(new Deadline('the run\'s time budget ran out', 'run')), options.budgetMs)
  try {
    const scoped = ctx.scoped(budget.controller.signal)
    const detected = await Promise.all(
      allTargets.map(async (t) => {
        const found = await detectWithin(t, scoped, budget.controller.signal)
        return {...found, forced: options.forcedTargets.includes(t.id)}
      }),
    )
    const active = detected.filter((t) => t.detected || t.forced)
    const pool = init.checkSet ?? checks
    const planned: PlannedCheck[] = []
    for (const check of pool) {
      if (options.only.length > 0 && !options.only.includes(check.id)) continue
      if (options.skip.includes(check.id)) continue
      for (const target of active) if (check.targets.includes(target.id)) planned.push({check, target})
    }
    const hooks = init.onPlan?.(planned, active) ?? {}
    const results = await runChecks(ctx, planned, {deadline, signal: budget.controller.signal, timeouts: init.timeouts, verbose: init.verbose}, hooks)
    return {
      schemaVersion: 1,
      tool: {name: 'doctorkit', version: toolVersion()},
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      targets: detected,
      checks: results,
      summary: summarize(results),
    }
  } finally {
    clearTimeout(budgetTimer)
    // Whatever a check left running stops here: nothing started by the run outlives it.
    budget.controller.abort(new Deadline('the run ended', 'run'))
    budget.dispose()
    if (!init.context) await ctx.close()
  }
}

/**
 * A target's detection, bounded by the run's budget. One that does not finish in time is reported
 * as present, so its checks come out as `error` (the budget is spent) instead of a silent pass.
 */
async function detectWithin(target: TargetDefinition, ctx: CheckContext, signal: AbortSignal): Promise<DetectedTarget> {
  const cut = (): DetectedTarget => ({
    id: target.id,
    detected: true,
    forced: false,
    generation: null,
    generationReason: 'detection did not finish within the time budget',
    dataDir: null,
    reasons: ['detection did not finish within the time budget (raise --timeout); its checks could not run'],
  })
  try {
    return await abortable(target.detect(ctx), signal)
  } catch (error) {
    if (isDeadline(error) && signal.aborted) return cut()
    throw error
  }
}

/** 0: nothing failed. 1: a check failed or could not decide (or warned, with strict). */
export function exitCodeFor(report: Report, strict: boolean): 0 | 1 {
  const {fail, error, warn} = report.summary
  if (fail > 0 || error > 0) return 1
  if (strict && warn > 0) return 1
  return 0
}
