/**
 * Runs (check, target) pairs concurrently. Each runs under a deadline (its own timeout, never more
 * than what is left of the run's budget): past it the result is `error` and the run goes on. The
 * deadline is an AbortSignal the check's probes honour, so the work stops too, not only the
 * waiting. A check whose dependency did not pass is `skip` with the reason instead of timing out.
 */
import {isSkip, Undetermined, type CheckDefinition} from '../check.js'
import {markSlow} from '../config/apply.js'
import type {RunContext} from '../context.js'
import {childController, Deadline, isDeadline} from '../probes/abort.js'
import type {DetectedTarget} from '../targets/types.js'
import type {CheckResult} from '../types.js'
import {capFindings} from './cap.js'
import {statusOf} from './status.js'

export {statusOf}

export interface PlannedCheck {
  check: CheckDefinition
  target: DetectedTarget
}

export interface RunHooks {
  onStart?(planned: PlannedCheck): void
  onEnd?(planned: PlannedCheck, result: CheckResult): void
}

export interface RunControl {
  /** Epoch ms after which no check may still be running. */
  deadline: number
  /** Stops every check when it fires (the caller gave up on the run); default: the context's. */
  signal?: AbortSignal
  /** Per-check timeouts by id (from config), overriding the check's own. */
  timeouts?: Record<string, number>
  /**
   * What the run's policy makes of a result as it finishes (the config's suppressions), before
   * anyone sees it. Dependencies are judged on the result as the check gave it.
   */
  settle?(result: CheckResult): CheckResult
  /** Print crash stacks to stderr (`--verbose`). */
  verbose?: boolean
}

export async function runChecks(
  ctx: RunContext,
  planned: PlannedCheck[],
  control: RunControl,
  hooks: RunHooks = {},
): Promise<CheckResult[]> {
  /** Results as the checks gave them, for dependencies. */
  const pending = new Map<string, Promise<CheckResult>>()
  const settled = new Map<string, Promise<CheckResult>>()
  const settle = (p: PlannedCheck, raw: CheckResult, timeoutMs: number): CheckResult => {
    // Suppressions judge every finding; the cap then bounds what is listed (the status is already set).
    const result = markSlow(capFindings(control.settle?.(raw) ?? raw), timeoutMs)
    hooks.onEnd?.(p, result)
    return result
  }
  const keyOf = (id: string, target: string) => `${target}:${id}`
  const run = childController(control.signal ?? ctx.signal)
  const budgetLeft = () => control.deadline - Date.now()
  const budgetTimer = setTimeout(
    () => run.controller.abort(new Deadline("the run's time budget ran out", 'run')),
    Math.max(0, budgetLeft()),
  )

  const ownTimeout = (p: PlannedCheck) => control.timeouts?.[p.check.id] ?? p.check.timeoutMs ?? ctx.options.checkTimeoutMs

  const runOne = async (p: PlannedCheck): Promise<CheckResult> => {
    const base = {id: p.check.id, target: p.target.id, title: p.check.title}
    for (const dep of p.check.dependsOn ?? []) {
      const upstream = pending.get(keyOf(dep, p.target.id))
      if (!upstream) continue
      const result = await upstream
      if (result.status !== 'pass' && result.status !== 'warn') {
        return {...base, status: 'skip', durationMs: 0, reason: `depends on ${dep}, which is ${result.status}`, findings: []}
      }
    }
    hooks.onStart?.(p)
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const own = ownTimeout(p)
    const left = budgetLeft()
    let result: CheckResult
    if (left <= 0 || run.controller.signal.aborted) {
      result = {
        ...base,
        status: 'error',
        durationMs: 0,
        reason: "the run's time budget was used up before this check could start (raise --timeout)",
        findings: [],
      }
    } else {
      const timeout = Math.min(own, left)
      // When the budget is what binds, the run's own signal fires at the same instant and says so.
      const check = childController(run.controller.signal)
      const timer =
        own < left
          ? setTimeout(
              () => check.controller.abort(new Deadline(`timed out after ${timeout} ms; the check could not decide in time`, 'check')),
              timeout,
            )
          : undefined
      const stopped = new Promise<Deadline>((resolve) => {
        if (check.controller.signal.aborted) resolve(check.controller.signal.reason as Deadline)
        check.controller.signal.addEventListener('abort', () => resolve(check.controller.signal.reason as Deadline), {once: true})
      })
      const givenUp = (why: Deadline): CheckResult => ({
        ...base,
        status: 'error',
        durationMs: elapsed(),
        reason:
          why.scope === 'check'
            ? why.message
            : `the run's time budget (--timeout) ran out ${elapsed()} ms into this check, before it could decide`,
        findings: [],
      })
      try {
        const verdict = await Promise.race([p.check.detect(ctx.scoped(check.controller.signal), p.target), stopped])
        if (verdict instanceof Deadline) result = givenUp(verdict)
        else if (isSkip(verdict)) result = {...base, status: 'skip', durationMs: elapsed(), reason: verdict.skip, findings: []}
        else result = {...base, status: statusOf(verdict), durationMs: elapsed(), findings: verdict}
      } catch (error) {
        if (isDeadline(error) && check.controller.signal.aborted) result = givenUp(check.controller.signal.reason as Deadline)
        else {
          const reason = error instanceof Undetermined ? error.message : `the check crashed: ${(error as Error)?.message ?? String(error)}`
          if (control.verbose && !(error instanceof Undetermined)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`)
          result = {...base, status: 'error', durationMs: elapsed(), reason, findings: []}
        }
      } finally {
        clearTimeout(timer)
        check.dispose()
      }
    }
    return result
  }

  try {
    for (const p of planned) {
      const key = keyOf(p.check.id, p.target.id)
      const raw = Promise.resolve().then(() => runOne(p))
      pending.set(key, raw)
      settled.set(
        key,
        raw.then((r) => settle(p, r, ownTimeout(p))),
      )
    }
    return await Promise.all(planned.map((p) => settled.get(keyOf(p.check.id, p.target.id))!))
  } finally {
    clearTimeout(budgetTimer)
    run.dispose()
  }
}
