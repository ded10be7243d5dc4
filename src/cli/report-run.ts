/**
 * The part of a checks run that `doctor` and `doctor preflight` share around the engine: read the
 * config, choose the format, and afterwards shape the report (suppressions, config skips, slow
 * flags), render it to stdout or `--output`, write the step summary, and decide the exit code.
 */
import {checks as allChecks} from '../../checks/index.js'
import type {CheckDefinition} from '../check.js'
import {expiredSuppressions, shapeReport} from '../config/apply.js'
import {DEFAULT_OPTIONS} from '../context.js'
import {loadConfig, type LoadedConfig} from '../config/load.js'
import {exitCodeFor, type DoctorRunInit} from '../engine/doctor.js'
import type {PlannedCheck, RunHooks} from '../engine/run-checks.js'
import {appendStepSummary, renderReport, resolveFormat, writeReportFile, type Format} from '../report/format.js'
import type {Report} from '../types.js'
import {endSoon} from './exit.js'
import {toRunOptions, type RunFlagValues} from './run-flags.js'


export interface ReportFlagValues extends RunFlagValues {
  format?: string
  output?: string
  config?: string
  json?: boolean
  strict?: boolean
  verbose?: boolean
}

export interface PreparedRun {
  format: Format
  loaded: LoadedConfig | null
  /** What to hand to runDoctor (add onPlan). */
  init: DoctorRunInit
  pool: readonly CheckDefinition[]
}

export interface PrepareOptions {
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  /** Restrict the run to these checks (preflight's set). */
  checkSet?: readonly CheckDefinition[]
  /** Targets checked even when not detected, unless --target names some. */
  defaultTargets?: RunFlagValues['target']
}

/** Throws UsageError (exit 2) for a bad flag or config. */
export async function prepareRun(flags: ReportFlagValues, prepare: PrepareOptions): Promise<PreparedRun> {
  const format = resolveFormat(flags, prepare.env)
  const options = toRunOptions({...flags, target: flags.target?.length ? flags.target : prepare.defaultTargets})
  const loaded = await loadConfig({cwd: prepare.cwd, explicit: flags.config})
  if (loaded) {
    options.skip = [...new Set([...(options.skip ?? []), ...loaded.config.skip])]
    options.watchPorts = loaded.config.watchPorts
  }
  return {
    format,
    loaded,
    pool: prepare.checkSet ?? allChecks,
    init: {
      options,
      verbose: flags.verbose,
      ...(prepare.checkSet ? {checkSet: prepare.checkSet} : {}),
      ...(loaded ? {timeouts: loaded.config.timeouts} : {}),
    },
  }
}

export interface FinishOptions {
  /** Name of the run in CI views. */
  name: string
  env: Readonly<Record<string, string | undefined>>
}

/** Shapes, renders and writes the report; returns it with the exit code (1 also for an expired suppression). */
export async function finishRun(run: PreparedRun, raw: Report, flags: ReportFlagValues, finish: FinishOptions): Promise<{report: Report; exitCode: 0 | 1}> {
  const report = shapeReport(raw, {
    config: run.loaded?.config ?? null,
    configPath: run.loaded?.path ?? null,
    pool: run.pool,
    only: run.init.options?.only ?? [],
    checkTimeoutMs: run.init.options?.checkTimeoutMs ?? DEFAULT_OPTIONS.checkTimeoutMs,
    now: Date.now(),
  })
  const text = await renderReport(report, run.format, {name: finish.name, strict: Boolean(flags.strict), verbose: Boolean(flags.verbose), workspace: finish.env.GITHUB_WORKSPACE})
  if (flags.output) {
    await writeReportFile(flags.output, text)
    process.stderr.write(`${finish.name}: ${run.format} report written to ${flags.output}\n`)
  } else process.stdout.write(text)
  const summaryFile = finish.env.GITHUB_STEP_SUMMARY
  if (run.format === 'github' && summaryFile) {
    const problem = await appendStepSummary(summaryFile, report, finish.name)
    if (problem) process.stderr.write(`${finish.name}: ${problem}\n`)
  }
  const exitCode = exitCodeFor(report, Boolean(flags.strict)) === 1 || expiredSuppressions(report).length > 0 ? 1 : 0
  endSoon()
  return {report, exitCode}
}

/** Whether the live task list belongs on stderr: not for JSON (silent) nor github (its log lists every result). */
export function wantsLiveView(format: Format): boolean {
  return format === 'human' || format === 'junit'
}

/** The listr2 live list on stderr, mirrored from the engine's hooks. */
export function liveView(planned: PlannedCheck[], env: Record<string, string | undefined>): {hooks: RunHooks; done: Promise<void>} | undefined {
  if (planned.length === 0) return undefined
  const pending = import('../report/listr-view.js').then((m) => m.createListrView(planned, env))
  return {
    hooks: {onEnd: (p, result) => void pending.then((v) => v.hooks.onEnd?.(p, result))},
    done: pending.then((v) => v.done),
  }
}
