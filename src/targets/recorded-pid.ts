/**
 * Whether the pid a file records (a pid file, a manifest, a start lock) is still its writer: the
 * one test every target's checks run, in one order. A dead or zombie pid is dead. A live process
 * that started after the file was written cannot have written it: reused, whatever it is; that
 * step comes first because it needs only the process table's start time and holds on its own. Only
 * then is the process asked whether it is the product at all (each target's identity rule).
 */
import type {CheckContext} from '../context.js'
import type {ProcessInfo} from '../probes/processes.js'

/** Start times are known to 10 ms and the file is written just after start: one second of slack. */
const START_SLACK_MS = 1000

export type RecordedPidOf<I> =
  | {state: 'dead'}
  | {state: 'alive'; proc: ProcessInfo; identity: I}
  | {state: 'reused'; proc: ProcessInfo; why: string}
  | {state: 'unknown'; reason: string}

export interface RecordedPidRule<I> {
  /** The target's identity rule for a live process: `foreign` makes the pid reused. */
  identify(proc: ProcessInfo): Promise<{foreign: false; identity: I} | {foreign: true; why: string}>
  /** The process as messages name it (a target may mask secrets in its command line). */
  command(proc: ProcessInfo): string
}

/** `writtenAtMs`: when the file was written (its own `startedAt`, else its mtime), or null when unknown. */
export async function recordedPid<I>(
  ctx: CheckContext,
  pid: number,
  writtenAtMs: number | null,
  rule: RecordedPidRule<I>,
): Promise<RecordedPidOf<I>> {
  const lookup = await ctx.processes.get(pid)
  if (lookup.alive === false) return {state: 'dead'}
  if (lookup.alive === 'unknown') return {state: 'unknown', reason: lookup.reason}
  const proc = lookup.info
  if (proc.state === 'Z') return {state: 'dead'}
  if (writtenAtMs !== null && proc.startedAtMs > writtenAtMs + START_SLACK_MS) {
    return {
      state: 'reused',
      proc,
      why: `pid ${pid} now belongs to ${rule.command(proc)}, which started at ${new Date(proc.startedAtMs).toISOString()}, after the file was written (${new Date(writtenAtMs).toISOString()})`,
    }
  }
  const identity = await rule.identify(proc)
  if (identity.foreign) return {state: 'reused', proc, why: `pid ${pid} now belongs to ${rule.command(proc)}: ${identity.why}`}
  return {state: 'alive', proc, identity: identity.identity}
}
