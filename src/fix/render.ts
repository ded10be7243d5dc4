/**
 * Human rendering of a fix plan and of what `--fix` did: for each step what, where, why, risk and
 * how to undo it, then its outcome; then each affected check's re-check verdict.
 */
import type {ChalkInstance} from 'chalk'
import {whereOf} from './plan.js'
import type {FixReport, FixStep, PlannedStep, RecheckResult, StepResult, StepStatus} from './types.js'

const STATUS_TEXT: Record<StepStatus, string> = {
  applied: 'applied',
  'not-needed': 'not needed',
  skipped: 'skipped',
  'not-approved': 'not applied (needs confirmation)',
  declined: 'declined',
  manual: 'manual: do it yourself',
  failed: 'failed',
  planned: 'would apply',
}

export function formatPlanStep(p: PlannedStep, chalk: ChalkInstance): string[] {
  const risk = {safe: chalk.green, confirm: chalk.yellow, manual: chalk.gray}[p.step.risk](p.step.risk)
  const lines = [`  ${p.seq}. [${risk}] ${p.step.title}`, chalk.gray(`       where: ${whereOf(p.step)}`), `       why: ${p.step.why}`]
  lines.push(...detailsOf(p.step).map((d) => chalk.cyan(`       ${d}`)))
  lines.push(
    chalk.gray(`       undo: ${p.step.undo}`),
    chalk.gray(`       from: ${p.origin.check} [${p.origin.target}] ${p.origin.symptom}`),
  )
  return lines
}

function detailsOf(step: FixStep): string[] {
  switch (step.kind) {
    case 'run':
      return [`$ ${step.command.join(' ')}`]
    case 'manual':
      return step.instructions.map((i) => `$ ${i}`)
    case 'terminate':
      return [`SIGTERM, wait ${step.graceMs / 1000} s, then SIGKILL only if you confirm again`, `command: ${step.process.cmdline}`]
    case 'quarantine':
      return [
        ...(step.guard
          ? [
              `precondition: only while pid ${step.guard.pid} is ${step.guard.mustBe === 'dead' ? 'not running' : 'not running or still the same unrelated process'}`,
            ]
          : []),
        ...(step.unlocked ? ['precondition: only while no process holds a lock on it'] : []),
      ]
    default:
      return []
  }
}

export function formatPlan(plan: PlannedStep[], chalk: ChalkInstance, dryRun: boolean): string {
  if (plan.length === 0) return 'Nothing to fix automatically: no finding has a fix plan.\n'
  const head = dryRun ? chalk.bold('Fix plan (dry run: nothing is changed)') : chalk.bold('Fix plan')
  return [head, ...plan.flatMap((p) => formatPlanStep(p, chalk)), ''].join('\n') + '\n'
}

export function formatStepResult(r: StepResult, chalk: ChalkInstance): string {
  const paint =
    r.status === 'applied'
      ? chalk.green
      : r.status === 'failed'
        ? chalk.red
        : r.status === 'manual' || r.status === 'not-needed'
          ? chalk.gray
          : chalk.yellow
  const text = r.reason ?? r.detail ?? ''
  return `  ${r.seq}. ${paint(STATUS_TEXT[r.status])}: ${r.step.title}${text ? chalk.gray(` — ${text}`) : ''}`
}

/** Heads the step outcomes, which follow one line each as the steps are applied. */
export function formatFixHeading(chalk: ChalkInstance): string {
  return chalk.bold('Fix results') + '\n'
}

/** What follows the step outcomes: consent notes, each affected check's re-check verdict, the journal, the totals. */
export function formatFixOutcome(fix: FixReport, chalk: ChalkInstance): string {
  if (fix.mode === 'dry-run' || fix.steps.length === 0) return ''
  const out: string[] = []
  if (fix.steps.some((s) => s.status === 'not-approved'))
    out.push(chalk.yellow('  Steps that need confirmation were not applied: run on a terminal to be asked, or add --yes.'))
  if (fix.recheck.length > 0) {
    out.push('', chalk.bold('Re-check'))
    for (const r of fix.recheck)
      out.push(
        `  ${RECHECK_TEXT[r.outcome](chalk)} ${r.check} [${r.target}]${r.outcome === 'fixed' ? '' : ` (${r.status}): ${r.reason ?? ''}`}`,
      )
  }
  if (fix.runId) out.push('', chalk.gray(`Journal: run ${fix.runId} in ${fix.stateDir}. Undo with: doctor undo ${fix.runId}`))
  const s = fix.summaryAfter
  out.push(chalk.gray(`After fixing: ${s.pass} passed, ${s.warn} warned, ${s.fail} failed, ${s.error} could not decide, ${s.skip} skipped`))
  return out.join('\n') + '\n'
}

const RECHECK_TEXT: Record<RecheckResult['outcome'], (chalk: ChalkInstance) => string> = {
  fixed: (chalk) => chalk.green('✔ fixed'),
  'still-failing': (chalk) => chalk.red('✖ still failing'),
  'not-rechecked': (chalk) => chalk.yellow('? not re-checked'),
  skipped: (chalk) => chalk.yellow('↓ skipped on re-check'),
}
