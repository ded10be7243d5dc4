/**
 * Findings whose fix is a decision only the user can take (configuration, a foreign process, the
 * clock, the disk): their plan is one manual step made of the catalogue's own fix, with this
 * machine's values filled in. `--dry-run` and `--fix` print it; the doctor never runs it.
 */
import {isSkip, type TargetCheck} from '../check.js'
import type {Finding} from '../types.js'
import {manualStep} from './steps.js'
import type {ManualStep} from './types.js'

/** The finding's documented fix as a manual step: its summary, its exact commands, its docs section. */
export function documentedStep(finding: Finding, why?: string): ManualStep {
  return manualStep({
    title: finding.fix.summary,
    why: why ?? `${finding.message} This is a decision the doctor leaves to you (${finding.fix.docs}).`,
    instructions: finding.fix.commands,
  })
}

/** `check` with the documented manual step attached to every finding that carries no plan of its own. */
export function withDocumentedPlans(check: TargetCheck): TargetCheck {
  return {
    symptoms: check.symptoms,
    async detect(ctx, target) {
      const verdict = await check.detect(ctx, target)
      if (isSkip(verdict)) return verdict
      return verdict.map((f) => (f.plan && f.plan.length > 0 ? f : {...f, plan: [documentedStep(f)]}))
    },
  }
}
