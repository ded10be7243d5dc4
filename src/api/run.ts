/**
 * `runDoctor`: one checks run, as `doctor --json` makes it. The CLI's commands and a host's code
 * go through the same two steps here: `resolveRun` (options and doctor.config.json, validated
 * once: a bad one is a UsageError before anything runs) and `diagnose` (the engine's run, then
 * this machine's known secrets learned through what the checks read, for the output-safety step).
 */
import {homedir} from 'node:os'
import {checks as registeredChecks} from '../../checks/index.js'
import {knownSecretsOf} from '../bundle/known-secrets.js'
import type {CheckDefinition} from '../check.js'
import type {RunConfig} from '../config/apply.js'
import {applySetFlags} from '../config/set.js'
import {DEFAULT_OPTIONS, type RunContext, type RunOptions} from '../context.js'
import {createRunContext, runDoctor as runEngine, type DoctorRunInit} from '../engine/doctor.js'
import {fixModeOf, type FixFlagValues, type FixMode} from '../fix/cli.js'
import {resolveFormat, type Format} from '../report/format.js'
import {OutputSafety} from '../report/safety.js'
import {declaredTarget, declaredTargets} from '../targets/declared/target.js'
import {targets as registeredTargets} from '../targets/index.js'
import type {TargetProfile} from '../targets/profile.js'
import type {TargetDefinition} from '../targets/types.js'
import type {Report, TargetId} from '../types.js'
import {toRunOptions, validateCheckIds, validateTargetIds, type RunFlagValues} from '../cli/run-flags.js'
import {loadRunConfig, type ConfigSource} from './config.js'
import {remember} from './meta.js'
import {definitionOf, type DoctorTarget} from './targets.js'

/** What a host can ask of one run. Every field is optional: `runDoctor()` is `doctor --json` here. */
export interface DoctorOptions {
  /** Working directory the run looks from (doctor.config.json, the Executor checkout); default: process.cwd(). */
  cwd?: string
  /** Environment the checks read (EXECUTOR_DATA_DIR, RUNWISP_PORT, …); default: process.env. */
  env?: Readonly<Record<string, string | undefined>>
  /** Home directory `~` means; default: env.HOME, else the OS's. */
  home?: string
  /** Targets to check besides the built-ins and the config's (`defineTarget`). */
  targets?: readonly DoctorTarget[]
  /** Target ids to check even when not detected (`--target`). */
  force?: readonly string[]
  /** Run only these check ids (`--only`). */
  only?: readonly string[]
  /** Skip these check ids (`--skip`). */
  skip?: readonly string[]
  /** Time budget of the whole run: milliseconds, or a duration such as "30s" (`--timeout`). Default 30 s. */
  timeout?: number | string
  /**
   * doctor.config.json: a path (as `--config`), the config itself as an object, or null for none.
   * Absent: looked for from `cwd` up to the repository root, as `doctor` does.
   */
  config?: ConfigSource
  /** `<target>.<key>=<value>` overrides (`--set`), e.g. "executor.dataDir=/srv/executor". */
  set?: readonly string[]
  /** The host name the report gives this machine (`--hostname`). */
  hostname?: string
}

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
  env: NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>>
  home?: string
  /** The checks the command runs, in report order (preflight's set). Default: every check. */
  checks?: readonly CheckDefinition[]
  /** Targets checked even when not detected, unless --target names some. */
  defaultTargets?: TargetId[]
  /** Targets a host defined in code. */
  targets?: readonly DoctorTarget[]
  /** The config as an object or null (none); absent: `flags.config`, else looked for. */
  config?: Exclude<ConfigSource, string | undefined>
}

export interface ResolvedRun {
  name: string
  format: Format
  fix: FixMode | null
  config: RunConfig | null
  /** What every engine run of this command gets: the diagnosis and, under --fix, the re-check. */
  init: DoctorRunInit & {options: NonNullable<DoctorRunInit['options']>}
}

/**
 * The host's targets as the run sees them: a target `--set` changed gets a definition made from
 * its changed copy (the host's DoctorTarget is left as defined); the others keep their own.
 */
export function hostedDefinitions(
  hosted: readonly DoctorTarget[],
  profiles: readonly TargetProfile[],
  changed: readonly TargetId[],
): TargetDefinition[] {
  return hosted.map((t, i) => (changed.includes(t.id) ? declaredTarget(profiles[i]!) : definitionOf(t)))
}

/** Flags (or a host's options) and config, validated together. Throws UsageError (exit 2) for a bad one. */
export async function resolveRun(flags: ReportFlagValues, setup: CommandSetup): Promise<ResolvedRun> {
  const fix = fixModeOf(flags, {explicit: flags.json ? 'json' : flags.format})
  const resolved = resolveFormat(flags, setup.env)
  // Under --fix the report is human or JSON; a CI default from the environment gives way to human.
  const format: Format = fix && resolved !== 'json' ? 'human' : resolved
  const options = toRunOptions({...flags, target: flags.target?.length ? flags.target : setup.defaultTargets})
  const hosted = setup.targets ?? []
  const pool = [...(setup.checks ?? registeredChecks), ...hosted.flatMap((t) => t.checks)]
  validateCheckIds(
    [...(options.only ?? []), ...(options.skip ?? [])],
    pool.map((c) => c.id),
  )
  const home = setup.home ?? setup.env.HOME ?? homedir()
  const loaded = await loadRunConfig({
    cwd: setup.cwd,
    env: setup.env,
    home,
    config: setup.config !== undefined ? setup.config : flags.config,
    extraChecks: hosted.flatMap((t) => t.checks),
    hostTargets: hosted.map((t) => t.profile),
  })
  // --set applies to the declared profiles as loaded, the host's, and the built-ins' overrides, before anything runs.
  const declared = loaded?.config.targets ?? []
  const set = applySetFlags(flags.set ?? [], {
    profiles: [...declared, ...hosted.map((t) => t.profile)],
    targetOptions: options.targetOptions,
    expand: {env: setup.env, home, baseDir: setup.cwd},
  })
  options.targetOptions = set.targetOptions
  const config = loaded && {...loaded, config: {...loaded.config, targets: set.profiles.slice(0, declared.length)}}
  const targets = [
    ...registeredTargets,
    ...declaredTargets(config?.config.targets ?? []),
    ...hostedDefinitions(hosted, set.profiles.slice(declared.length), set.changed),
  ]
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
    init: {
      options,
      checks: pool,
      targets,
      config,
      cwd: setup.cwd,
      env: {...setup.env},
      home,
      verbose: Boolean(flags.verbose),
    },
  }
}

/** Every declared profile of a run: the config's and the host's, whose secrets the outputs are redacted of. */
export function profilesOf(run: ResolvedRun): TargetProfile[] {
  return (run.init.targets ?? []).flatMap((t) => (t.profile ? [t.profile] : []))
}

export interface Diagnosis {
  /** The report as the engine made it (machine text as read). */
  raw: Report
  /** What every output of it passes through: this machine's known secrets, patterns, control characters. */
  safety: OutputSafety
}

/** The checks run of a resolved run, and the output-safety step for everything printed from it. */
export async function diagnose(run: ResolvedRun, hooks: Pick<DoctorRunInit, 'onPlan'> = {}): Promise<Diagnosis> {
  // The run's context is kept open past the checks to learn, through what they already read, the
  // secrets this machine holds: every output is redacted of them.
  const ctx = createRunContext(run.init)
  try {
    // Learned beside the checks: its reads fill the gaps while they wait on their own.
    const secrets = learnSecrets(ctx, profilesOf(run))
    const raw = await runEngine({...run.init, context: ctx, ...hooks})
    return {raw, safety: new OutputSafety(await secrets)}
  } finally {
    await ctx.close()
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

/**
 * The diagnosis again after fix steps: the same engine and policy; the targets the diagnosis found
 * stay in, even if the fix removed what made them detectable.
 */
export function recheckOf(run: ResolvedRun, diagnosis: Report): () => Promise<Report> {
  const alreadyFound = diagnosis.targets.filter((t) => t.detected || t.forced).map((t) => t.id)
  return () =>
    runEngine({
      ...run.init,
      options: {...run.init.options, forcedTargets: [...new Set([...(run.init.options.forcedTargets ?? []), ...alreadyFound])]},
    })
}

/** A host's options as the flags `doctor` would have been given. */
export function flagsOf(options: DoctorOptions): ReportFlagValues {
  const timeout = options.timeout === undefined ? undefined : typeof options.timeout === 'number' ? `${options.timeout}ms` : options.timeout
  return {
    json: true,
    ...(options.force ? {target: [...options.force]} : {}),
    ...(options.only ? {only: [...options.only]} : {}),
    ...(options.skip ? {skip: [...options.skip]} : {}),
    ...(timeout === undefined ? {} : {timeout}),
    ...(options.set ? {set: [...options.set]} : {}),
    ...(options.hostname === undefined ? {} : {hostname: options.hostname}),
    ...(typeof options.config === 'string' ? {config: options.config} : {}),
  }
}

export function setupOf(options: DoctorOptions, name = 'doctor'): CommandSetup {
  return {
    name,
    argv: [],
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    ...(options.home === undefined ? {} : {home: options.home}),
    ...(options.targets ? {targets: options.targets} : {}),
    ...(options.config === null || (typeof options.config === 'object' && options.config !== undefined) ? {config: options.config} : {}),
  }
}

/**
 * Runs every check that applies and returns the report `doctor --json` prints: the same checks,
 * statuses, findings and plans, with machine text already through the output-safety step
 * (redacted, terminal controls neutralised). Throws UsageError (exit 2) for a bad option or config.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<Report> {
  const run = await resolveRun(flagsOf(options), setupOf(options))
  const {raw, safety} = await diagnose(run)
  return remember(raw, {safety, run, budgetMs: run.init.options.budgetMs ?? DEFAULT_OPTIONS.budgetMs})
}

/** The run options a host's options come to (for the other API calls that read the same facts). */
export function runOptionsOf(options: DoctorOptions): Partial<RunOptions> {
  return toRunOptions(flagsOf(options))
}
