/**
 * The fix stage of a `doctor` run (`--fix`, `--dry-run`, `--yes`): after the diagnosis, plan,
 * (ask,) apply and re-check through the same engine, under the same flags and doctor.config.json.
 * The stage only adds to the report: under `--json` it stays one document, with the plan and its
 * outcome in `fix` (docs/fix.md); in human form each step is printed once, as it is applied.
 */
import {createInterface} from 'node:readline'
import type {ReportOutput} from '../cli/report-output.js'
import {UsageError} from '../engine/doctor.js'
import type {Format} from '../report/format.js'
import type {OutputSafety} from '../report/safety.js'
import type {Report} from '../types.js'
import {acquireFixLock} from './lock.js'
import {runFix} from './run-fix.js'
import {stateDirFor} from './state-dir.js'
import type {FixReport} from './types.js'

export interface FixFlagValues {
  fix?: boolean
  'dry-run'?: boolean
  yes?: boolean
}

export interface FixMode {
  mode: 'apply' | 'dry-run'
  yes: boolean
}

/** The fix stage the flags ask for, or null for a plain diagnosis. Bad combinations are usage errors (exit 2). */
export function fixModeOf(flags: FixFlagValues, format: {explicit?: string}): FixMode | null {
  if (!flags.fix && !flags['dry-run'] && !flags.yes) return null
  if (flags.yes && !flags.fix) throw new UsageError('--yes only applies with --fix', ['doctor --fix --yes'])
  // Repairs report in human or JSON form only: a CI format has no place for consent or undo.
  if (format.explicit && format.explicit !== 'human' && format.explicit !== 'json') {
    throw new UsageError(`--format ${format.explicit} does not apply to --fix`, ['use --json, or run the diagnosis without --fix'])
  }
  return {mode: flags['dry-run'] ? 'dry-run' : 'apply', yes: Boolean(flags.yes)}
}

/**
 * Takes the fix lock for an applying run (one --fix or undo at a time); a dry run changes nothing
 * and takes none. Returns the release, also run if the process exits early.
 */
export async function lockForFix(mode: FixMode, command: string, env: NodeJS.ProcessEnv): Promise<{stateDir: string; release(): void}> {
  const stateDir = stateDirFor(env)
  if (mode.mode === 'dry-run') return {stateDir, release: () => undefined}
  let lock: {release(): void}
  try {
    lock = await acquireFixLock(stateDir, command)
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`cannot use the doctor's state dir ${stateDir} for the fix journal and quarantine: ${(error as Error).message}`, [
      'set DOCTORKIT_STATE_DIR to a writable directory',
    ])
  }
  const release = () => lock.release()
  process.once('exit', release)
  return {
    stateDir,
    release() {
      release()
      process.removeListener('exit', release)
    },
  }
}

export interface FixStageInit {
  fix: FixMode
  format: Extract<Format, 'human' | 'json'>
  stateDir: string
  command: string
  output: ReportOutput
  /** What every printed plan line and outcome passes through first (the report's own output-safety step). */
  safety: OutputSafety
  /** The diagnosis again, through the same engine, policy and targets. */
  recheck(): Promise<Report>
}

/** Plans, asks, applies and re-checks; prints (human form) as it goes. Returns the `fix` member of the report. */
export async function runFixStage(diagnosis: Report, init: FixStageInit): Promise<FixReport> {
  const view = init.format === 'human' ? {chalk: (await import('chalk')).default, render: await import('./render.js')} : null
  const dryRun = init.fix.mode === 'dry-run'
  const printStep = (line: string) => {
    init.output.write(line + '\n')
    init.output.progress(line)
  }
  const fix = await runFix({
    report: diagnosis,
    mode: init.fix.mode,
    yes: init.fix.yes,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY && !process.env.CI),
    stateDir: init.stateDir,
    command: init.command,
    ask: (question) => ask(init.safety.text(question)),
    recheck: init.recheck,
    onPlan: view
      ? (plan) =>
          init.output.write(
            '\n' +
              view.render.formatPlan(init.safety.value(plan), view.chalk, dryRun) +
              (dryRun || plan.length === 0 ? '' : view.render.formatFixHeading(view.chalk)),
          )
      : undefined,
    onResult: view ? (result) => printStep(view.render.formatStepResult(init.safety.value(result), view.chalk)) : undefined,
  })
  if (view) init.output.write(view.render.formatFixOutcome(init.safety.value(fix), view.chalk))
  return fix
}

/** One yes/no question on the terminal; stdin is released afterwards so the process can exit. */
function ask(question: string): Promise<boolean> {
  const rl = createInterface({input: process.stdin, output: process.stderr})
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      resolve(/^y(es)?$/i.test(answer.trim()))
      rl.close()
    })
    rl.once('close', () => resolve(false))
  })
}
