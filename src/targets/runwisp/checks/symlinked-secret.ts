import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {loadRunwispState, requireReadableDataDir, restartCommand, runwispFacts} from '../state.js'
import {secretPaths} from '../secrets.js'
import type {Finding} from '../../../types.js'

/**
 * runwisp-facts §1.3: `refusing to write %s: path is a symlink` / `not a regular file`. Every path
 * is inspected with lstat and its link text read with readlink: the doctor never follows a link.
 */
export const runwispSymlinkedSecret: TargetCheck = {
  symptoms: ['runwisp/symlinked-secret', 'runwisp/secret-not-regular'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    requireReadableDataDir(state)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const facts = await runwispFacts(ctx)
    const restart = restartCommand(facts, state.dataDir)
    const findings: Finding[] = []
    for (const secret of await secretPaths(ctx, state, facts)) {
      if (!secret.guarded && secret.kind !== 'drop-in') continue
      const st = await ctx.files.lstat(secret.path)
      if (!st.ok) {
        if (st.code === 'ENOENT' || st.code === 'ENOTDIR') continue
        throw new Undetermined(`cannot lstat ${secret.path} (${st.code}): ${st.message}`, {path: secret.path})
      }
      if (st.stat.isSymbolicLink()) {
        const link = await ctx.files.readlink(secret.path)
        const linkTarget = link.ok ? link.target : 'an unreadable target'
        findings.push(finding('runwisp/symlinked-secret', {vars: {path: secret.path, linkTarget, restart}, evidence: {path: secret.path, kind: secret.kind, linkTarget, followed: false}}))
      } else if (!st.stat.isFile()) {
        const what = st.stat.isDirectory() ? 'a directory' : st.stat.isFIFO() ? 'a FIFO' : st.stat.isSocket() ? 'a socket' : 'a special file'
        findings.push(finding('runwisp/secret-not-regular', {vars: {path: secret.path, what, restart}, evidence: {path: secret.path, kind: secret.kind, type: what}}))
      }
    }
    return findings
  },
}
