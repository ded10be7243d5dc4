/**
 * Symlinks on the way to a data dir, and the fix rule they impose for every target: the doctor
 * never *acts* in or on a data dir that is itself a symlink, or whose path runs through a link
 * someone other than root, the doctor's user or the daemon's user owns. `./.runwisp` planted in a
 * shared working directory by another user would otherwise aim root's chmod and quarantine at
 * whatever that user chose (runwisp-facts §1.3: RunWisp follows such a link). Each step that would
 * act there becomes a manual step with the exact commands, against the real path, for the user to
 * run once they have looked.
 */
import {dirname, sep} from 'node:path'
import type {CheckContext} from '../context.js'
import {ownerName} from '../targets/declared/facts.js'
import type {Finding} from '../types.js'
import {manualStep, shellQuote} from './steps.js'
import type {FixStep} from './types.js'

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

/** The links on `dataDir`'s path; `daemonUid` (the account the daemon runs as, when known) is trusted beside root and the doctor's user. */
export function linksOnPath(ctx: CheckContext, dataDir: string, daemonUid: number | null): Promise<DataDirLinks> {
  return ctx.memo(`through-links:${dataDir}:${daemonUid ?? ''}`, async () => {
    const trustedUids = new Set([0, ...(daemonUid === null ? [] : [daemonUid]), ...(ctx.uid === null ? [] : [ctx.uid])])
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
        owner: await ownerName(ctx, st.stat.uid),
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

/** Findings whose steps in or on the data dir become manual when `links` block acting (`name`: the product, for the why). */
export function guardThroughLinks(findings: Finding[], links: DataDirLinks, name: string): Finding[] {
  if (!links.blocksActing) return findings
  return findings.map((f) => (f.plan ? {...f, plan: f.plan.map((step) => guardStep(step, links, name))} : f))
}

/** Whether any finding plans a step the doctor would take itself (only those need the links looked up). */
export function plansActing(findings: Finding[]): boolean {
  return findings.some((f) => f.plan?.some((s) => s.kind !== 'manual'))
}

function guardStep(step: FixStep, links: DataDirLinks, name: string): FixStep {
  if (step.kind === 'manual') return step
  const paths =
    step.kind === 'quarantine' || step.kind === 'chmod' ? [step.path] : step.kind === 'replace-symlink' ? [step.path, step.targetPath] : []
  // A step about files elsewhere (a unit's drop-in) is not reached through the data dir.
  if (paths.length > 0 && !paths.some((p) => inside(p, links.dataDir) || (links.realDataDir !== null && inside(p, links.realDataDir))))
    return step
  const real = (p: string) => (links.realDataDir && inside(p, links.dataDir) ? links.realDataDir + p.slice(links.dataDir.length) : p)
  return manualStep({
    title: `Not done by the doctor: ${lowerFirst(step.title)}`,
    why: `${step.why} ${throughWhat(links)} The doctor does not act through a link: look at where it leads, and if that is yours and meant to be ${name}'s data dir, run these yourself.`,
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
