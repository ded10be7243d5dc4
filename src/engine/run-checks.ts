/**
 * Runs (check, target) pairs concurrently. Each runs under a deadline (its own timeout, never more
 * than what is left of the run's budget): past it the result is `error` and the run goes on. A
 * check whose dependency did not pass is `skip` with the reason instead of timing out on its own.
 */
import {isSkip, Undetermined, type CheckDefinition} from '../check.js'
import type {CheckContext} from '../context.js'
import type {DetectedTarget} from '../targets/types.js'
import type {CheckResult, Finding} from '../types.js'

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
  /** Per-check timeouts by id (from config), overriding the check's own. */
  timeouts?: Record<string, number>
  /** Print crash stacks to stderr (`--verbose`). */
  verbose?: boolean
}

export function statusOf(findings: Finding[]): CheckResult['status'] {
  if (findings.some((f) => f.severity === 'fail')) return 'fail'
  return findings.length > 0 ? 'warn' : 'pass'
}

export async function runChecks(ctx: CheckContext, planned: PlannedCheck[], control: RunControl, hooks: RunHooks = {}): Promise<CheckResult[]> {
  const pending = new Map<string, Promise<CheckResult>>()
  const keyOf = (id: string, target: string) => `${target}:${id}`

  const runOne = async (p: PlannedCheck): Promise<CheckResult> => {
    const base = {id: p.check.id, target: p.target.id, title: p.check.title}
    for (const dep of p.check.dependsOn ?? []) {
      const upstream = pending.get(keyOf(dep, p.target.id))
      if (!upstream) continue
      const result = await upstream
      if (result.status !== 'pass' && result.status !== 'warn') {
        const skipped: CheckResult = {...base, status: 'skip', durationMs: 0, reason: `depends on ${dep}, which is ${result.status}`, findings: []}
        hooks.onEnd?.(p, skipped)
        return skipped
      }
    }
    hooks.onStart?.(p)
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const left = control.deadline - Date.now()
    const timeout = Math.min(control.timeouts?.[p.check.id] ?? p.check.timeoutMs ?? ctx.options.checkTimeoutMs, left)
    let result: CheckResult
    if (timeout <= 0) {
      result = {...base, status: 'error', durationMs: 0, reason: 'the run\'s time budget was used up before this check could start (raise --timeout)', findings: []}
    } else {
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeout)
      })
      try {
        const verdict = await Promise.race([p.check.detect(ctx, p.target), timedOut])
        if (verdict === 'timeout') {
          result = {...base, status: 'error', durationMs: elapsed(), reason: `timed out after ${timeout} ms; the check could not decide in time`, findings: []}
        } else if (isSkip(verdict)) {
          result = {...base, status: 'skip', durationMs: elapsed(), reason: verdict.skip, findings: []}
        } else {
          result = {...base, status: statusOf(verdict), durationMs: elapsed(), findings: verdict}
        }
      } catch (error) {
        const reason = error instanceof Undetermined ? error.message : `the check crashed: ${(error as Error)?.message ?? String(error)}`
        if (control.verbose && !(error instanceof Undetermined)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`)
        result = {...base, status: 'error', durationMs: elapsed(), reason, findings: []}
      } finally {
        clearTimeout(timer)
      }
    }
    hooks.onEnd?.(p, result)
    return result
  }

  for (const p of planned) pending.set(keyOf(p.check.id, p.target.id), Promise.resolve().then(() => runOne(p)))
  return Promise.all(planned.map((p) => pending.get(keyOf(p.check.id, p.target.id))!))
}
