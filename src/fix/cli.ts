/**
 * The `--fix`, `--dry-run` and `--yes` flags of the root `doctor` command, and the run that uses
 * them: lock, diagnose, plan, (ask,) apply, re-check, report. Under `--json` the report stays one
 * document, with the plan and its outcome in `fix` (docs/fix.md).
 */
import {createInterface} from 'node:readline'
import type {RunOptions} from '../context.js'
import {exitCodeFor, runDoctor, UsageError} from '../engine/doctor.js'
import type {PlannedCheck, RunHooks} from '../engine/run-checks.js'
import type {Report} from '../types.js'
import {endSoon} from '../cli/exit.js'
import {acquireFixLock, type FixLock} from './lock.js'
import {runFix} from './run-fix.js'
import {stateDirFor} from './state-dir.js'


export interface FixFlagValues {
  fix: boolean
  'dry-run': boolean
  yes: boolean
  json: boolean
  verbose: boolean
  strict: boolean
}

export interface FixCommandInit {
  flags: FixFlagValues
  options: Partial<RunOptions>
  /** Starts the live view on stderr (not under --json). */
  startView?(planned: PlannedCheck[]): RunHooks | void
  viewDone(): Promise<void> | undefined
  argv: string[]
}

export async function runDoctorWithFix(init: FixCommandInit): Promise<Report> {
  const {flags} = init
  if (flags.yes && !flags.fix) throw new UsageError('--yes only applies with --fix', ['doctor --fix --yes'])
  const dryRun = flags['dry-run']
  const stateDir = stateDirFor(process.env)
  let lock: FixLock | undefined
  if (!dryRun) {
    try {
      lock = await acquireFixLock(stateDir, `doctor ${init.argv.join(' ')}`.trim())
    } catch (error) {
      if (error instanceof UsageError) throw error
      throw new UsageError(`cannot use the doctor's state dir ${stateDir} for the fix journal and quarantine: ${(error as Error).message}`, ['set DOCTORKIT_STATE_DIR to a writable directory'])
    }
  }
  const release = () => lock?.release()
  process.once('exit', release)
  try {
    const report = await runDoctor({options: init.options, verbose: flags.verbose, onPlan: flags.json || !init.startView ? undefined : (planned) => init.startView!(planned)})
    await init.viewDone()
    const [{formatHuman}, {default: chalk}, render] = await Promise.all([import('../report/human.js'), import('chalk'), import('./render.js')])
    if (!flags.json) process.stdout.write(formatHuman(report, {verbose: flags.verbose, chalk}))
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY && !process.env.CI)
    const fix = await runFix({
      report,
      mode: dryRun ? 'dry-run' : 'apply',
      yes: flags.yes,
      interactive,
      stateDir,
      command: `doctor ${init.argv.join(' ')}`.trim(),
      ask,
      recheck: () =>
        runDoctor({
          options: {...init.options, forcedTargets: [...new Set([...(init.options.forcedTargets ?? []), ...report.targets.filter((t) => t.detected || t.forced).map((t) => t.id)])]},
          verbose: flags.verbose,
        }),
      onPlan: flags.json ? undefined : (plan) => process.stdout.write('\n' + render.formatPlan(plan, chalk, dryRun)),
      onResult: flags.json ? undefined : (result) => process.stderr.write(render.formatStepResult(result, chalk) + '\n'),
    })
    const full: Report = {...report, fix}
    if (flags.json) process.stdout.write(JSON.stringify(full, null, 2) + '\n')
    else process.stdout.write(render.formatFixReport(fix, chalk))
    process.exitCode = dryRun ? exitCodeFor(report, flags.strict) : exitCodeFor({...report, summary: fix.summaryAfter}, flags.strict)
    endSoon()
    return full
  } finally {
    release()
    process.removeListener('exit', release)
  }
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
