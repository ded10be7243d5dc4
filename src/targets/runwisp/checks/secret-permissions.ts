/**
 * RunWisp's half of secret-permissions beside the generic mode rule (checks/secret-permissions.ts):
 * who owns its guarded secrets (runwisp-facts §1.3) and the 0.3–0.4 password file a later
 * generation leaves behind (runwisp-facts §0, §1.2).
 */
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {documentedStep} from '../../../fix/documented.js'
import {quarantineStep} from '../../../fix/steps.js'
import {octalMode} from '../../../probes/files.js'
import type {Finding} from '../../../types.js'
import {noActingThroughLinks} from '../data-dir-links.js'
import {since} from '../generations.js'
import {groupName, userName} from '../identity.js'
import {secretPaths} from '../secrets.js'
import {daemonAccount, loadRunwispState, requireReadableDataDir, runwispFacts} from '../state.js'

export const runwispSecretOwnership: TargetCheck = noActingThroughLinks({
  symptoms: ['runwisp/secret-foreign-owner', 'runwisp/password-leftover'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    requireReadableDataDir(state)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const facts = await runwispFacts(ctx)
    const account = await daemonAccount(ctx)
    const findings: Finding[] = []
    for (const secret of await secretPaths(ctx, state, facts)) {
      if (!secret.guarded && secret.kind !== 'leftover-password') continue
      const st = await ctx.files.lstat(secret.path)
      if (!st.ok) {
        if (st.code === 'ENOENT' || st.code === 'ENOTDIR') continue
        throw new Undetermined(`cannot lstat ${secret.path} (${st.code}): ${st.message}`, {path: secret.path})
      }
      // Symlinks and odd types are symlinked-secret's; their owners mean nothing here.
      if (!st.stat.isFile() && !st.stat.isSocket()) continue
      if (secret.kind === 'leftover-password') {
        findings.push(
          finding('runwisp/password-leftover', {
            vars: {path: secret.path},
            evidence: {path: secret.path, mode: octalMode(st.stat)},
            // The user's call whether the old password is still needed; the quarantine keeps it (0700) for undo.
            plan: st.stat.isFile()
              ? // Source: runwisp-facts §0, §1.2
                [
                  quarantineStep({
                    path: secret.path,
                    stat: st.stat,
                    risk: 'confirm',
                    why: 'This generation never reads it (0.5.0 stopped writing the password to disk); it is a plaintext secret lying in the data dir. Confirm that nobody still needs the old password.',
                  }),
                ]
              : undefined,
          }),
        )
        continue
      }
      if (st.stat.uid === account.uid) continue
      // ≥0.16 refuses outright; before, only a non-root daemon fails (permission denied).
      const refuses = since(facts, '0.16.0') === 'yes'
      if (!refuses && account.uid === 0) continue
      const owner = await userName(ctx, st.stat.uid)
      const f = finding('runwisp/secret-foreign-owner', {
        vars: {
          path: secret.path,
          owner,
          user: account.name,
          group: account.group,
          consequence: refuses ? ', so it refuses to write it' : '',
        },
        evidence: {
          path: secret.path,
          kind: secret.kind,
          ownerUid: st.stat.uid,
          ownerGroup: await groupName(ctx, st.stat.gid),
          daemonUser: account.name,
          daemonUserFrom: account.how,
        },
      })
      // The doctor never changes owners: chown is yours to run.
      // Source: runwisp-facts §1.3
      findings.push({...f, plan: [documentedStep(f, `${f.message} The doctor does not change owners; run the commands as root.`)]})
    }
    return findings
  },
})
