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
import {checks as registeredChecks} from '../../checks/index.js'
import type {CheckDefinition} from '../check.js'
import type {RunConfig} from '../config/apply.js'
import {configFor, homeOf} from '../config/load.js'
import {applySetFlags} from '../config/set.js'
import {knownSecretsOf} from '../bundle/known-secrets.js'
import type {RunContext} from '../context.js'
import {createRunContext, exitCodeFor, runDoctor, type DoctorRunInit} from '../engine/doctor.js'
import type {PlannedCheck, RunHooks} from '../engine/run-checks.js'
import {fixModeOf, lockForFix, runFixStage, type FixFlagValues, type FixMode} from '../fix/cli.js'
import {appendStepSummary, renderReport, resolveFormat, type Format} from '../report/format.js'
import {OutputSafety} from '../report/safety.js'
import {declaredTargets} from '../targets/declared/target.js'
import type {TargetProfile} from '../targets/profile.js'
import {targets as registeredTargets} from '../targets/index.js'
import type {Report, TargetId} from '../types.js'
import {endSoon} from './exit.js'
import {reportOutput} from './report-output.js'
import {toRunOptions, validateCheckIds, validateTargetIds, type RunFlagValues} from './run-flags.js'

export interface ReportFlagValues extends RunFlagValues, FixFlagValues {
  format?: string
  output?: string
  config?: string
  json?: boolean
  strict?: boolean
  verbose?: boolean
}

export interface CommandSetup {
  /** Name of the run in messages and CI views (`doctor`, `doctor preflight`). */
  name: string
  argv: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  /** The checks the command runs, in report order (preflight's set). Default: every check. */
  checks?: readonly CheckDefinition[]
  /** Targets checked even when not detected, unless --target names some. */
  defaultTargets?: TargetId[]
}

export interface ResolvedRun {
  name: string
  format: Format
  fix: FixMode | null
  config: RunConfig | null
  /** What every engine run of this command gets: the diagnosis and, under --fix, the re-check. */
  init: DoctorRunInit & {options: NonNullable<DoctorRunInit['options']>}
}

/** Flags and config, validated together. Throws UsageError (exit 2) for a bad flag or config. */
export async function resolveRun(flags: ReportFlagValues, setup: CommandSetup): Promise<ResolvedRun> {
  const fix = fixModeOf(flags, {explicit: flags.json ? 'json' : flags.format})
  const resolved = resolveFormat(flags, setup.env)
  // Under --fix the report is human or JSON; a CI default from the environment gives way to human.
  const format: Format = fix && resolved !== 'json' ? 'human' : resolved
  const options = toRunOptions({...flags, target: flags.target?.length ? flags.target : setup.defaultTargets})
  validateCheckIds(
    [...(options.only ?? []), ...(options.skip ?? [])],
    registeredChecks.map((c) => c.id),
  )
  const home = homeOf(setup.env)
  const loaded = await configFor({cwd: setup.cwd, env: setup.env, explicit: flags.config})
  // --set applies to the declared profiles as loaded and to the built-ins' overrides, before anything runs.
  const set = applySetFlags(flags.set ?? [], {
    profiles: loaded?.config.targets ?? [],
    targetOptions: options.targetOptions,
    expand: {env: setup.env, home, baseDir: setup.cwd},
  })
  options.targetOptions = set.targetOptions
  const config = loaded && {...loaded, config: {...loaded.config, targets: set.profiles}}
  const targets = [...registeredTargets, ...declaredTargets(config?.config.targets ?? [])]
  validateTargetIds(
    options.forcedTargets ?? [],
    targets.map((t) => t.id),
    config?.path ?? null,
  )
  return {
    name: setup.name,
    format,
    fix,
    config,
    init: {options, checks: setup.checks ?? registeredChecks, targets, config, verbose: Boolean(flags.verbose)},
  }
}

/** Runs a checks command end to end and returns its report; sets process.exitCode. */
export async function runCommand(flags: ReportFlagValues, setup: CommandSetup): Promise<Report> {
  const run = await resolveRun(flags, setup)
  const command = `doctor ${setup.argv.join(' ')}`.trim()
  const lock = run.fix ? await lockForFix(run.fix, command, setup.env) : null
  try {
    const output = reportOutput(flags.output, `${run.name}: ${run.format} report`)
    const live = wantsLiveView(run.format) ? liveView(setup.env) : null
    // The run's context is kept open past the checks to learn, through what they already read, the
    // secrets this machine holds: every output is redacted of them.
    const ctx = createRunContext(run.init)
    let diagnosis: Report
    let safety: OutputSafety
    try {
      diagnosis = await runDoctor({...run.init, context: ctx, ...(live ? {onPlan: live.onPlan} : {})})
      safety = new OutputSafety(await learnSecrets(ctx, run.config?.config.targets ?? []))
    } finally {
      await ctx.close()
    }
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
      const alreadyFound = diagnosis.targets.filter((t) => t.detected || t.forced).map((t) => t.id)
      const outcome = await runFixStage(diagnosis, {
        fix,
        format: run.format === 'json' ? 'json' : 'human',
        stateDir: lock!.stateDir,
        command,
        output,
        safety,
        // The same engine and policy; the targets the diagnosis found stay in, even if the fix removed what made them detectable.
        recheck: () =>
          runDoctor({
            ...run.init,
            options: {...run.init.options, forcedTargets: [...new Set([...(run.init.options.forcedTargets ?? []), ...alreadyFound])]},
          }),
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

/**
 * What the bundle would redact as known values. Reading them can fail (a file vanishing, a probe
 * cut short): the outputs then still get the pattern redaction and the control neutralising.
 */
async function learnSecrets(ctx: RunContext, profiles: readonly TargetProfile[]) {
  try {
    return await knownSecretsOf(ctx, profiles)
  } catch {
    return []
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
