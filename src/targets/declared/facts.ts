/**
 * Small facts the generic checks share about a declared target: the values every message needs,
 * who owns a path, and the plan rule that the doctor changes only what the user running it owns.
 */
import type {Stats} from 'node:fs'
import {finding, type FindingOptions, type Vars} from '../../catalogue.js'
import type {GenericSymptom} from '../../check.js'
import type {CheckContext} from '../../context.js'
import {documentedStep} from '../../fix/documented.js'
import type {Finding} from '../../types.js'
import type {DaemonAccount, TargetFacts} from '../profile.js'
import {genericSymptomId} from './symptoms.js'

/** A finding of a generic symptom; without a plan of its own it carries the documented fix as a manual step. */
export function declaredFinding(profile: TargetFacts, slug: GenericSymptom, options: FindingOptions & {vars: Vars}): Finding {
  const f = finding(genericSymptomId(profile, slug), {...options, vars: {name: profile.name, ...options.vars}})
  return f.plan ? f : {...f, plan: [documentedStep(f)]}
}

/** User names by uid, from /etc/passwd (read once per run through the file probe). */
export function userNames(ctx: CheckContext): Promise<Map<number, string>> {
  return ctx.memo('declared:passwd', async () => {
    const names = new Map<number, string>()
    const passwd = await ctx.files.read('/etc/passwd', 4 * 1024 * 1024, {follow: true})
    if (!passwd.ok) return names
    for (const line of passwd.text.split('\n')) {
      const [name, , uid] = line.split(':')
      if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name)
    }
    return names
  })
}

export async function ownerName(ctx: CheckContext, uid: number): Promise<string> {
  return (await userNames(ctx)).get(uid) ?? `uid ${uid}`
}

/** The doctor acts on a path only when the user running it owns it; anything else is a printed command. */
export function mine(ctx: CheckContext, stat: Stats): boolean {
  return ctx.uid !== null && stat.uid === ctx.uid
}

export const octal = (mode: number): string => '0' + (mode & 0o7777).toString(8).padStart(3, '0')

/** Write and search permission on a directory for `account`, from mode bits (root passes, as the kernel lets it). */
export function canWrite(account: DaemonAccount, st: Stats): boolean {
  if (account.uid === 0) return true
  const mode = Number(st.mode)
  if (st.uid === account.uid) return (mode & 0o300) === 0o300
  if (account.groups.has(st.gid)) return (mode & 0o030) === 0o030
  return (mode & 0o003) === 0o003
}
