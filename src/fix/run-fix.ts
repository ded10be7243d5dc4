/**
 * `doctor --fix` / `--dry-run` after the checks ran: plan, ask, apply, re-check. Consent follows
 * doctor-anchors c.8 / §(d) 3: safe steps are applied, confirm steps need a yes on a terminal or
 * `--yes`, and with neither nothing waits for input: confirm steps are reported as not applied.
 */
import {summarize} from '../engine/doctor.js'
import type {CheckResult, Report} from '../types.js'
import {applyPlan, type Answer} from './apply.js'
import {collectPlan} from './plan.js'
import type {FixReport, PlannedStep, RecheckResult, StepResult} from './types.js'

export interface FixRunInit {
  report: Report
  mode: 'apply' | 'dry-run'
  yes: boolean
  /** A terminal to ask on (stdin and stderr are TTYs and not CI). */
  interactive: boolean
  stateDir: string
  command: string
  /** Asks a yes/no question on the terminal. */
  ask(question: string): Promise<boolean>
  /**
   * Runs the checks again (the same selection as the first run) and returns their report. The
   * whole selection runs, not only the checks whose steps were applied: one fix can change what
   * another check sees (a stopped daemon no longer fails its health probe).
   */
  recheck(): Promise<Report>
  onResult?(result: StepResult): void
  /** Called before the first step is applied (the human view prints the plan there). */
  onPlan?(plan: PlannedStep[]): void
}

export async function runFix(init: FixRunInit): Promise<FixReport> {
  return runPlan(planOf(init.report), init)
}

/** The plan `--fix` would follow for a report: its findings' steps, the suppressed ones left out. */
export function planOf(report: Report): PlannedStep[] {
  return collectPlan(plannable(report))
}

/** Asks, applies and re-checks `plan` (made from `init.report` by planOf); the library's applyFix goes through here too. */
export async function runPlan(plan: PlannedStep[], init: FixRunInit): Promise<FixReport> {
  const approval: FixReport['approval'] = init.yes ? 'yes' : init.interactive ? 'tty' : 'none'
  init.onPlan?.(plan)
  if (init.mode === 'dry-run' || plan.length === 0) {
    const steps = plan.map((p): StepResult => ({...p, status: p.step.risk === 'manual' ? 'manual' : 'planned'}))
    return {mode: init.mode, runId: null, stateDir: init.stateDir, approval, steps, recheck: [], summaryAfter: init.report.summary}
  }
  const approve = async (planned: PlannedStep, question: 'apply' | 'sigkill'): Promise<Answer> => {
    if (init.yes) return 'yes'
    if (!init.interactive) return 'no-tty'
    const text =
      question === 'apply'
        ? `Apply step ${planned.seq}: ${planned.step.title}?\n  why: ${planned.step.why}\n  undo: ${planned.step.undo}\n[y/N] `
        : `${planned.step.title}: the process did not exit after SIGTERM. Send SIGKILL (it gets no chance to clean up)? [y/N] `
    return (await init.ask(text)) ? 'yes' : 'no'
  }
  const applied = await applyPlan(plan, {
    stateDir: init.stateDir,
    command: init.command,
    tool: 'doctorkit',
    approve,
    onResult: init.onResult,
  })
  const recheck = await recheckAffected(init, applied.results)
  return {
    mode: 'apply',
    runId: applied.runId,
    stateDir: init.stateDir,
    approval,
    steps: applied.results,
    recheck: recheck.results,
    summaryAfter: summarize(mergeResults(init.report.checks, recheck.checks)),
  }
}

const keyOf = (r: {id?: string; check?: string; target: string}) => `${r.target}:${r.id ?? r.check}`

async function recheckAffected(init: FixRunInit, results: StepResult[]): Promise<{results: RecheckResult[]; checks: CheckResult[]}> {
  const acted = results.filter((r) => r.status === 'applied' || r.status === 'not-needed')
  const pairs = new Set(acted.map((r) => `${r.origin.target}:${r.origin.check}`))
  if (pairs.size === 0) return {results: [], checks: []}
  const again = await init.recheck()
  const affected = again.checks.filter((c) => pairs.has(keyOf(c)))
  return {
    checks: again.checks,
    results: affected.map((c): RecheckResult => {
      const remaining = c.findings.filter((f) => !f.suppressed).map((f) => f.message)
      const base = {check: c.id, target: c.target, status: c.status, remaining}
      // What is left is all suppressed in doctor.config.json: what the fix acted on is gone.
      if (c.status === 'pass' || (c.suppressed && remaining.length === 0)) return {...base, outcome: 'fixed'}
      // A skip says nothing about the fix: the check did not judge the state it left.
      if (c.status === 'skip') return {...base, outcome: 'skipped', reason: `${c.reason ?? 'skipped'}; whether the fix worked is not known`}
      // An error is no verdict on the fix either: what was applied stays applied, and the user
      // learns what kept the re-check from deciding (a timeout, a file it cannot read).
      if (c.status === 'error')
        return {...base, outcome: 'not-rechecked', reason: `applied; the re-check could not decide: ${c.reason ?? 'no reason given'}`}
      return {...base, outcome: 'still-failing', reason: remaining.join(' ')}
    }),
  }
}

/**
 * The report as the planner may see it: suppressed findings are accepted as they are, for now
 * (doctor.config.json says so, with a reason and an expiry), so nothing is planned for them.
 * Checks the config skips never ran and have no findings.
 */
function plannable(report: Report): Report {
  return {
    ...report,
    checks: report.checks.map((c) =>
      c.findings.some((f) => f.suppressed) ? {...c, findings: c.findings.filter((f) => !f.suppressed)} : c,
    ),
  }
}

function mergeResults(before: CheckResult[], after: CheckResult[]): CheckResult[] {
  const replaced = new Map(after.map((c) => [keyOf(c), c]))
  return before.map((c) => replaced.get(keyOf(c)) ?? c)
}
