import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {Finding} from '../../../types.js'
import {inspectSecret, secretCandidates} from '../secret-files.js'
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
    const unknown: string[] = []
    for (const candidate of await secretCandidates(ctx, state)) {
      const seen = await inspectSecret(ctx, candidate)
      if (seen.kind === 'unknown') unknown.push(seen.reason)
      if (seen.kind === 'dangling') {
        findings.push(
          finding('executor/secret-symlink', {
            vars: {path: candidate.path, what: candidate.what, target: seen.link, problem: ', which does not exist: Executor cannot read it (a missing bearer is replaced by a new token)'},
            severity: 'fail',
            evidence: {path: candidate.path, target: seen.link, dangling: true},
          }),
        )
      } else if (seen.kind === 'secret' && seen.link !== null) {
        const exposed = (seen.mode & 0o077) !== 0
        const mode = `0${seen.mode.toString(8).padStart(3, '0')}`
        findings.push(
          finding('executor/secret-symlink', {
            vars: {path: candidate.path, what: candidate.what, target: seen.realPath, problem: exposed ? `, whose mode ${mode} lets others read it` : ''},
            severity: exposed ? 'fail' : 'warn',
            evidence: {path: candidate.path, link: seen.link, target: seen.realPath, targetMode: mode},
          }),
        )
      }
    }
    if (unknown.length > 0 && findings.length === 0) throw new Undetermined(`cannot inspect ${unknown.join('; ')}`)
    return findings
  },
}
