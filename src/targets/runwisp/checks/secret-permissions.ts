import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {octalMode} from '../../../probes/files.js'
import {since} from '../generations.js'
import {groupName, userName} from '../identity.js'
import {daemonAccount, loadRunwispState, requireReadableDataDir, runwispFacts} from '../state.js'
import {secretPaths} from '../secrets.js'
import type {Finding} from '../../../types.js'

/** runwisp-facts §1.2–1.3: secrets and daemon.pid are 0600 and belong to the daemon's user. */
export const runwispSecretPermissions: TargetCheck = {
  symptoms: ['runwisp/secret-mode', 'runwisp/secret-foreign-owner', 'runwisp/password-leftover'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    requireReadableDataDir(state)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const facts = await runwispFacts(ctx)
    const account = await daemonAccount(ctx)
    const findings: Finding[] = []
    for (const secret of await secretPaths(ctx, state, facts)) {
      const st = await ctx.files.lstat(secret.path)
      if (!st.ok) {
        if (st.code === 'ENOENT' || st.code === 'ENOTDIR') continue
        throw new Undetermined(`cannot lstat ${secret.path} (${st.code}): ${st.message}`, {path: secret.path})
      }
      // Symlinks and odd types are symlinked-secret's; their modes mean nothing here.
      if (!st.stat.isFile() && !st.stat.isSocket()) continue
      const mode = Number(st.stat.mode) & 0o777
      if (secret.kind === 'leftover-password') {
        findings.push(finding('runwisp/password-leftover', {vars: {path: secret.path}, evidence: {path: secret.path, mode: octalMode(st.stat)}}))
      }
      if ((mode & 0o077) !== 0) {
        findings.push(
          finding('runwisp/secret-mode', {
            vars: {path: secret.path, mode: octalMode(st.stat), expected: '0600'},
            severity: secret.exposure,
            evidence: {path: secret.path, kind: secret.kind, mode: octalMode(st.stat), expected: '0600', owner: st.stat.uid},
          }),
        )
      }
      if (secret.guarded && st.stat.uid !== account.uid) {
        // ≥0.16 refuses outright; before, only a non-root daemon fails (permission denied).
        const refuses = since(facts, '0.16.0') === 'yes'
        if (!refuses && account.uid === 0) continue
        const owner = await userName(ctx, st.stat.uid)
        findings.push(
          finding('runwisp/secret-foreign-owner', {
            vars: {path: secret.path, owner, user: account.name, group: account.group, consequence: refuses ? ', so it refuses to write it' : ''},
            evidence: {path: secret.path, kind: secret.kind, ownerUid: st.stat.uid, ownerGroup: await groupName(ctx, st.stat.gid), daemonUser: account.name, daemonUserFrom: account.how},
          }),
        )
      }
    }
    return findings
  },
}
