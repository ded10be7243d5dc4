/**
 * Symlinks on the way to the RunWisp data dir, and what they mean for fix plans. RunWisp follows a
 * data dir that is a symlink (MkdirAll and chmod resolve it, runwisp-facts §1.3), so the doctor
 * judges the directory it leads to — but it never *acts* through such a link: `./.runwisp` planted
 * in a shared working directory by another user would otherwise aim root's chmod and quarantine at
 * whatever that user chose. Plans of every RunWisp check are passed through `noActingThroughLinks`:
 * each step that would act in or on the data dir becomes a manual step with the exact commands,
 * against the real path, for the user to run once they have looked.
 */
import {dirname, sep} from 'node:path'
import {isSkip, type TargetCheck} from '../../check.js'
import type {CheckContext} from '../../context.js'
import {manualStep, shellQuote} from '../../fix/steps.js'
import type {FixStep} from '../../fix/types.js'
import type {Finding} from '../../types.js'
import {userName} from './identity.js'
import {daemonAccount, loadRunwispState} from './state.js'

export interface PathLink {
  /** The symlink itself (a component of the data dir's path, or the data dir). */
  path: string
  /** What it holds (readlink). */
  target: string
  /** Where it leads once every link is resolved, or null when that cannot be told (dangling). */
  resolved: string | null
  ownerUid: number
  owner: string
  /** Owned by root, the doctor's user or the daemon's: nobody else could have planted it. */
  trusted: boolean
}

export interface DataDirLinks {
  dataDir: string
  /** The data dir itself, when it is a symlink. */
  dataDirLink: PathLink | null
  /** Links among the data dir's parent directories owned by someone else than root, the doctor's or the daemon's user. */
  untrustedAncestors: PathLink[]
  /** Plans must not act in or on the data dir: it is a symlink, or its path runs through a link another user owns. */
  blocksActing: boolean
  /** The data dir's real path (all links resolved), or null. */
  realDataDir: string | null
}

export function dataDirLinks(ctx: CheckContext): Promise<DataDirLinks> {
  return ctx.memo('runwisp:data-dir-links', async () => {
    const {dataDir} = await loadRunwispState(ctx)
    const account = await daemonAccount(ctx)
    const trustedUids = new Set([0, account.uid, ...(ctx.uid === null ? [] : [ctx.uid])])
    const links: PathLink[] = []
    for (const path of pathAndAncestors(dataDir)) {
      const st = await ctx.files.lstat(path)
      if (!st.ok || !st.stat.isSymbolicLink()) continue
      const text = await ctx.files.readlink(path)
      links.push({
        path,
        target: text.ok ? text.target : '(unreadable)',
        resolved: await ctx.files.realpath(path),
        ownerUid: st.stat.uid,
        owner: await userName(ctx, st.stat.uid),
        trusted: trustedUids.has(st.stat.uid),
      })
    }
    const dataDirLink = links.find((l) => l.path === dataDir) ?? null
    const untrustedAncestors = links.filter((l) => l.path !== dataDir && !l.trusted)
    return {
      dataDir,
      dataDirLink,
      untrustedAncestors,
      blocksActing: dataDirLink !== null || untrustedAncestors.length > 0,
      realDataDir: await ctx.files.realpath(dataDir),
    }
  })
}

/** `/a/b/c` → `/a`, `/a/b`, `/a/b/c`. */
function pathAndAncestors(path: string): string[] {
  const out: string[] = []
  for (let p = path; p !== dirname(p); p = dirname(p)) out.unshift(p)
  return out
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
  if (!findings.some((f) => f.plan?.some((s) => s.kind !== 'manual'))) return findings
  const links = await dataDirLinks(ctx)
  if (!links.blocksActing) return findings
  return findings.map((f) => (f.plan ? {...f, plan: f.plan.map((step) => guardStep(step, links))} : f))
}

function guardStep(step: FixStep, links: DataDirLinks): FixStep {
  if (step.kind === 'manual') return step
  const paths =
    step.kind === 'quarantine' || step.kind === 'chmod' ? [step.path] : step.kind === 'replace-symlink' ? [step.path, step.targetPath] : []
  // A step about files elsewhere (a unit's drop-in) is not reached through the data dir.
  if (paths.length > 0 && !paths.some((p) => inside(p, links.dataDir) || (links.realDataDir !== null && inside(p, links.realDataDir))))
    return step
  const real = (p: string) => (links.realDataDir && inside(p, links.dataDir) ? links.realDataDir + p.slice(links.dataDir.length) : p)
  return manualStep({
    title: `Not done by the doctor: ${lowerFirst(step.title)}`,
    why: `${step.why} ${throughWhat(links)} The doctor does not act through a link: look at where it leads, and if that is yours and meant to be RunWisp's data dir, run these yourself.`,
    instructions: equivalentCommands(step, real),
  })
}

function throughWhat(links: DataDirLinks): string {
  const l = links.dataDirLink ?? links.untrustedAncestors[0]!
  const which = links.dataDirLink ? `The data dir ${links.dataDir} is a symlink` : `${l.path}, on the data dir's path, is a symlink`
  return `${which} to ${l.target}${l.resolved && l.resolved !== l.target ? ` (${l.resolved})` : ''}, owned by ${l.owner}.`
}

/** The shell commands that do what the step would have done, on the real paths. */
function equivalentCommands(step: Exclude<FixStep, {kind: 'manual'}>, real: (p: string) => string): string[] {
  const q = shellQuote
  switch (step.kind) {
    case 'chmod':
      return [`ls -ld -- ${q(real(step.path))}`, `chmod ${(step.mode & 0o777).toString(8).padStart(4, '0')} -- ${q(real(step.path))}`]
    case 'quarantine':
      return [`ls -ld -- ${q(real(step.path))}`, `mv -- ${q(real(step.path))} ${q(`${real(step.path)}.bak`)}`]
    case 'replace-symlink':
      return [
        `ls -l -- ${q(real(step.path))} ${q(step.targetPath)}`,
        `cp --remove-destination -- ${q(step.targetPath)} ${q(real(step.path))}`,
        `chmod ${step.mode.toString(8).padStart(4, '0')} -- ${q(real(step.path))}`,
      ]
    case 'run':
      return [step.command.map(q).join(' ')]
    case 'terminate':
      return [`ps -o pid,lstart,args -p ${step.process.pid}`, `kill ${step.process.pid}`]
  }
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep)
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1)
