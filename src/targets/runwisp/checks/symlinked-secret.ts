import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {daemonAccount, loadRunwispState, requireReadableDataDir, restartCommand, runwispFacts} from '../state.js'
import {secretPaths, type SecretPath} from '../secrets.js'
import type {Finding} from '../../../types.js'
import type {Stats} from 'node:fs'
import type {CheckContext} from '../../../context.js'
import {documentedStep} from '../../../fix/documented.js'
import {manualStep, quarantineStep, replaceSymlinkStep, shellQuote} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * runwisp-facts §1.3: `refusing to write %s: path is a symlink` / `not a regular file`. Every path
 * is inspected with lstat and its link text read with readlink: the doctor never follows a link.
 */
export const runwispSymlinkedSecret: TargetCheck = noActingThroughLinks({
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
        const f = finding('runwisp/symlinked-secret', {
          vars: {path: secret.path, linkTarget, restart},
          evidence: {path: secret.path, kind: secret.kind, linkTarget, followed: false},
        })
        findings.push({...f, plan: await linkPlan(ctx, secret, st.stat, link.ok ? link.target : null, restart, f)})
      } else if (!st.stat.isFile()) {
        const what = st.stat.isDirectory()
          ? 'a directory'
          : st.stat.isFIFO()
            ? 'a FIFO'
            : st.stat.isSocket()
              ? 'a socket'
              : 'a special file'
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
async function linkPlan(
  ctx: CheckContext,
  secret: SecretPath,
  linkStat: Stats,
  linkTarget: string | null,
  restart: string,
  f: Finding,
): Promise<FixStep[]> {
  const real = await ctx.files.realpath(secret.path)
  const target = real ? await ctx.files.lstat(real) : null
  // Source: runwisp-facts §1.3
  const why = `RunWisp refuses to write a secret through a symlink, so that nobody who can plant a link redirects the write.`
  const keepBytes = secret.kind === 'password' || secret.kind === 'drop-in'
  // A dangling drop-in is `runwisp service install`'s to write again, not the daemon's.
  if (secret.kind === 'drop-in' && !target?.ok) return [documentedStep(f)]
  if (!keepBytes || !real || !target?.ok) {
    const gone = !real
      ? ` The link points nowhere (${linkTarget ?? 'unreadable'})${secret.kind === 'password' ? ': the daemon generates a new password and prints it' : ''}.`
      : ''
    return [
      quarantineStep({
        path: secret.path,
        stat: linkStat,
        risk: 'confirm',
        title: `Move the symlink ${secret.path} to the doctor's quarantine (its target is left alone)`,
        why: `${why}${gone} RunWisp writes a fresh ${secret.kind === 'pid' ? 'pid file' : 'file'} at its next start.`,
      }),
      restartStep(restart),
    ]
  }
  if (!target.stat.isFile() || linkTarget === null) return [documentedStep(f)]
  const owner = secret.kind === 'drop-in' ? 0 : (await daemonAccount(ctx)).uid
  if (ctx.uid !== null && ctx.uid !== owner) {
    return [
      manualStep({
        title: `As uid ${owner}, replace the symlink ${secret.path} with a private copy`,
        why: `${why} A copy the doctor made (as uid ${ctx.uid}) would not belong to the user RunWisp runs as.`,
        instructions: [
          `cp --remove-destination -- "$(readlink -f ${shellQuote(secret.path)})" ${shellQuote(secret.path)}`,
          `chmod 0600 ${shellQuote(secret.path)}`,
          restart,
        ],
      }),
    ]
  }
  return [
    replaceSymlinkStep({
      path: secret.path,
      linkStat,
      linkTarget,
      targetPath: real,
      targetStat: target.stat,
      why: `${why} The password it holds is kept.`,
    }),
    restartStep(restart),
  ]
}
