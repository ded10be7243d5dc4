/**
 * One doctor run: detect the targets it is handed, plan (check, target) pairs from the checks it
 * is handed, run them under the run's policy (flags and doctor.config.json: skips, timeouts,
 * suppressions, all applied here), and assemble the report. `doctor`, `doctor --fix` (the
 * diagnosis and the re-check) and `doctor preflight` all run through this one function.
 * Rendering is not done here: the command chooses a view (JSON, listr2, CI formats).
 */
import {hostname} from 'node:os'
import {checks as registeredChecks} from '../../checks/index.js'
import {appliesTo, type CheckDefinition} from '../check.js'
import {configReport, createSuppressor, expiredSuppressions, skippedByConfig, skippedInConfig, type RunConfig} from '../config/apply.js'
import {createContext, type CheckContext, type ContextInit, type RunContext} from '../context.js'
import {abortable, childController, Deadline, isDeadline} from '../probes/abort.js'
import {targets as registeredTargets} from '../targets/index.js'
import type {DetectedTarget, TargetDefinition} from '../targets/types.js'
import type {CheckResult, Report} from '../types.js'
import {toolVersion} from '../version.js'
import {runChecks, type PlannedCheck, type RunHooks} from './run-checks.js'
import {summarize} from './status.js'

export {summarize}

/** The doctor was used wrongly (a bad flag, option or config): `message` and `suggestions` say how to fix it. */
export class UsageError extends Error {
  /** The exit code the CLI uses for it (a host printing the error may use the same). */
  readonly exitCode: number = 2
  constructor(
    message: string,
    readonly suggestions: string[] = [],
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface DoctorRunInit extends ContextInit {
  /** The checks this run may run, in report order (preflight hands its own set). Default: every registered check. */
  checks?: readonly CheckDefinition[]
  /** The products it looks for, in report order. Default: every registered target. */
  targets?: readonly TargetDefinition[]
  /**
   * doctor.config.json, applied inside the run: the checks it skips are not run (and are listed as
   * skipped), its timeouts bound the checks, its suppressions settle each result as it finishes
   * (a suppressed finding is marked, so `--fix` never plans it), and its watchPorts reach the checks.
   */
  config?: RunConfig | null
  verbose?: boolean
  /** Called once targets are known and the plan is made, before any check runs. */
  onPlan?(planned: PlannedCheck[], targets: DetectedTarget[]): RunHooks | void
  /** Run in this context (its caller owns and closes it) and share what it has already read. */
  context?: RunContext
}

/** The context a run makes for itself (its caller may make it instead, to read more through it after the run). */
export function createRunContext(init: DoctorRunInit): RunContext {
  const config = init.config ?? null
  return createContext({
    ...init,
    options: {...init.options, ...(config && config.config.watchPorts.length > 0 ? {watchPorts: config.config.watchPorts} : {})},
  })
}

export async function runDoctor(init: DoctorRunInit = {}): Promise<Report> {
  const started = Date.now()
  const config = init.config ?? null
  const ctx: RunContext = init.context ?? createRunContext(init)
  const {options} = ctx
  const pool = init.checks ?? registeredChecks
  const deadline = started + options.budgetMs
  // The budget covers detection too: a target whose detection cannot finish is still reported.
  const budget = childController(ctx.signal)
  const budgetTimer = setTimeout(() => budget.controller.abort(new Deadline("the run's time budget ran out", 'run')), options.budgetMs)
  try {
    const scoped = ctx.scoped(budget.controller.signal)
    const detected = await Promise.all(
      (init.targets ?? registeredTargets).map(async (t) => {
        const found = await detectWithin(t, scoped, budget.controller.signal)
        return {...found, forced: options.forcedTargets.includes(t.id)}
      }),
    )
    const active = detected.filter((t) => t.detected || t.forced)
    const planned: PlannedCheck[] = []
    for (const check of pool) {
      if (options.only.length > 0 && !options.only.includes(check.id)) continue
      if (options.skip.includes(check.id)) continue
      for (const target of active)
        if (appliesTo(check, target) && !skippedInConfig(config?.config, check.id, target.id)) planned.push({check, target})
    }
    const suppressor = config ? createSuppressor(config.config.suppress, Date.now()) : null
    const hooks = init.onPlan?.(planned, active) ?? {}
    const ran = await runChecks(
      ctx,
      planned,
      {
        deadline,
        signal: budget.controller.signal,
        timeouts: config?.config.timeouts,
        verbose: init.verbose,
        ...(suppressor ? {settle: (r) => suppressor.apply(r)} : {}),
      },
      hooks,
    )
    const results = inPoolOrder(pool, [
      ...planned.map((p, i) => ({check: p.check, result: ran[i]!})),
      ...(config ? skippedByConfig(pool, active, config.config, options.only) : []),
    ])
    return {
      schemaVersion: 1,
      tool: {name: 'doctorkit', version: toolVersion()},
      host: options.host ?? hostname(),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      // A declared target's profile is what its checks read, not part of the report.
      targets: detected.map(({profile: _profile, ...report}) => report),
      checks: results,
      summary: summarize(results),
      ...(config ? {config: configReport(config, suppressor!.outcomes())} : {}),
    }
  } finally {
    clearTimeout(budgetTimer)
    // Whatever a check left running stops here: nothing started by the run outlives it.
    budget.controller.abort(new Deadline('the run ended', 'run'))
    budget.dispose()
    if (!init.context) await ctx.close()
  }
}

/** Results in the pool's order (stable: targets keep their order within a check). */
function inPoolOrder(pool: readonly CheckDefinition[], entries: Array<{check: CheckDefinition; result: CheckResult}>): CheckResult[] {
  const order = new Map(pool.map((c, i) => [c, i]))
  return entries
    .map((e, i) => ({...e, i}))
    .sort((a, b) => (order.get(a.check) ?? 0) - (order.get(b.check) ?? 0) || a.i - b.i)
    .map((e) => e.result)
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

/**
 * 0: nothing failed. 1: a check failed or could not decide (or warned, with strict), or a
 * suppression in doctor.config.json has expired (it fails the run whatever the checks say).
 */
export function exitCodeFor(report: Report, strict: boolean): 0 | 1 {
  const {fail, error, warn} = report.summary
  if (fail > 0 || error > 0) return 1
  if (strict && warn > 0) return 1
  if (expiredSuppressions(report).length > 0) return 1
  return 0
}
