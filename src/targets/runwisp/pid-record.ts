/**
 * RunWisp's daemon.pid as the daemon record stale-manifest judges (checks/stale-manifest.ts,
 * `hooks.records`; runwisp-facts §1.2, §1.6): the pid it names, by the one recorded-pid rule,
 * worded by RunWisp's generation rules (harmless on 0.16+, where nobody holds its lock; a recycled
 * pid dangerous only before 0.13.2, whose stop signalled it). A file whose lock is held is a live
 * daemon's claim, whatever pid it names: stale-lock judges who holds it.
 */
import {Undetermined} from '../../check.js'
import {finding} from '../../catalogue.js'
import {since} from './generations.js'
import {processEvidence, runwispPidRule} from './identity.js'
import {loadPidFile, loadRunwispState, requireReadableDataDir, runwispFacts, type LockState} from './state.js'
import type {CheckContext} from '../../context.js'
import {documentedStep} from '../../fix/documented.js'
import {quarantineStep} from '../../fix/steps.js'
import type {FixStep, PidGuard} from '../../fix/types.js'
import type {Finding} from '../../types.js'
import type {RecordedFiles} from '../profile.js'

/** The symptoms daemon.pid is reported as (RunWisp's profile's `hookSymptomIds.records`). */
export const RECORD_SYMPTOMS = ['runwisp/stale-pid-file', 'runwisp/pid-reused', 'runwisp/pid-file-invalid'] as const

export async function runwispRecords(ctx: CheckContext): Promise<RecordedFiles> {
  const state = await loadRunwispState(ctx)
  requireReadableDataDir(state)
  if (state.dataDirState.kind !== 'dir') return {skip: `no data dir at ${state.dataDir}`}
  const facts = await runwispFacts(ctx)
  const path = state.paths.pidFile
  const pid = await loadPidFile(ctx)
  if (pid.kind === 'missing') return {files: []}
  if (pid.kind === 'symlink') return {skip: `${path} is a symlink; symlinked-secret reports it (the doctor does not follow it)`}
  if (pid.kind === 'unreadable') throw new Undetermined(`cannot read ${path} (${pid.error.code}): ${pid.error.message}`, {path})
  const lockedByDaemon = pid.lock.held === true
  if (pid.kind === 'invalid') {
    const {reason, mtimeMs, lock} = pid
    return {
      files: [
        {
          path,
          read: {kind: 'invalid', reason},
          rule: runwispPidRule,
          async report(ctx) {
            const f = finding('runwisp/pid-file-invalid', {
              vars: {path, reason, dataDir: state.dataDir},
              evidence: {path, reason, lockHeld: lockedByDaemon},
            })
            // Source: runwisp-facts §1.2, §1.6
            const plan = await pidFilePlan(
              ctx,
              path,
              mtimeMs,
              lock,
              `It is not a pid file RunWisp can read (${reason}); stop/restart cannot find the daemon through it, and nobody holds its lock.`,
            )
            return [withPlan(f, plan)]
          },
        },
      ],
    }
  }
  const evidence = {
    path,
    pid: pid.pid,
    writtenAt: new Date(pid.mtimeMs).toISOString(),
    lockHeld: pid.lock.held === 'unknown' ? null : pid.lock.held,
  }
  const locking = since(facts, '0.16.0')
  return {
    files: [
      {
        path,
        read: {kind: 'pid', pid: pid.pid, writtenAtMs: pid.mtimeMs},
        rule: runwispPidRule,
        async report(ctx, verdict) {
          // A live lock holder means a daemon owns the data dir; stale-lock judges a file that names someone else.
          if (lockedByDaemon) return []
          if (verdict.kind === 'dead') {
            // Source: runwisp-facts §1.6
            const plan = await pidFilePlan(
              ctx,
              path,
              pid.mtimeMs,
              pid.lock,
              `It names pid ${pid.pid}, which is not running, and nobody holds its lock: the daemon stopped uncleanly and did not remove it.`,
              verdict.guard,
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
          if (verdict.kind === 'reused') {
            // ≤0.13.1 `stop`/`restart` signalled whatever had the pid; later versions check the process first.
            const dangerous = since(facts, '0.13.2') !== 'yes'
            // Source: runwisp-facts §1.6, PR #164
            const plan = await pidFilePlan(
              ctx,
              path,
              pid.mtimeMs,
              pid.lock,
              `${verdict.why}; \`runwisp stop\` must not be pointed at it. Only the file is moved: that process is never signalled.`,
              verdict.guard,
            )
            return [
              withPlan(
                finding('runwisp/pid-reused', {
                  vars: {path, pid: pid.pid, why: verdict.why},
                  evidence: {...evidence, currentOwner: processEvidence(verdict.proc)},
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
          if (verdict.kind === 'unknown')
            throw new Undetermined(`cannot tell whether pid ${pid.pid} in ${path} is alive: ${verdict.reason}`, {path})
          return []
        },
      },
    ],
  }
}

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
