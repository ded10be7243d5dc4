/**
 * Executor's lock files as stale-lock judges them (checks/stale-lock.ts, `hooks.lockFiles`): each
 * start lock in the data dir (from the batched read of its entries) and the legacy
 * server-control/startup.lock, read as the CLI reads them (executor-facts §2.2, §4.1), their pid
 * judged by the one recorded-pid rule, and each verdict worded by Executor's rule for that file:
 * a dead pid is debris the CLI reclaims, an unreadable pid or a recycled one a lock the CLI counts
 * as held, a live start holding it for a minute stuck, and startup.lock harmless debris once the
 * manifest's version is one that never reads it.
 */
import {finding} from '../../catalogue.js'
import type {CheckContext} from '../../context.js'
import {compareVersions, parseStartLock} from './formats.js'
import {LAST_STARTUP_LOCK_VERSION} from './generations.js'
import {executorPidRule, processEvidence} from './identity.js'
import {ENTRY_READ_CAP, loadStateWithEntries, manifestOf} from './state.js'
import type {Finding} from '../../types.js'
import type {Stats} from 'node:fs'
import {manualStep, quarantineStep} from '../../fix/steps.js'
import type {FixRisk, FixStep, PidGuard} from '../../fix/types.js'
import type {RecordedFile, RecordedFiles, RecordedVerdict} from '../profile.js'

/** executor-facts §4.1: a start waits at most 15 s for its daemon; four times that is certainly stuck. */
const STUCK_AFTER_MS = 60_000

/** The symptoms Executor's lock files are reported as (its profile's `hookSymptomIds['lock-files']`). */
export const LOCK_FILE_SYMPTOMS = [
  'executor/stale-start-lock',
  'executor/start-lock-blocked',
  'executor/start-lock-stuck',
  'executor/legacy-startup-lock',
] as const

/** Every start lock in the data dir, then the legacy startup.lock; no data dir, nothing to judge. */
export async function executorLockFiles(ctx: CheckContext): Promise<RecordedFiles> {
  const state = await loadStateWithEntries(ctx)
  if ('skip' in state) return state
  const files: RecordedFile[] = []
  for (const entry of state.entries.filter((e) => e.kind === 'start-lock')) {
    files.push(await lockFile(ctx, entry.path, (verdict) => Promise.resolve(startLockFindings(entry.path, verdict))))
  }
  const version = manifestOf(state)?.owner.version ?? null
  const legacy = state.paths.legacyStartupLock
  files.push(
    await lockFile(ctx, legacy, (verdict) => {
      const f = legacyFinding(legacy, version, verdict)
      return Promise.resolve(f ? [f] : [])
    }),
  )
  return {files}
}

type LockVerdict =
  | {kind: 'absent'}
  | {kind: 'dead'; pid: number; stat: Stats; content: Buffer; guard: PidGuard}
  | {kind: 'live'; pid: number; ageMs: number; stat: Stats; startedAtMs: number}
  | {
      kind: 'blocked'
      why: string
      evidence: Record<string, string | number | null>
      stat?: Stats
      reused?: {pid: number; guard: PidGuard}
    }
  | {kind: 'unknown'; reason: string}

/**
 * A lock file as the CLI reads it: no such file, unreadable (undecided), not a lock it can read
 * or with a pid it cannot parse (held, as far as the CLI is concerned), or a pid and when it
 * was written (its `startedAt`, else its mtime). `report` gets Executor's reading of the verdict.
 */
async function lockFile(
  ctx: CheckContext,
  path: string,
  report: (verdict: LockVerdict) => Promise<Finding[] | {undecided: string}>,
): Promise<RecordedFile> {
  const rule = executorPidRule(ctx)
  const read = await ctx.files.read(path, ENTRY_READ_CAP)
  if (!read.ok) {
    if (read.code === 'ENOENT') return {path, read: {kind: 'absent'}, rule, report: () => report({kind: 'absent'})}
    if (read.code === 'EACCES' || read.code === 'OTHER') {
      const reason = `cannot read ${path} (${read.code})`
      return {path, read: {kind: 'unknown', reason}, rule, report: () => report({kind: 'unknown', reason})}
    }
    const st = await ctx.files.lstat(path)
    const blocked: LockVerdict = {
      kind: 'blocked',
      why: `it is not a lock file the CLI can read (${read.message}), so it counts as held`,
      evidence: {error: read.code},
      ...(st.ok ? {stat: st.stat} : {}),
    }
    return {path, read: {kind: 'invalid', reason: read.message}, rule, report: () => report(blocked)}
  }
  const parsed = parseStartLock(read.text)
  if (!parsed.ok) {
    const blocked: LockVerdict = {
      kind: 'blocked',
      why: `its pid cannot be read (${parsed.reason}); the CLI treats an unreadable pid as a live holder`,
      evidence: {reason: parsed.reason, sizeBytes: read.stat.size},
      stat: read.stat,
    }
    return {path, read: {kind: 'invalid', reason: parsed.reason}, rule, report: () => report(blocked)}
  }
  const lock = parsed.value
  const writtenAt = (lock.startedAt ? Date.parse(lock.startedAt) : NaN) || read.stat.mtimeMs
  return {
    path,
    read: {kind: 'pid', pid: lock.pid, writtenAtMs: writtenAt},
    rule,
    report(ctx, verdict: RecordedVerdict) {
      if (verdict.kind === 'dead') return report({kind: 'dead', pid: lock.pid, stat: read.stat, content: read.bytes, guard: verdict.guard})
      if (verdict.kind === 'reused')
        return report({
          kind: 'blocked',
          why: `its pid ${lock.pid} is alive but is not an Executor start: ${verdict.why}`,
          evidence: {pid: lock.pid, currentOwner: processEvidence(verdict.proc).command as string},
          stat: read.stat,
          reused: {pid: lock.pid, guard: verdict.guard},
        })
      if (verdict.kind === 'alive')
        return report({kind: 'live', pid: lock.pid, ageMs: ctx.now() - writtenAt, stat: read.stat, startedAtMs: verdict.proc.startedAtMs})
      if (verdict.kind === 'unknown') return report({kind: 'unknown', reason: verdict.reason})
      // A pid read is never absent or invalid; should the rule say so, the file is gone.
      return report({kind: 'absent'})
    },
  }
}

/** A start lock: dead debris (warn), blocking starts (fail), or a live start stuck on it (warn). */
function startLockFindings(path: string, verdict: LockVerdict): Finding[] | {undecided: string} {
  if (verdict.kind === 'unknown') return {undecided: verdict.reason}
  if (verdict.kind === 'dead')
    return [
      finding('executor/stale-start-lock', {
        vars: {path, pid: verdict.pid},
        evidence: {path, pid: verdict.pid},
        plan: lockPlan(path, verdict),
      }),
    ]
  if (verdict.kind === 'blocked')
    return [
      finding('executor/start-lock-blocked', {
        vars: {path, why: verdict.why},
        evidence: {path, ...verdict.evidence},
        plan: lockPlan(path, verdict),
      }),
    ]
  if (verdict.kind === 'live' && verdict.ageMs > STUCK_AFTER_MS)
    return [
      finding('executor/start-lock-stuck', {
        vars: {path, pid: verdict.pid, ageS: Math.round(verdict.ageMs / 1000)},
        evidence: {path, pid: verdict.pid, ageMs: verdict.ageMs},
        plan: stuckPlan(verdict.pid),
      }),
    ]
  return []
}

/** The legacy startup.lock, by Executor's generation rule (#1175): harmless debris for a CLI that never reads it. */
function legacyFinding(path: string, version: string | null, verdict: LockVerdict): Finding | null {
  if (verdict.kind === 'absent' || verdict.kind === 'unknown') return null
  const unused = version !== null && compareVersions(version, LAST_STARTUP_LOCK_VERSION) > 0
  if (unused) {
    // Never read from 1.5.23 on (#1175): moving it aside cannot disturb anything, whoever holds it.
    const plan =
      verdict.kind === 'live'
        ? // Source: executor-facts §2.2, #1175
          [
            quarantineStep({
              path,
              stat: verdict.stat,
              guard: {pid: verdict.pid, mustBe: 'dead-or-same', startedAtMs: verdict.startedAtMs},
              why: `Executor ${version} never reads server-control/startup.lock, so moving it aside cannot disturb pid ${verdict.pid}; that process is not signalled.`,
            }),
          ]
        : lockPlan(path, verdict, 'safe')
    return finding('executor/legacy-startup-lock', {
      vars: {path, state: `left over from a CLI older than 1.5.23; version ${version} never reads it, so it is harmless debris`},
      severity: 'warn',
      evidence: {path, ownerVersion: version},
      plan,
    })
  }
  if (verdict.kind === 'dead') {
    return finding('executor/legacy-startup-lock', {
      vars: {path, state: `held by pid ${verdict.pid}, which is not running; the next start reclaims it`},
      severity: 'warn',
      evidence: {path, pid: verdict.pid},
      plan: lockPlan(path, verdict),
    })
  }
  if (verdict.kind === 'blocked')
    return finding('executor/legacy-startup-lock', {
      vars: {path, state: `blocking starts: ${verdict.why}`},
      evidence: {path, ...verdict.evidence},
      plan: lockPlan(path, verdict),
    })
  if (verdict.ageMs > STUCK_AFTER_MS) {
    return finding('executor/legacy-startup-lock', {
      vars: {path, state: `held by Executor pid ${verdict.pid} for ${Math.round(verdict.ageMs / 1000)} s`},
      severity: 'warn',
      evidence: {path, pid: verdict.pid},
      plan: stuckPlan(verdict.pid),
    })
  }
  return null
}

/**
 * A lock whose pid is dead or recycled is debris the CLI would reclaim itself (executor-facts §2.2,
 * §9.1 (5)): quarantined, safe, while the pid stays dead (or stays the unrelated process). A lock
 * whose pid cannot be read names no holder to verify, so moving it needs a confirm.
 */
function lockPlan(path: string, verdict: LockVerdict, risk?: FixRisk): FixStep[] | undefined {
  if (verdict.kind === 'dead') {
    // Source: executor-facts §2.2
    return [
      quarantineStep({
        path,
        stat: verdict.stat,
        content: verdict.content,
        risk: risk ?? 'safe',
        guard: verdict.guard,
        why: `It is held by pid ${verdict.pid}, which is not running; the CLI reclaims such a lock itself.`,
      }),
    ]
  }
  if (verdict.kind !== 'blocked' || !verdict.stat) return undefined
  if (verdict.reused) {
    const {pid, guard} = verdict.reused
    return [
      quarantineStep({
        path,
        stat: verdict.stat,
        risk: risk ?? 'safe',
        guard,
        why: `Its pid ${pid} belongs to a process that is not an Executor start; that process is never signalled, only the lock is moved aside.`,
      }),
    ]
  }
  return [
    quarantineStep({
      path,
      stat: verdict.stat,
      risk: risk ?? 'confirm',
      why: 'Its pid cannot be read, so the CLI counts it as held forever. Confirm that no Executor start is running (`pgrep -af executor`) before moving it aside.',
    }),
  ]
}

/** A live Executor start holding its lock too long: the documented commands, run by hand (executor-facts §4.2). */
function stuckPlan(pid: number): FixStep[] {
  return [
    manualStep({
      title: `Stop the stuck Executor start (pid ${pid}) and run it in the foreground to see why it hangs`,
      why: 'The start is alive; only its own stop command should end it, and its log says why it is stuck.',
      instructions: ['executor daemon stop', 'executor daemon run --foreground --log-level trace'],
    }),
  ]
}
