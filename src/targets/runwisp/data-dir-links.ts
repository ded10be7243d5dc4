/**
 * RunWisp's data dir links, and its plans held to the fix rule of src/fix/through-links.ts: RunWisp
 * follows a data dir that is a symlink (MkdirAll and chmod resolve it, runwisp-facts §1.3), so the
 * doctor judges the directory it leads to, but it never *acts* through such a link. Plans of every
 * RunWisp check are passed through `noActingThroughLinks`; the generic checks honour the same rule
 * from the profile's data dir and daemon account.
 */
import {isSkip, type TargetCheck} from '../../check.js'
import type {CheckContext} from '../../context.js'
import {guardThroughLinks, linksOnPath, plansActing, type DataDirLinks} from '../../fix/through-links.js'
import type {Finding} from '../../types.js'
import {daemonAccount, loadRunwispState} from './state.js'

export type {DataDirLinks, PathLink} from '../../fix/through-links.js'

/** The links on the way to RunWisp's data dir; the daemon's user is trusted beside root and the doctor's. */
export async function dataDirLinks(ctx: CheckContext): Promise<DataDirLinks> {
  const {dataDir} = await loadRunwispState(ctx)
  return linksOnPath(ctx, dataDir, (await daemonAccount(ctx)).uid)
}

/** A RunWisp check whose plans never act in or on a data dir reached through a symlink. */
export function noActingThroughLinks(check: TargetCheck): TargetCheck {
  return {
    symptoms: check.symptoms,
    async detect(ctx, target) {
      const verdict = await check.detect(ctx, target)
      return isSkip(verdict) ? verdict : guardFindings(ctx, verdict)
    },
  }
}

/** The findings, with every step that would act in or on a data dir reached through a symlink made manual (RunWisp's profile hook `guardPlans`). */
export async function guardFindings(ctx: CheckContext, findings: Finding[]): Promise<Finding[]> {
  if (!plansActing(findings)) return findings
  return guardThroughLinks(findings, await dataDirLinks(ctx), 'RunWisp')
}
