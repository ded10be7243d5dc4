import {conclude, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {chmodStep} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {Finding} from '../../../types.js'
import {inspectSecrets} from '../secret-files.js'
import {loadExecutorState} from '../state.js'

/** Readable by others: a failure. Readable by the group only: a warning (often a private group). */
export const executorSecretPermissions: TargetCheck = {
  symptoms: ['executor/secret-mode'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const findings: Finding[] = []
    const {inspected, unknown} = await inspectSecrets(ctx, state)
    for (const {candidate, seen} of inspected) {
      if (seen.kind !== 'secret' || (seen.mode & 0o077) === 0) continue
      const others = (seen.mode & 0o007) !== 0
      const mode = `0${seen.mode.toString(8).padStart(3, '0')}`
      const who = others ? 'every user on this machine' : "members of the file's group"
      const path = seen.link ? seen.realPath : candidate.path
      findings.push(
        finding('executor/secret-mode', {
          vars: {path, what: candidate.what, mode, who},
          severity: others ? 'fail' : 'warn',
          evidence: {path, mode, uid: seen.uid, ...(seen.link ? {linkedFrom: candidate.path} : {}), what: candidate.what},
          // Behind a symlink the mode is not the doctor's to change on the target (it may be any
          // file another user pointed the link at): the symlinked-secret plan, a private copy, is the fix.
          plan: seen.link ? undefined : await tightenPlan(ctx, path, candidate.what),
        }),
      )
    }
    return conclude(findings, unknown, 'cannot inspect')
  },
}

/**
 * chmod 0600 on the file itself (the link's target when the secret is behind a symlink): Executor
 * writes and re-chmods these files 0600 on every write (executor-facts §1.3, §9.1 (4)), so taking
 * group and other access away changes nothing for Executor. Pinned to the file as it was judged.
 */
async function tightenPlan(ctx: CheckContext, path: string, what: string): Promise<FixStep[] | undefined> {
  const st = await ctx.files.lstat(path)
  if (!st.ok || !st.stat.isFile()) return undefined
  // Source: executor-facts §1.3, §9.1 (4)
  return [
    chmodStep({
      path,
      stat: st.stat,
      why: `It holds ${what}; Executor creates it 0600 and re-applies that mode on every write, so taking group and other access away takes nothing from Executor.`,
    }),
  ]
}
