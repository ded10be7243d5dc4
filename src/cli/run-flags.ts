/**
 * Flags shared by the commands that run checks (`doctor`, `doctor preflight`), and their
 * translation into run options. Bad values are usage errors (exit 2) naming the flag.
 */
import {DEFAULT_OPTIONS, type RunOptions} from '../context.js'
import {parseDuration} from '../duration.js'
import {UsageError} from '../engine/doctor.js'
import type {TargetId} from '../types.js'

export interface RunFlagValues {
  target?: string[]
  only?: string[]
  skip?: string[]
  /** Absent for commands that run no checks (`doctor bundle verify`): the default budget. */
  timeout?: string
  'executor-data-dir'?: string
  'executor-port'?: number | string
  'executor-checkout'?: string
  'runwisp-data-dir'?: string
  'runwisp-config'?: string
  'runwisp-port'?: number | string
  /** `--set <target>.<key>=<value>`, applied once the config is loaded (src/config/set.ts). */
  set?: string[]
  /** `doctor` and `doctor preflight` only: the name the report gives this machine. */
  hostname?: string
}

/** Unknown ids are a usage error (exit 2), with the closest known id suggested. */
export function validateCheckIds(ids: readonly string[], known: readonly string[]): void {
  for (const id of ids) {
    if (!known.includes(id)) {
      const near = known.filter((k) => k.includes(id) || id.includes(k) || k.split('-')[0] === id.split('-')[0])
      throw new UsageError(`unknown check id "${id}"`, [
        ...(near.length > 0 ? [`did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`] : []),
        'run `doctor checks` to list every check id',
      ])
    }
  }
}

/**
 * `--target` names a built-in or a target declared in the config the run follows; anything else
 * is a usage error (exit 2) naming the targets there are.
 */
export function validateTargetIds(ids: readonly string[], known: readonly string[], configPath: string | null): void {
  for (const id of ids) {
    if (known.includes(id)) continue
    const near = known.filter((k) => k.includes(id) || id.includes(k))
    throw new UsageError(`unknown target "${id}"`, [
      ...(near.length > 0 ? [`did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`] : []),
      `known targets: ${known.join(', ')}${configPath ? ` (built-in, and declared in ${configPath})` : ' (declare others in doctor.config.json `targets`)'}`,
    ])
  }
}

const list = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)

/** A TCP port from a flag: oclif hands a number, the fast path a string; both are checked here. */
function port(name: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--${name} "${value}" is not a TCP port`, ['use a whole number from 1 to 65535'])
  return n
}

/** A host name for the report: one word a fleet view can show (an inventory name, an FQDN, an address). */
function hostName(value: string): string {
  if (!/^[^\s\p{Cc}]{1,253}$/u.test(value))
    throw new UsageError(`--hostname "${value.replace(/\p{Cc}/gu, '?')}" is not a host name`, [
      'use 1 to 253 characters without spaces or control characters, for example the inventory name: --hostname web-1',
    ])
  return value
}

export function toRunOptions(flags: RunFlagValues): Partial<RunOptions> {
  const executorPort = port('executor-port', flags['executor-port'])
  const runwispPort = port('runwisp-port', flags['runwisp-port'])
  const budgetMs = flags.timeout === undefined ? DEFAULT_OPTIONS.budgetMs : parseDuration(flags.timeout)
  if (budgetMs === null)
    throw new UsageError(`--timeout "${flags.timeout}" is not a duration`, ['use a number of seconds or a value such as 30s, 1500ms, 2m'])
  return {
    ...(flags.hostname === undefined ? {} : {host: hostName(flags.hostname)}),
    forcedTargets: (flags.target ?? []) as TargetId[],
    only: list(flags.only),
    skip: list(flags.skip),
    budgetMs,
    checkTimeoutMs: Math.min(DEFAULT_OPTIONS.checkTimeoutMs, budgetMs),
    targetOptions: {
      executor: {
        ...(flags['executor-data-dir'] ? {dataDir: flags['executor-data-dir']} : {}),
        ...(executorPort ? {port: executorPort} : {}),
        ...(flags['executor-checkout'] ? {checkout: flags['executor-checkout']} : {}),
      },
      runwisp: {
        ...(flags['runwisp-data-dir'] ? {dataDir: flags['runwisp-data-dir']} : {}),
        ...(flags['runwisp-config'] ? {config: flags['runwisp-config']} : {}),
        ...(runwispPort ? {port: runwispPort} : {}),
      },
    },
  }
}
