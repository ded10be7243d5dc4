/**
 * What the `bundle` and `bundle verify` commands do, apart from flag parsing: reserve the output,
 * collect and redact, refuse to write anything the redactor would still change (fail closed),
 * write atomically, and report. Exit codes: 0 done / clean, 1 a secret was found, 2 the command
 * could not do its job (unwritable output, unreadable archive).
 */
import {homedir} from 'node:os'
import type {RunOptions} from '../context.js'
import type {TargetProfile} from '../targets/profile.js'
import {BundleOutput, OutputError} from './archive.js'
import {collectBundle, RedactionLeftover, redactorForThisMachine, type Bundle} from './collect.js'
import {formatList, formatVerify, formatWritten} from './format.js'
import {DEFAULT_BUNDLE_OPTIONS, type BundleOptions} from './options.js'
import {currentIdentity} from './redact/pseudonyms.js'
import {Redactor} from './redact/redactor.js'
import {verifyArchive, VerifyError, type VerifyResult} from './verify.js'
import {isDeadline} from '../probes/abort.js'

type Print = (text: string) => void

export interface BundleRun {
  env: Record<string, string | undefined>
  cwd: string
  options: BundleOptions
  runOptions: Partial<RunOptions>
  /** Targets declared in doctor.config.json. */
  profiles?: readonly TargetProfile[]
  list: boolean
  force: boolean
  /** Absolute path, and the path as the user wrote it (for messages). */
  output: {path: string; shown: string}
  out: Print
  err: Print
  /** Called with the collected bundle, and the archive's size once written (null for --list). */
  done?(bundle: Bundle, bytes: number | null): void
}

const homeOf = (env: Record<string, string | undefined>) => env.HOME || homedir()

function errorText(message: string, suggestions: string[] = []): string {
  return [`Error: ${message}`, ...suggestions.map((s) => `  ${s}`), ''].join('\n')
}

export async function runBundle(run: BundleRun): Promise<number> {
  const home = homeOf(run.env)
  // Until the known secrets are read, messages are cleaned of the home dir, user and host at least.
  let redactor = new Redactor([], currentIdentity(run.env, home))
  let output: BundleOutput | null = null
  if (!run.list) {
    try {
      output = await BundleOutput.reserve(run.output.path, run.force, run.output.shown)
    } catch (error) {
      if (!(error instanceof OutputError)) throw error
      run.err(redactor.clean(errorText(error.message, error.suggestions)))
      return 2
    }
  }
  const writer = output?.open(new Date())
  try {
    const bundle: Bundle = await collectBundle({
      env: run.env,
      cwd: run.cwd,
      home,
      options: run.options,
      runOptions: run.runOptions,
      profiles: run.profiles ?? [],
      ...(writer ? {sink: (entry: {name: string; data: Buffer}) => writer.add(entry)} : {}),
    })
    redactor = bundle.redactor
    if (run.list || !output || !writer) {
      run.done?.(bundle, null)
      run.out(formatList(bundle))
      return 0
    }
    await writer.finish()
    await output.commit()
    // Archive bytes on stdout: the summary goes to stderr, or it would trail the gzip stream.
    const say = output.isStdout ? run.err : run.out
    run.done?.(bundle, output.bytesWritten)
    say(formatWritten(bundle, run.output.shown, output.bytesWritten, output.streams))
    return 0
  } catch (error) {
    await output?.abort()
    if (error instanceof RedactionLeftover) {
      run.err(
        redactor.clean(
          errorText(
            'refusing to write the bundle: redaction left something behind (a doctorkit bug; please report it without the bundle)',
            error.hits.map((h) => `${h.file}: ${h.rule}`),
          ),
        ),
      )
      return 1
    }
    if (isDeadline(error)) {
      run.err(
        redactor.clean(
          errorText(`could not write the bundle: ${error.message}`, ['nothing was written; give it more time, e.g. --timeout 60s']),
        ),
      )
      return 2
    }
    const e = error as NodeJS.ErrnoException
    const reason =
      e.code === 'ENOSPC' ? 'the disk is full' : e.code === 'EFBIG' ? 'the file size limit was reached' : (e?.message ?? String(error))
    const after = output?.streams
      ? `what was already sent to ${run.output.shown} is an incomplete archive; discard it`
      : 'nothing was left behind; free some space or choose another --output'
    run.err(redactor.clean(errorText(`could not write the bundle: ${reason}`, [after])))
    return 2
  }
}

export interface VerifyRun {
  env: Record<string, string | undefined>
  cwd: string
  file: {path: string; shown: string}
  /** Where the products' secrets are (`--executor-data-dir`, `--runwisp-data-dir`, …), as for `doctor bundle`. */
  runOptions: Partial<RunOptions>
  /** Targets declared in doctor.config.json: their secret values are scanned for too. */
  profiles?: readonly TargetProfile[]
  out: Print
  err: Print
  /** Called with what the scan found, when the archive could be read. */
  done?(result: VerifyResult): void
}

export async function runVerify(run: VerifyRun): Promise<number> {
  const redactor = await redactorForThisMachine({
    env: run.env,
    cwd: run.cwd,
    home: homeOf(run.env),
    options: DEFAULT_BUNDLE_OPTIONS,
    runOptions: run.runOptions,
    profiles: run.profiles ?? [],
  })
  let result
  try {
    result = await verifyArchive(run.file.path, redactor)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    const reason =
      error instanceof VerifyError
        ? error.message
        : e.code === 'ENOENT'
          ? 'no such file'
          : e.code === 'EACCES'
            ? 'permission denied'
            : e.code === 'ELOOP'
              ? 'too many symbolic links'
              : (e?.message ?? String(error))
    run.err(redactor.clean(errorText(`cannot read ${run.file.shown} as a .tar.gz bundle: ${reason}`)))
    return 2
  }
  run.done?.(result)
  run.out(formatVerify(result, run.file.shown, redactor))
  return result.hits.length > 0 ? 1 : 0
}
