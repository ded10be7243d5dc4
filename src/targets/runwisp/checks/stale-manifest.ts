import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {since} from '../generations.js'
import {processEvidence} from '../identity.js'
import {loadPidFile, loadRunwispState, requireReadableDataDir, runwispFacts, type LockState} from '../state.js'
import type {CheckContext} from '../../../context.js'
import {documentedStep} from '../../../fix/documented.js'
import {quarantineStep} from '../../../fix/steps.js'
import type {FixStep, PidGuard} from '../../../fix/types.js'
import type {Finding} from '../../../types.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/** `daemon.pid` naming a dead, recycled or unreadable pid (runwisp-facts §1.2, §1.6). */
export const runwispStaleManifest: TargetCheck = noActingThroughLinks({
  symptoms: ['runwisp/stale-pid-file', 'runwisp/pid-reused', 'runwisp/pid-file-invalid'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    requireReadableDataDir(state)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const facts = await runwispFacts(ctx)
    const path = state.paths.pidFile
    const pid = await loadPidFile(ctx)
    if (pid.kind === 'missing') return []
    if (pid.kind === 'symlink') return skip(`${path} is a symlink; symlinked-secret reports it (the doctor does not follow it)`)
    if (pid.kind === 'unreadable') throw new Undetermined(`cannot read ${path} (${pid.error.code}): ${pid.error.message}`, {path})
    const lockedByDaemon = pid.lock.held === true
    if (pid.kind === 'invalid') {
      const f = finding('runwisp/pid-file-invalid', {
        vars: {path, reason: pid.reason, dataDir: state.dataDir},
        evidence: {path, reason: pid.reason, lockHeld: lockedByDaemon},
      })
      // Source: runwisp-facts §1.2, §1.6
      const plan = await pidFilePlan(
        ctx,
        path,
        pid.mtimeMs,
        pid.lock,
        `It is not a pid file RunWisp can read (${pid.reason}); stop/restart cannot find the daemon through it, and nobody holds its lock.`,
      )
      return [withPlan(f, plan)]
    }
    // A live lock holder means a daemon owns the data dir; stale-lock judges a file that names someone else.
    if (lockedByDaemon) return []
    const evidence = {
      path,
      pid: pid.pid,
      writtenAt: new Date(pid.mtimeMs).toISOString(),
      lockHeld: pid.lock.held === 'unknown' ? null : pid.lock.held,
    }
    const locking = since(facts, '0.16.0')
    if (pid.recorded.state === 'dead') {
      // Source: runwisp-facts §1.6
      const plan = await pidFilePlan(
        ctx,
        path,
        pid.mtimeMs,
        pid.lock,
        `It names pid ${pid.pid}, which is not running, and nobody holds its lock: the daemon stopped uncleanly and did not remove it.`,
        {pid: pid.pid, mustBe: 'dead'},
      )
      return [
        withPlan(
          finding('runwisp/stale-pid-file', {
            vars: {path, pid: pid.pid},
            evidence,
            ...(locking === 'yes'
              ? {detail: 'Nobody holds its lock, so on this generation it is harmless: the next daemon truncates and re-locks it.'}
              : {}),
          }),
          plan,
        ),
      ]
    }
    if (pid.recorded.state === 'reused') {
      // ≤0.13.1 `stop`/`restart` signalled whatever had the pid; later versions check the process first.
      const dangerous = since(facts, '0.13.2') !== 'yes'
      const guard: PidGuard = {pid: pid.pid, mustBe: 'dead-or-same', startedAtMs: pid.recorded.proc.startedAtMs}
      // Source: runwisp-facts §1.6, PR #164
      const plan = await pidFilePlan(
        ctx,
        path,
        pid.mtimeMs,
        pid.lock,
        `${pid.recorded.why}; \`runwisp stop\` must not be pointed at it. Only the file is moved: that process is never signalled.`,
        guard,
      )
      return [
        withPlan(
          finding('runwisp/pid-reused', {
            vars: {path, pid: pid.pid, why: pid.recorded.why},
            evidence: {...evidence, currentOwner: processEvidence(pid.recorded.proc)},
            ...(dangerous
              ? {}
              : {
                  severity: 'warn' as const,
                  detail: 'This version checks the process before signalling, so it refuses to act rather than kill it.',
                }),
          }),
          plan,
        ),
      ]
    }
    if (pid.recorded.state === 'unknown')
      throw new Undetermined(`cannot tell whether pid ${pid.pid} in ${path} is alive: ${pid.recorded.reason}`, {path})
    return []
  },
})

const withPlan = (f: Finding, plan: FixStep[] | null): Finding => ({...f, plan: plan ?? [documentedStep(f)]})

/**
 * daemon.pid goes to the quarantine (safe) only when nobody holds a lock on it — a held flock is a
 * live daemon's claim on the data dir, whatever pid the file names (runwisp-facts §1.2, §1.6) —
 * and only while that stays true and the file is the one judged (same inode, size and mtime).
 * A held or undecidable lock leaves only the documented commands.
 */
async function pidFilePlan(
  ctx: CheckContext,
  path: string,
  judgedMtimeMs: number,
  lock: LockState,
  why: string,
  guard?: PidGuard,
): Promise<FixStep[] | null> {
  if (lock.held !== false) return null
  const st = await ctx.files.lstat(path)
  if (!st.ok || !st.stat.isFile() || st.stat.mtimeMs !== judgedMtimeMs) return null
  return [quarantineStep({path, stat: st.stat, why, unlocked: true, ...(guard ? {guard} : {})})]
}
