import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {pidFileLocked} from '../generations.js'
import {isDaemonProcess, processEvidence, processIdentity, redactCommand} from '../identity.js'
import {loadPidFile, loadRunwispState, requireReadableDataDir, runwispFacts} from '../state.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * 0.16+ claims the data dir with an exclusive flock on `daemon.pid` for the daemon's life
 * (runwisp-facts §1.2, §1.6). The holder is read from /proc/locks: testing the lock by taking it,
 * even shared, could make a daemon starting at that instant fail.
 */
export const runwispStaleLock: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/data-dir-locked', 'runwisp/pid-file-mismatch'],
    async detect(ctx, _target) {
      const state = await loadRunwispState(ctx)
      requireReadableDataDir(state)
      const facts = await runwispFacts(ctx)
      if (pidFileLocked(facts) === 'no') return skip('before 0.16 RunWisp does not lock daemon.pid; stale-manifest judges the pid in it')
      const path = state.paths.pidFile
      const pid = await loadPidFile(ctx)
      if (pid.kind === 'missing' || pid.kind === 'symlink')
        return skip(pid.kind === 'missing' ? `no ${path}` : `${path} is a symlink (symlinked-secret reports it)`)
      if (pid.kind === 'unreadable') throw new Undetermined(`cannot read ${path} (${pid.error.code})`, {path})
      if (pid.lock.held === 'unknown') throw new Undetermined(`cannot tell whether ${path} is locked: ${pid.lock.reason}`, {path})
      if (pid.lock.held === false) return []
      const findings: Finding[] = []
      for (const holder of pid.lock.holders) {
        const lookup = await ctx.processes.get(holder)
        if (lookup.alive === 'unknown')
          throw new Undetermined(`${path} is locked by pid ${holder}, which cannot be inspected: ${lookup.reason}`, {path})
        if (lookup.alive === false) continue
        const proc = lookup.info
        if (processIdentity(proc).verdict === 'runwisp' && isDaemonProcess(proc)) {
          if (pid.kind === 'ok' && pid.pid !== holder)
            findings.push(
              finding('runwisp/pid-file-mismatch', {
                vars: {path, holder, pid: pid.pid},
                evidence: {path, holder: processEvidence(proc), recordedPid: pid.pid},
              }),
            )
          continue
        }
        findings.push(
          finding('runwisp/data-dir-locked', {
            vars: {path, pid: holder, command: redactCommand(proc.cmdline), dataDir: state.dataDir},
            evidence: {path, holder: processEvidence(proc), why: processIdentity(proc).why},
          }),
        )
      }
      return findings
    },
  }),
)
