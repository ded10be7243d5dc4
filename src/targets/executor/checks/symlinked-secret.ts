import {conclude, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {manualStep, replaceSymlinkStep, shellQuote} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {Finding} from '../../../types.js'
import {inspectSecrets} from '../secret-files.js'
import {loadExecutorState} from '../state.js'

/**
 * A secret behind a symlink: a warning, and a failure when the link dangles (the bearer is then
 * re-minted at the next start) or its target is readable by others.
 */
export const executorSymlinkedSecret: TargetCheck = {
  symptoms: ['executor/secret-symlink'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const findings: Finding[] = []
    const {inspected, unknown} = await inspectSecrets(ctx, state)
    for (const {candidate, seen} of inspected) {
      if (seen.kind === 'dangling') {
        findings.push(
          finding('executor/secret-symlink', {
            vars: {
              path: candidate.path,
              what: candidate.what,
              target: seen.link,
              problem: ', which does not exist: Executor cannot read it (a missing bearer is replaced by a new token)',
            },
            severity: 'fail',
            evidence: {path: candidate.path, target: seen.link, dangling: true},
            plan: [
              manualStep({
                title: `Restore ${seen.link} or remove the dangling link ${candidate.path}`,
                // Source: executor-facts §1.3, §2.3
                why: `The link points nowhere, so Executor cannot read ${candidate.what}. Only you know whether its target can be brought back (a mounted volume, a synced folder); removing the link lets Executor write a new file, and for the bearer token that means a new token.`,
                instructions: [
                  `ls -l ${shellQuote(candidate.path)}`,
                  `rm ${shellQuote(candidate.path)}   # only once you know the target is gone for good`,
                ],
              }),
            ],
          }),
        )
      } else if (seen.kind === 'secret' && seen.link !== null) {
        const exposed = (seen.mode & 0o077) !== 0
        const mode = `0${seen.mode.toString(8).padStart(3, '0')}`
        findings.push(
          finding('executor/secret-symlink', {
            vars: {
              path: candidate.path,
              what: candidate.what,
              target: seen.realPath,
              problem: exposed ? `, whose mode ${mode} lets others read it` : '',
            },
            severity: exposed ? 'fail' : 'warn',
            evidence: {path: candidate.path, link: seen.link, target: seen.realPath, targetMode: mode},
            plan: await privateCopyPlan(ctx, candidate.path, seen.link, seen.realPath, candidate.what),
          }),
        )
      }
    }
    return conclude(findings, unknown, 'cannot inspect')
  },
}

/**
 * After a confirm, the link becomes a regular 0600 file with the bytes it pointed to (what the
 * catalogue's `cp --remove-destination` does, atomically). The new file belongs to whoever runs the
 * doctor, so it is offered only when that is the secret's owner: a root doctor must not leave a
 * user's bearer token readable by root alone.
 */
async function privateCopyPlan(
  ctx: CheckContext,
  path: string,
  linkTarget: string,
  realPath: string,
  what: string,
): Promise<FixStep[] | undefined> {
  const [link, target] = await Promise.all([ctx.files.lstat(path), ctx.files.lstat(realPath)])
  if (!link.ok || !link.stat.isSymbolicLink() || !target.ok || !target.stat.isFile()) return undefined
  // Source: executor-facts §1.3, §1.4
  const why = `Executor writes ${what} in place through the link (the secret lands in ${realPath}) or replaces the link on a rename, silently cutting it. Whoever shared the link stops seeing later changes.`
  if (ctx.uid !== null && ctx.uid !== target.stat.uid) {
    return [
      manualStep({
        title: `As the owner of ${realPath} (uid ${target.stat.uid}), replace the link ${path} with a private copy`,
        why: `${why} The doctor runs as uid ${ctx.uid}: a copy it made would belong to it, not to the secret's owner.`,
        instructions: [
          `cp --remove-destination -- "$(readlink -f ${shellQuote(path)})" ${shellQuote(path)}`,
          `chmod 600 ${shellQuote(path)}`,
        ],
      }),
    ]
  }
  return [replaceSymlinkStep({path, linkStat: link.stat, linkTarget, targetPath: realPath, targetStat: target.stat, why})]
}
