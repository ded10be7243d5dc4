/**
 * The one pipeline of every checks run — `doctor`, `doctor --fix` / `--dry-run` and `doctor
 * preflight` alike:
 *   1. resolve the run: flags and doctor.config.json, validated once (bad ones exit 2 before anything runs);
 *   2. run the checks through the engine, which applies the config's skips, timeouts and
 *      suppressions inside the run;
 *   3. optionally plan, apply and re-check through the same engine, under the same policy;
 *   4. render to stdout or `--output`, write the step summary, decide the exit code.
 * Never imports oclif: the fast root path (bin/run.js) and the oclif commands share it.
 */
import {diagnose, recheckOf, resolveRun, type CommandSetup, type ReportFlagValues} from '../api/run.js'
import {exitCodeFor} from '../engine/doctor.js'
import type {PlannedCheck, RunHooks} from '../engine/run-checks.js'
import {lockForFix, runFixStage} from '../fix/cli.js'
import {appendStepSummary, renderReport, type Format} from '../report/format.js'
import type {Report} from '../types.js'
import {endSoon} from './exit.js'
import {reportOutput} from './report-output.js'

// The run's resolution and diagnosis are the library's (src/api/run.ts): the CLI adds the views.
export {resolveRun, type CommandSetup, type ReportFlagValues, type ResolvedRun} from '../api/run.js'

/** Runs a checks command end to end and returns its report; sets process.exitCode. */
export async function runCommand(flags: ReportFlagValues, setup: CommandSetup): Promise<Report> {
  const run = await resolveRun(flags, setup)
  const command = `doctor ${setup.argv.join(' ')}`.trim()
  const lock = run.fix ? await lockForFix(run.fix, command, setup.env) : null
  try {
    const output = reportOutput(flags.output, `${run.name}: ${run.format} report`)
    const live = wantsLiveView(run.format) ? liveView(setup.env) : null
    const {raw: diagnosis, safety} = await diagnose(run, live ? {onPlan: live.onPlan} : {})
    await live?.done()
    const render = {
      name: run.name,
      strict: Boolean(flags.strict),
      verbose: Boolean(flags.verbose),
      workspace: setup.env.GITHUB_WORKSPACE,
      budgetMs: run.init.options.budgetMs,
      safety,
    }
    let report = diagnosis
    if (run.fix) {
      const fix = run.fix
      if (run.format === 'human') output.write(await renderReport(diagnosis, 'human', render))
      const outcome = await runFixStage(diagnosis, {
        fix,
        format: run.format === 'json' ? 'json' : 'human',
        stateDir: lock!.stateDir,
        command,
        output,
        safety,
        // The same engine and policy; the targets the diagnosis found stay in.
        recheck: recheckOf(run, diagnosis),
      })
      report = {...diagnosis, fix: outcome}
      if (run.format === 'json') output.write(await renderReport(report, 'json', render))
      process.exitCode = exitCodeFor(fix.mode === 'dry-run' ? diagnosis : {...diagnosis, summary: outcome.summaryAfter}, render.strict)
    } else {
      output.write(await renderReport(report, run.format, render))
      process.exitCode = exitCodeFor(report, render.strict)
    }
    await output.close()
    const summaryFile = setup.env.GITHUB_STEP_SUMMARY
    if (run.format === 'github' && summaryFile) {
      const problem = await appendStepSummary(summaryFile, report, run.name, safety)
      if (problem) process.stderr.write(`${run.name}: ${problem}\n`)
    }
    endSoon()
    return report
  } finally {
    lock?.release()
  }
}

/** Whether the live task list belongs on stderr: not for JSON (silent) nor github (its log lists every result). */
export function wantsLiveView(format: Format): boolean {
  return format === 'human' || format === 'junit'
}

/** The listr2 live list on stderr, mirrored from the engine's hooks; started once the plan is known. */
function liveView(env: Record<string, string | undefined>): {onPlan(planned: PlannedCheck[]): RunHooks | undefined; done(): Promise<void>} {
  let done: Promise<void> = Promise.resolve()
  return {
    onPlan(planned) {
      if (planned.length === 0) return undefined
      const pending = import('../report/listr-view.js').then((m) => m.createListrView(planned, env))
      done = pending.then((v) => v.done)
      return {onEnd: (p, result) => void pending.then((v) => v.hooks.onEnd?.(p, result))}
    },
    done: () => done,
  }
}
