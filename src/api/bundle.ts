/**
 * `doctor bundle` and `doctor bundle verify` for a host: the same collection, redaction,
 * fail-closed re-scan and atomic write (src/bundle/command.ts), with the outcome returned instead
 * of printed. `text` is what `doctor` prints, for a host to print the same.
 */
import {homedir} from 'node:os'
import {resolve} from 'node:path'
import {runBundle, runVerify} from '../bundle/command.js'
import {DEFAULT_BUNDLE_OPTIONS, formatSize, MAX_BUNDLE_FILE_BYTES, parseSize} from '../bundle/options.js'
import type {BundleEntry} from '../bundle/types.js'
import type {VerifyHit} from '../bundle/verify.js'
import type {RunOptions} from '../context.js'
import {applySetFlags} from '../config/set.js'
import {UsageError} from '../engine/doctor.js'
import type {TargetProfile} from '../targets/profile.js'
import {loadRunConfig} from './config.js'
import {runOptionsOf, type DoctorOptions} from './run.js'

/** The bundle could not be written or read: `message` says why and what to do; `exitCode` as `doctor bundle` exits. */
export class BundleError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly suggestions: string[] = [],
  ) {
    super(message)
    this.name = 'BundleError'
  }
}

export interface CreateBundleOptions extends Pick<
  DoctorOptions,
  'cwd' | 'env' | 'home' | 'config' | 'targets' | 'timeout' | 'force' | 'set'
> {
  /** Where to write it (relative to cwd); default ./doctorkit-bundle-<timestamp>.tar.gz. */
  output?: string
  /** Replace `output` if it exists. */
  overwrite?: boolean
  /** List what the bundle would hold and write nothing (`--list`). */
  list?: boolean
  /** At most this much of the end of each log: bytes or "1MiB", "256k". Default 1 MiB. */
  logBytes?: number | string
  /** At most this many lines of the end of each log. */
  logLines?: number
  /** How many of the most recent RunWisp run logs to include. */
  runLogs?: number
}

export interface BundleResult {
  /** Absolute path of the archive; null with `list`. */
  path: string | null
  /** Size of the archive; null with `list`. */
  bytes: number | null
  files: BundleEntry[]
  /** What `doctor bundle` prints. */
  text: string
}

/** A host's targets and their checks, which the config may name as it names its own. */
function hostOf(options: Pick<DoctorOptions, 'targets'>) {
  const hosted = options.targets ?? []
  return {extraChecks: hosted.flatMap((t) => t.checks), hostTargets: hosted.map((t) => t.profile)}
}

/**
 * The config's declared profiles and the built-ins' overrides with `--set` applied, as `doctor`
 * applies them (src/api/run.ts resolveRun), then the host's: the bundle collects from, and
 * redacts the secrets of, where the run was pointed.
 */
async function pointed(
  options: Pick<DoctorOptions, 'config' | 'set' | 'targets'>,
  where: {cwd: string; env: Readonly<Record<string, string | undefined>>; home: string},
  runOptions: Partial<RunOptions>,
): Promise<{profiles: TargetProfile[]; runOptions: Partial<RunOptions>}> {
  const config = await loadRunConfig({...where, config: options.config, ...hostOf(options)})
  // The host's profiles are set too (then collected from where --set points them, like a config's).
  const set = applySetFlags(options.set ?? [], {
    profiles: [...(config?.config.targets ?? []), ...(options.targets ?? []).map((t) => t.profile)],
    targetOptions: runOptions.targetOptions ?? {},
    expand: {env: where.env, home: where.home, baseDir: where.cwd},
  })
  return {profiles: set.profiles, runOptions: {...runOptions, targetOptions: set.targetOptions}}
}

/** `./doctorkit-bundle-20260721T101112Z.tar.gz` */
export function defaultBundleName(now: Date): string {
  return `./doctorkit-bundle-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.tar.gz`
}

/** Writes the redacted bundle (mode 0600, whole or not at all). Throws UsageError for bad options, BundleError when it cannot. */
export async function createBundle(
  options: CreateBundleOptions = {},
  runOptions: Partial<RunOptions> = runOptionsOf(options),
): Promise<BundleResult> {
  const env = {...(options.env ?? process.env)}
  const cwd = options.cwd ?? process.cwd()
  const home = options.home ?? env.HOME ?? homedir()
  const maxLogBytes = typeof options.logBytes === 'number' ? options.logBytes : parseSize(options.logBytes ?? '1MiB')
  if (maxLogBytes === null || maxLogBytes < 0)
    throw new UsageError(`--log-bytes "${options.logBytes}" is not a size`, ['use bytes or a value such as 1MiB, 256k, 2mb'])
  if (maxLogBytes > MAX_BUNDLE_FILE_BYTES)
    throw new UsageError(
      `--log-bytes ${options.logBytes} is over ${formatSize(MAX_BUNDLE_FILE_BYTES)}, the most a bundle file holds (doctor bundle verify refuses bigger entries)`,
      ['use --log-bytes 64MiB or less'],
    )
  // doctor.config.json as `doctor` finds it: its declared targets are checked, collected and redacted
  // too, where --set points them.
  const run = await pointed(options, {cwd, env, home}, runOptions)
  const shown = options.output ?? defaultBundleName(new Date())
  const out: string[] = []
  const err: string[] = []
  let outcome: {files: BundleEntry[]; bytes: number | null} = {files: [], bytes: null}
  const code = await runBundle({
    env,
    cwd,
    options: {
      ...DEFAULT_BUNDLE_OPTIONS,
      maxLogBytes,
      maxLogLines: options.logLines ?? DEFAULT_BUNDLE_OPTIONS.maxLogLines,
      runLogs: options.runLogs ?? DEFAULT_BUNDLE_OPTIONS.runLogs,
    },
    runOptions: run.runOptions,
    profiles: run.profiles,
    list: Boolean(options.list),
    force: Boolean(options.overwrite),
    output: {path: resolve(cwd, shown), shown},
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    done: (bundle, bytes) => void (outcome = {files: bundle.entries, bytes}),
  })
  if (code !== 0)
    throw new BundleError(
      err
        .join('')
        .replace(/^Error: /, '')
        .trimEnd(),
      code,
    )
  return {path: options.list ? null : resolve(cwd, shown), bytes: outcome.bytes, files: outcome.files, text: out.join('')}
}

export type VerifyBundleOptions = Pick<DoctorOptions, 'cwd' | 'env' | 'home' | 'config' | 'targets' | 'set'>

export interface VerifyBundleResult {
  /** No secret, pattern or name of this machine is in the archive, and it matches its manifest. */
  clean: boolean
  files: number
  /** Each file, rule and line that holds one (never the value). */
  hits: VerifyHit[]
  integrity: string[]
  /** What `doctor bundle verify` prints. */
  text: string
}

/** Re-scans an archive for this machine's secrets before it is shared. Throws BundleError (exit 2) when it cannot be read. */
export async function verifyBundle(
  path: string,
  options: VerifyBundleOptions = {},
  runOptions: Partial<RunOptions> = runOptionsOf(options),
): Promise<VerifyBundleResult> {
  const env = {...(options.env ?? process.env)}
  const cwd = options.cwd ?? process.cwd()
  const home = options.home ?? env.HOME ?? homedir()
  const run = await pointed(options, {cwd, env, home}, runOptions)
  const out: string[] = []
  const err: string[] = []
  let found: Omit<VerifyBundleResult, 'text' | 'clean'> = {files: 0, hits: [], integrity: []}
  const code = await runVerify({
    env,
    cwd,
    file: {path: resolve(cwd, path), shown: path},
    runOptions: run.runOptions,
    profiles: run.profiles,
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    done: (result) => void (found = result),
  })
  if (code === 2)
    throw new BundleError(
      err
        .join('')
        .replace(/^Error: /, '')
        .trimEnd(),
      code,
    )
  return {clean: code === 0, ...found, text: out.join('')}
}
