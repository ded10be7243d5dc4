import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {octalMode} from '../../../probes/files.js'
import {since} from '../generations.js'
import {groupName, userName} from '../identity.js'
import {daemonAccount, loadRunwispState, requireReadableDataDir, runwispFacts} from '../state.js'
import {secretPaths} from '../secrets.js'
import type {Finding} from '../../../types.js'
import type {Stats} from 'node:fs'
import {documentedStep} from '../../../fix/documented.js'
import {chmodStep, manualStep, quarantineStep, shellQuote} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {DaemonAccount} from '../state.js'
import type {SecretPath} from '../secrets.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/** runwisp-facts §1.2–1.3: secrets and daemon.pid are 0600 and belong to the daemon's user. */
export const runwispSecretPermissions: TargetCheck = noActingThroughLinks({
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
      }
      if ((mode & 0o077) !== 0) {
        const f = finding('runwisp/secret-mode', {
          vars: {path: secret.path, mode: octalMode(st.stat), expected: '0600'},
          severity: secret.exposure,
          evidence: {path: secret.path, kind: secret.kind, mode: octalMode(st.stat), expected: '0600', owner: st.stat.uid},
        })
        findings.push({...f, plan: [tightenStep(secret, st.stat, account, f)]})
      }
      if (secret.guarded && st.stat.uid !== account.uid) {
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
    }
    return findings
  },
})

/**
 * chmod 0600, what RunWisp creates (runwisp-facts §1.2, §1.3): safe when the file belongs to the
 * daemon's user (or the daemon runs as root), since only others lose access. When another user
 * owns it, 0600 could lock the daemon out of its own file: then chown first, by hand. A socket
 * cannot be opened to change its mode through a descriptor: the daemon recreates it 0600 on start.
 */
function tightenStep(secret: SecretPath, stat: Stats, account: DaemonAccount, f: Finding): FixStep {
  const path = secret.path
  if (stat.isSocket()) {
    return manualStep({
      title: `Restrict the socket ${path} to its owner`,
      // Source: runwisp-facts §1.2
      why: 'RunWisp creates its socket 0600 at every start; the doctor only changes modes through a file descriptor, which a socket does not give.',
      instructions: [`chmod 0600 ${shellQuote(path)}`],
    })
  }
  // Source: runwisp-facts §1.2, §1.3
  const why = `It is ${secret.kind === 'password' || secret.kind === 'drop-in' ? 'a password' : secret.kind === 'pid' ? "the daemon's pid file" : "the daemon's log"}; RunWisp creates it 0600 in a 0700 data dir.`
  if (account.uid === 0 || stat.uid === account.uid || secret.kind === 'drop-in') return chmodStep({path, stat, mode: 0o600, why})
  return manualStep({
    title: `Give ${path} to ${account.name}, then set it 0600`,
    why: `${f.message} ${why} It belongs to uid ${stat.uid}, not to ${account.name} (${account.how}): 0600 alone could lock the daemon out, and the doctor does not change owners.`,
    instructions: [`sudo chown ${account.name}:${account.group} ${shellQuote(path)}`, `sudo chmod 0600 ${shellQuote(path)}`],
  })
}
