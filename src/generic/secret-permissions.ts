/**
 * secret-permissions for a declared target: each declared secret file has no permission bits
 * beyond its declared mode (0600 when none is declared). Links are symlinked-secret's to judge:
 * a mode is never read through one. `--fix` tightens a file the user running the doctor owns.
 */
import {skip, type DeclaredCheck} from '../check.js'
import {chmodStep, manualStep, shellQuote} from '../fix/steps.js'
import {declaredFinding, mine, octal} from '../targets/declared/facts.js'
import {presentSecretFiles} from '../targets/declared/secret-files.js'
import type {Finding} from '../types.js'

const DEFAULT_SECRET_MODE = 0o600

export const declaredSecretPermissions: DeclaredCheck = {
  symptoms: ['secret-mode'],
  async detect(ctx, profile) {
    if (profile.secrets.length === 0) return skip(`${profile.id} declares no secret files`)
    const findings: Finding[] = []
    for (const {secret, path, stat} of await presentSecretFiles(ctx, profile)) {
      // Links are symlinked-secret's: a mode is never read through one.
      if (stat.isSymbolicLink()) continue
      const expected = secret.mode ?? DEFAULT_SECRET_MODE
      const mode = stat.mode & 0o7777
      if ((mode & ~expected) === 0) continue
      const why = `${path} holds a secret of ${profile.name} and grants bits beyond ${octal(expected)}.`
      const plan = mine(ctx, stat)
        ? [chmodStep({path, stat: stat, mode: expected, why})]
        : [
            manualStep({
              title: `Tighten ${path} as its owner`,
              why: `${why} It belongs to another user, so the doctor does not change it.`,
              instructions: [`chmod ${octal(expected)} ${shellQuote(path)}`],
            }),
          ]
      findings.push(
        declaredFinding(profile, 'secret-mode', {
          vars: {path, mode: octal(mode), expected: octal(expected)},
          evidence: {path, mode: octal(mode), declaredMode: octal(expected), uid: stat.uid},
          plan,
        }),
      )
    }
    return findings
  },
}
