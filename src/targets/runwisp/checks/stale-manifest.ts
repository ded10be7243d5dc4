import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {since} from '../generations.js'
import {processEvidence} from '../identity.js'
import {loadPidFile, loadRunwispState, requireReadableDataDir, runwispFacts} from '../state.js'

/** `daemon.pid` naming a dead, recycled or unreadable pid (runwisp-facts §1.2, §1.6). */
export const runwispStaleManifest: TargetCheck = {
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
      return [finding('runwisp/pid-file-invalid', {vars: {path, reason: pid.reason, dataDir: state.dataDir}, evidence: {path, reason: pid.reason, lockHeld: lockedByDaemon}})]
    }
    // A live lock holder means a daemon owns the data dir; stale-lock judges a file that names someone else.
    if (lockedByDaemon) return []
    const evidence = {path, pid: pid.pid, writtenAt: new Date(pid.mtimeMs).toISOString(), lockHeld: pid.lock.held === 'unknown' ? null : pid.lock.held}
    const locking = since(facts, '0.16.0')
    if (pid.recorded.state === 'dead') {
      return [
        finding('runwisp/stale-pid-file', {
          vars: {path, pid: pid.pid},
          evidence,
          ...(locking === 'yes' ? {detail: 'Nobody holds its lock, so on this generation it is harmless: the next daemon truncates and re-locks it.'} : {}),
        }),
      ]
    }
    if (pid.recorded.state === 'reused') {
      // ≤0.13.1 `stop`/`restart` signalled whatever had the pid; later versions check the process first.
      const dangerous = since(facts, '0.13.2') !== 'yes'
      return [
        finding('runwisp/pid-reused', {
          vars: {path, pid: pid.pid, why: pid.recorded.why},
          evidence: {...evidence, currentOwner: processEvidence(pid.recorded.proc)},
          ...(dangerous ? {} : {severity: 'warn' as const, detail: 'This version checks the process before signalling, so it refuses to act rather than kill it.'}),
        }),
      ]
    }
    if (pid.recorded.state === 'unknown') throw new Undetermined(`cannot tell whether pid ${pid.pid} in ${path} is alive: ${pid.recorded.reason}`, {path})
    return []
  },
}
