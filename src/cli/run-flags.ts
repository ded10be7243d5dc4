/**
 * Flags shared by the commands that run checks (`doctor`, `doctor preflight`), and their
 * translation into run options. Bad values are usage errors (exit 2) naming the flag.
 */
import {Flags} from '@oclif/core'
import {DEFAULT_OPTIONS, type RunOptions} from '../context.js'
import {parseDuration} from '../duration.js'
import {UsageError} from '../engine/doctor.js'
import {TARGET_IDS, type TargetId} from '../types.js'

export const runFlags = {
  target: Flags.string({description: 'Check this product even if it was not detected (repeatable).', multiple: true, options: [...TARGET_IDS]}),
  only: Flags.string({description: 'Run only these check ids (repeatable or comma-separated).', multiple: true}),
  skip: Flags.string({description: 'Skip these check ids (repeatable or comma-separated).', multiple: true}),
  json: Flags.boolean({description: 'Print exactly one JSON document (the report) on stdout.'}),
  strict: Flags.boolean({description: 'Exit 1 on warnings too.'}),
  timeout: Flags.string({description: 'Time budget for the whole run ("30s", "1500ms", "2m"). No check outlives it.', default: '30s'}),
  verbose: Flags.boolean({char: 'v', description: 'Also show passing checks and their evidence, and stack traces of crashed checks.'}),
  'executor-data-dir': Flags.string({description: 'Executor data dir to check (default: $EXECUTOR_DATA_DIR, else ~/.executor).'}),
  'executor-port': Flags.integer({description: 'Port of the Executor daemon to check, when not the default 4788.', min: 1, max: 65535}),
  'executor-checkout': Flags.string({description: 'Executor monorepo checkout to check (default: the one containing the working directory).'}),
  'runwisp-data-dir': Flags.string({description: 'RunWisp data dir to check (default: $RUNWISP_DATA, else ./.runwisp, ./data or /var/lib/runwisp as root).'}),
  'runwisp-config': Flags.string({description: 'runwisp.toml to check (default: $RUNWISP_CONFIG, else ./runwisp.toml or /etc/runwisp/runwisp.toml as root).'}),
  'runwisp-port': Flags.integer({description: 'Port of the RunWisp daemon to check, when not $RUNWISP_PORT or the default 9477.', min: 1, max: 65535}),
}

export interface RunFlagValues {
  target?: string[]
  only?: string[]
  skip?: string[]
  timeout: string
  'executor-data-dir'?: string
  'executor-port'?: number
  'executor-checkout'?: string
  'runwisp-data-dir'?: string
  'runwisp-config'?: string
  'runwisp-port'?: number
}

const list = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)

export function toRunOptions(flags: RunFlagValues): Partial<RunOptions> {
  const budgetMs = parseDuration(flags.timeout)
  if (budgetMs === null) throw new UsageError(`--timeout "${flags.timeout}" is not a duration`, ['use a number of seconds or a value such as 30s, 1500ms, 2m'])
  return {
    forcedTargets: (flags.target ?? []) as TargetId[],
    only: list(flags.only),
    skip: list(flags.skip),
    budgetMs,
    checkTimeoutMs: Math.min(DEFAULT_OPTIONS.checkTimeoutMs, budgetMs),
    targetOptions: {
      executor: {
        ...(flags['executor-data-dir'] ? {dataDir: flags['executor-data-dir']} : {}),
        ...(flags['executor-port'] ? {port: flags['executor-port']} : {}),
        ...(flags['executor-checkout'] ? {checkout: flags['executor-checkout']} : {}),
      },
      runwisp: {
        ...(flags['runwisp-data-dir'] ? {dataDir: flags['runwisp-data-dir']} : {}),
        ...(flags['runwisp-config'] ? {config: flags['runwisp-config']} : {}),
        ...(flags['runwisp-port'] ? {port: flags['runwisp-port']} : {}),
      },
    },
  }
}
