import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {Finding} from '../../../types.js'
import {inspectSecret, secretCandidates} from '../secret-files.js'
import {loadExecutorState} from '../state.js'

/** Readable by others: a failure. Readable by the group only: a warning (often a private group). */
export const executorSecretPermissions: TargetCheck = {
  symptoms: ['executor/secret-mode'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const findings: Finding[] = []
    const unknown: string[] = []
    for (const candidate of await secretCandidates(ctx, state)) {
      const seen = await inspectSecret(ctx, candidate)
      if (seen.kind === 'unknown') unknown.push(seen.reason)
      if (seen.kind !== 'secret' || (seen.mode & 0o077) === 0) continue
      const others = (seen.mode & 0o007) !== 0
      const mode = `0${seen.mode.toString(8).padStart(3, '0')}`
      const who = others ? 'every user on this machine' : 'members of the file\'s group'
      const path = seen.link ? seen.realPath : candidate.path
      findings.push(
        finding('executor/secret-mode', {
          vars: {path, what: candidate.what, mode, who},
          severity: others ? 'fail' : 'warn',
          evidence: {path, mode, uid: seen.uid, ...(seen.link ? {linkedFrom: candidate.path} : {}), what: candidate.what},
        }),
      )
    }
    if (unknown.length > 0 && findings.length === 0) throw new Undetermined(`cannot inspect ${unknown.join('; ')}`)
    return findings
  },
}
