/**
 * Whether the pid a file records (a pid file, a manifest, a start lock) is still its writer: the
 * one test every target's checks run, in one order. A dead or zombie pid is dead. A live process
 * that started after the file was written cannot have written it: reused, whatever it is; that
 * step comes first because it needs only the process table's start time and holds on its own. Only
 * then is the process asked whether it is the product at all (each target's identity rule).
 */
import type {CheckContext} from '../context.js'
import {conclude, skip, type Verdict} from '../check.js'
import type {ProcessInfo} from '../probes/processes.js'
import type {Finding} from '../types.js'
import type {RecordedFile, RecordedFiles, RecordedVerdict} from './profile.js'

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

/**
 * The rule's verdict on a file a product read (a lock, a record, a pid file), with the guard a
 * quarantine of it must carry: it runs only while a dead pid is still dead, and a recycled one is
 * dead or still that same unrelated process (same start time), so a daemon that starts meanwhile
 * never loses its file.
 */
export async function judgeRecorded(
  ctx: CheckContext,
  read: RecordedFile['read'],
  rule: RecordedPidRule<unknown>,
): Promise<RecordedVerdict> {
  if (read.kind === 'absent' || read.kind === 'invalid') return read
  if (read.kind === 'unknown') return {kind: 'unknown', pid: null, reason: read.reason}
  const {pid} = read
  const recorded = await recordedPid(ctx, pid, read.writtenAtMs, rule)
  if (recorded.state === 'dead') return {kind: 'dead', pid, guard: {pid, mustBe: 'dead'}}
  if (recorded.state === 'unknown') return {kind: 'unknown', pid, reason: recorded.reason}
  if (recorded.state === 'reused')
    return {
      kind: 'reused',
      pid,
      proc: recorded.proc,
      why: recorded.why,
      guard: {pid, mustBe: 'dead-or-same', startedAtMs: recorded.proc.startedAtMs},
    }
  return {kind: 'alive', pid, proc: recorded.proc}
}

/**
 * Each file judged by the rule and reported by its product, in order. Nothing found but some
 * pids undecidable: `error` naming them (conclude), never a guessed pass.
 */
export async function judgeRecordedFiles(ctx: CheckContext, set: RecordedFiles): Promise<Verdict> {
  if ('skip' in set) return skip(set.skip)
  const findings: Finding[] = []
  const undecided: string[] = []
  for (const file of set.files) {
    const reported = await file.report(ctx, await judgeRecorded(ctx, file.read, file.rule))
    if (Array.isArray(reported)) findings.push(...reported)
    else undecided.push(reported.undecided)
  }
  return conclude(findings, undecided, set.undecidedLead)
}
