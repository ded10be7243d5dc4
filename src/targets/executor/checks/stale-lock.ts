import {conclude, skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {compareVersions, parseStartLock} from '../formats.js'
import {LAST_STARTUP_LOCK_VERSION} from '../generations.js'
import {checkRecordedPid, processEvidence} from '../identity.js'
import {ENTRY_READ_CAP, readDataDirEntries, loadExecutorState, manifestOf, requireReadableDataDir} from '../state.js'
import type {Finding} from '../../../types.js'
import type {Stats} from 'node:fs'
import {manualStep, quarantineStep} from '../../../fix/steps.js'
import type {FixRisk, FixStep} from '../../../fix/types.js'

/** executor-facts §4.1: a start waits at most 15 s for its daemon; four times that is certainly stuck. */
const STUCK_AFTER_MS = 60_000

export const executorStaleLock: TargetCheck = {
  symptoms: ['executor/stale-start-lock', 'executor/start-lock-blocked', 'executor/start-lock-stuck', 'executor/legacy-startup-lock'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    requireReadableDataDir(state)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    await readDataDirEntries(ctx, state)
    const findings: Finding[] = []
    const unknown: string[] = []
    for (const entry of state.entries.filter((e) => e.kind === 'start-lock')) {
      const verdict = await judgeLock(ctx, entry.path)
      if (verdict.kind === 'unknown') unknown.push(verdict.reason)
      else if (verdict.kind === 'dead')
        findings.push(
          finding('executor/stale-start-lock', {
            vars: {path: entry.path, pid: verdict.pid},
            evidence: {path: entry.path, pid: verdict.pid},
            plan: lockPlan(entry.path, verdict),
          }),
        )
      else if (verdict.kind === 'blocked')
        findings.push(
          finding('executor/start-lock-blocked', {
            vars: {path: entry.path, why: verdict.why},
            evidence: {path: entry.path, ...verdict.evidence},
            plan: lockPlan(entry.path, verdict),
          }),
        )
      else if (verdict.kind === 'live' && verdict.ageMs > STUCK_AFTER_MS) {
        findings.push(
          finding('executor/start-lock-stuck', {
            vars: {path: entry.path, pid: verdict.pid, ageS: Math.round(verdict.ageMs / 1000)},
            evidence: {path: entry.path, pid: verdict.pid, ageMs: verdict.ageMs},
            plan: stuckPlan(verdict.pid),
          }),
        )
      }
    }
    const legacy = await judgeLegacyLock(ctx, state.paths.legacyStartupLock, manifestOf(state)?.owner.version ?? null)
    if (legacy) findings.push(legacy)
    return conclude(findings, unknown)
  },
}

type LockVerdict =
  | {kind: 'absent'}
  | {kind: 'dead'; pid: number; stat: Stats; content: Buffer}
  | {kind: 'live'; pid: number; ageMs: number; stat: Stats; startedAtMs: number}
  | {
      kind: 'blocked'
      why: string
      evidence: Record<string, string | number | null>
      stat?: Stats
      reused?: {pid: number; startedAtMs: number}
    }
  | {kind: 'unknown'; reason: string}

async function judgeLock(ctx: CheckContext, path: string): Promise<LockVerdict> {
  const read = await ctx.files.read(path, ENTRY_READ_CAP)
  if (!read.ok) {
    if (read.code === 'ENOENT') return {kind: 'absent'}
    if (read.code === 'EACCES' || read.code === 'OTHER') return {kind: 'unknown', reason: `cannot read ${path} (${read.code})`}
    const st = await ctx.files.lstat(path)
    return {
      kind: 'blocked',
      why: `it is not a lock file the CLI can read (${read.message}), so it counts as held`,
      evidence: {error: read.code},
      ...(st.ok ? {stat: st.stat} : {}),
    }
  }
  const parsed = parseStartLock(read.text)
  if (!parsed.ok)
    return {
      kind: 'blocked',
      why: `its pid cannot be read (${parsed.reason}); the CLI treats an unreadable pid as a live holder`,
      evidence: {reason: parsed.reason, sizeBytes: read.stat.size},
      stat: read.stat,
    }
  const lock = parsed.value
  const writtenAt = (lock.startedAt ? Date.parse(lock.startedAt) : NaN) || read.stat.mtimeMs
  const pid = await checkRecordedPid(ctx, lock.pid, writtenAt)
  if (pid.state === 'dead') return {kind: 'dead', pid: lock.pid, stat: read.stat, content: read.bytes}
  if (pid.state === 'unknown') return {kind: 'unknown', reason: pid.reason}
  if (pid.state === 'reused') {
    return {
      kind: 'blocked',
      why: `its pid ${lock.pid} is alive but is not an Executor start: ${pid.why}`,
      evidence: {pid: lock.pid, currentOwner: processEvidence(pid.proc).command as string},
      stat: read.stat,
      reused: {pid: lock.pid, startedAtMs: pid.proc.startedAtMs},
    }
  }
  return {kind: 'live', pid: lock.pid, ageMs: ctx.now() - writtenAt, stat: read.stat, startedAtMs: pid.proc.startedAtMs}
}

async function judgeLegacyLock(ctx: CheckContext, path: string, version: string | null): Promise<Finding | null> {
  const verdict = await judgeLock(ctx, path)
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
        guard: {pid: verdict.pid, mustBe: 'dead'},
        why: `It is held by pid ${verdict.pid}, which is not running; the CLI reclaims such a lock itself.`,
      }),
    ]
  }
  if (verdict.kind !== 'blocked' || !verdict.stat) return undefined
  if (verdict.reused) {
    const {pid, startedAtMs} = verdict.reused
    return [
      quarantineStep({
        path,
        stat: verdict.stat,
        risk: risk ?? 'safe',
        guard: {pid, mustBe: 'dead-or-same', startedAtMs},
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
