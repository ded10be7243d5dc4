/**
 * RunWisp's half of symlinked-secret beside the generic link rule (checks/symlinked-secret.ts):
 * a secret path holding something other than a regular file (runwisp-facts §1.3: `refusing to
 * write %s: not a regular file`), and RunWisp's own repair of a symlinked secret (the profile's
 * `secretLinkPlan` hook). Every path is inspected with lstat: the doctor never follows a link.
 */
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {documentedStep} from '../../../fix/documented.js'
import {manualStep, quarantineStep, replaceSymlinkStep, shellQuote} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {Finding} from '../../../types.js'
import type {SecretLink} from '../../profile.js'
import {noActingThroughLinks} from '../data-dir-links.js'
import {secretPaths} from '../secrets.js'
import {loadRunwispState, requireReadableDataDir, restartCommand, runwispFacts} from '../state.js'

export const runwispSecretNotRegular: TargetCheck = noActingThroughLinks({
  symptoms: ['runwisp/secret-not-regular'],
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
      // A symlink is the generic rule's; a regular file is what RunWisp writes.
      if (st.stat.isSymbolicLink() || st.stat.isFile()) continue
      const what = st.stat.isDirectory() ? 'a directory' : st.stat.isFIFO() ? 'a FIFO' : st.stat.isSocket() ? 'a socket' : 'a special file'
      const f = finding('runwisp/secret-not-regular', {
        vars: {path: secret.path, what, restart},
        evidence: {path: secret.path, kind: secret.kind, type: what},
      })
      // "Move whatever is at the path out of the way" (the documented fix), into the quarantine: after a confirm, as it may be something of yours.
      const plan = [
        // Source: runwisp-facts §1.3
        quarantineStep({
          path: secret.path,
          stat: st.stat,
          risk: 'confirm',
          why: `RunWisp writes ${secret.path} only as a regular file and refuses ${what} there. It is moved aside, not deleted.`,
        }),
        restartStep(restart),
      ]
      findings.push({...f, plan})
    }
    return findings
  },
})

const restartStep = (restart: string): FixStep =>
  // Source: runwisp-facts §1.2, §1.3
  manualStep({
    title: 'Restart RunWisp so it writes the file itself',
    why: 'The daemon recreates its secret files and daemon.pid (0600, owned by its user) when it starts.',
    instructions: [restart],
  })

/**
 * A symlinked secret, after a confirm (the link may be someone's deliberate setup):
 * - the password file (≤0.4) and a service's password drop-in become a regular 0600 file holding
 *   the same bytes, so the password survives;
 * - daemon.pid, and any link whose target is gone, is moved to the quarantine: the daemon writes a
 *   fresh one (for a dangling password link, a new password, printed on stdout — runwisp-facts §1.2).
 * The copy belongs to whoever runs the doctor, so it is offered only when that is the user who must
 * own the file (RunWisp refuses a secret "owned by a different user", runwisp-facts §1.3).
 */
export async function runwispSecretLinkPlan(ctx: CheckContext, link: SecretLink, f: Finding): Promise<FixStep[]> {
  const state = await loadRunwispState(ctx)
  const facts = await runwispFacts(ctx)
  const restart = restartCommand(facts, state.dataDir)
  const path = link.secret.path
  const secret = (await secretPaths(ctx, state, facts)).find((s) => s.path === path)
  const {realPath: real, targetStat, linkTarget, linkStat} = link
  // Source: runwisp-facts §1.3
  const why = `RunWisp refuses to write a secret through a symlink, so that nobody who can plant a link redirects the write.`
  const keepBytes = secret?.kind === 'password' || secret?.kind === 'drop-in'
  // A dangling drop-in is `runwisp service install`'s to write again, not the daemon's.
  if (secret?.kind === 'drop-in' && !targetStat) return [documentedStep(f)]
  if (!keepBytes || !real || !targetStat) {
    const gone = !real
      ? ` The link points nowhere (${linkTarget ?? 'unreadable'})${secret?.kind === 'password' ? ': the daemon generates a new password and prints it' : ''}.`
      : ''
    return [
      quarantineStep({
        path,
        stat: linkStat,
        risk: 'confirm',
        title: `Move the symlink ${path} to the doctor's quarantine (its target is left alone)`,
        why: `${why}${gone} RunWisp writes a fresh ${secret?.kind === 'pid' ? 'pid file' : 'file'} at its next start.`,
      }),
      restartStep(restart),
    ]
  }
  if (!targetStat.isFile() || linkTarget === null) return [documentedStep(f)]
  const owner = link.secret.owner?.uid ?? 0
  if (ctx.uid !== null && ctx.uid !== owner) {
    return [
      manualStep({
        title: `As uid ${owner}, replace the symlink ${path} with a private copy`,
        why: `${why} A copy the doctor made (as uid ${ctx.uid}) would not belong to the user RunWisp runs as.`,
        instructions: [
          `cp --remove-destination -- "$(readlink -f ${shellQuote(path)})" ${shellQuote(path)}`,
          `chmod 0600 ${shellQuote(path)}`,
          restart,
        ],
      }),
    ]
  }
  return [
    replaceSymlinkStep({path, linkStat, linkTarget, targetPath: real, targetStat, why: `${why} The password it holds is kept.`}),
    restartStep(restart),
  ]
}
