/**
 * The root `doctor` run, shared by the oclif command and the fast path in bin/run.js: one body,
 * whichever parser read the flags. Never imports oclif.
 */
import {runDoctor, UsageError} from '../engine/doctor.js'
import type {PlannedCheck, RunHooks} from '../engine/run-checks.js'
import {runDoctorWithFix} from '../fix/cli.js'
import type {Report} from '../types.js'
import {finishRun, prepareRun, wantsLiveView, type ReportFlagValues} from './report-run.js'
import {toRunOptions} from './run-flags.js'

export interface RootFlags extends ReportFlagValues {
  fix?: boolean
  'dry-run'?: boolean
  yes?: boolean
}

export async function runRoot(flags: RootFlags, argv: string[]): Promise<Report> {
  let view: {done: Promise<void>} | undefined
  const startView = (planned: PlannedCheck[]): RunHooks | undefined => {
    if (planned.length === 0) return undefined
    const pending = import('../report/listr-view.js').then((m) => m.createListrView(planned, process.env))
    view = {done: pending.then((v) => v.done)}
    return {onEnd: (p, result) => void pending.then((v) => v.hooks.onEnd?.(p, result))}
  }
  if (flags.fix || flags['dry-run'] || flags.yes) {
    // Repairs report in human or JSON form only: a CI format has no place for consent or undo.
    if (flags.format && flags.format !== 'human' && flags.format !== 'json') throw new UsageError(`--format ${flags.format} does not apply to --fix`, ['use --json, or run the diagnosis without --fix'])
    const json = Boolean(flags.json) || flags.format === 'json'
    const fixFlags = {fix: Boolean(flags.fix), 'dry-run': Boolean(flags['dry-run']), yes: Boolean(flags.yes), json, verbose: Boolean(flags.verbose), strict: Boolean(flags.strict)}
    return runDoctorWithFix({flags: fixFlags, options: toRunOptions(flags), argv, startView, viewDone: () => view?.done})
  }
  const run = await prepareRun(flags, {cwd: process.cwd(), env: process.env})
  const raw = await runDoctor({...run.init, onPlan: wantsLiveView(run.format) ? startView : undefined})
  await view?.done
  const {report, exitCode} = await finishRun(run, raw, flags, {name: 'doctor', env: process.env})
  process.exitCode = exitCode
  return report
}
