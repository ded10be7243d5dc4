/**
 * `doctor --fix` and `doctor undo` for a host: `planFix` is the plan `--dry-run` prints,
 * `applyFix` applies it as `--fix` does (journaled under the fix lock, confirm steps only with a
 * yes, then the affected checks re-run), `undo` reverts a journaled run.
 */
import {lockForFix} from '../fix/cli.js'
import {acquireFixLock} from '../fix/lock.js'
import {planOf, runPlan} from '../fix/run-fix.js'
import {stateDirFor} from '../fix/state-dir.js'
import type {FixReport, PlannedStep, StepResult} from '../fix/types.js'
import {listRuns, undoRun, type RunSummary, type UndoOutcome} from '../fix/undo.js'
import type {Report} from '../types.js'
import {metaOf} from './meta.js'
import {recheckOf} from './run.js'

/** What `applyFix` follows: the steps in order, and the diagnosis they came from. */
export interface FixPlan {
  readonly steps: readonly PlannedStep[]
  readonly diagnosis: Report
}

/** The plan `doctor --dry-run` prints for `report` (suppressed findings get none). */
export function planFix(report: Report): FixPlan {
  // Plans name real paths and processes: they come from the report as the checks made it.
  const raw = metaOf(report)?.raw ?? report
  return {steps: planOf(raw), diagnosis: report}
}

export interface ApplyFixOptions {
  /** Environment (DOCTORKIT_STATE_DIR: where the journal and quarantine live); default: process.env. */
  env?: Readonly<Record<string, string | undefined>>
  /** Approve every confirm step (`--yes`). */
  yes?: boolean
  /** Asked for each confirm step when `yes` is not set; absent (and no `yes`): confirm steps are not applied. */
  ask?(question: string): Promise<boolean>
  /** Re-run the checks the applied steps touched (default true; needs a report from `runDoctor`). */
  recheck?: boolean
  /** Recorded in the journal as the command that made the run; default "doctor --fix". */
  command?: string
  /** Each step's outcome as it is applied. */
  onStep?(result: StepResult): void
}

/** Applies `plan` (safe steps, and confirm steps with consent) and returns what `fix` holds in `doctor --fix --json`. */
export async function applyFix(plan: FixPlan, options: ApplyFixOptions = {}): Promise<FixReport> {
  const env = {...(options.env ?? process.env)}
  const command = options.command ?? 'doctor --fix'
  const lock = await lockForFix({mode: 'apply', yes: Boolean(options.yes)}, command, env)
  try {
    const meta = metaOf(plan.diagnosis)
    const diagnosis = meta?.raw ?? plan.diagnosis
    const recheck = options.recheck !== false && meta ? recheckOf(meta.run, diagnosis) : async () => diagnosis
    return await runPlan([...plan.steps], {
      report: diagnosis,
      mode: 'apply',
      yes: Boolean(options.yes),
      interactive: options.ask !== undefined,
      stateDir: lock.stateDir,
      command,
      ask: options.ask ?? (async () => false),
      recheck,
      ...(options.onStep ? {onResult: options.onStep} : {}),
    })
  } finally {
    lock.release()
  }
}

export interface UndoOptions {
  /** Environment (DOCTORKIT_STATE_DIR); default: process.env. */
  env?: Readonly<Record<string, string | undefined>>
}

/** `doctor undo [run]`: reverts run `runId`, or the newest with something to restore; null when there is nothing. */
export async function undo(runId?: string, options: UndoOptions = {}): Promise<UndoOutcome | null> {
  const stateDir = stateDirFor(options.env ?? process.env)
  const lock = await acquireFixLock(stateDir, `doctor undo ${runId ?? ''}`.trim())
  try {
    return undoRun(stateDir, runId)
  } finally {
    lock.release()
  }
}

/** `doctor undo --list`: the journaled runs, newest first. */
export function listFixRuns(options: UndoOptions = {}): {stateDir: string; runs: RunSummary[]} {
  const stateDir = stateDirFor(options.env ?? process.env)
  return {stateDir, runs: listRuns(stateDir)}
}
