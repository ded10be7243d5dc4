import {dirname} from 'node:path'
import type {Stats} from 'node:fs'
import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {octalMode} from '../../../probes/files.js'
import {userName} from '../identity.js'
import {scanDataDir} from '../data-scan.js'
import {canWrite} from '../../declared/facts.js'
import {daemonAccount, daemonAccountWithGroups, loadRunwispState} from '../state.js'
import type {Finding} from '../../../types.js'
import {documentedStep} from '../../../fix/documented.js'
import {shellQuote} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import {dataDirLinks} from '../data-dir-links.js'

/**
 * RunWisp's companion to data-dir-permissions (whose generic half judges what sits at the path,
 * the 0700 mode and the owner against the daemon's account): what only RunWisp has. The data dir
 * may be a symlink RunWisp follows (runwisp-facts §1.1, §1.3); the daemon's user must be able to
 * create it (MkdirAll on first run) and write it (runwisp-facts §1.5), computed from owner, group
 * and mode for that user (the doctor may run as someone else; when the doctor *is* that user,
 * what the kernel refused is the proof); and a run as another user may have left files in it.
 */
export const runwispDataDirAccess: TargetCheck = {
  symptoms: ['runwisp/data-dir-symlink', 'runwisp/data-dir-permission-denied', 'runwisp/data-dir-foreign-files'],
  async detect(ctx, _target) {
    const link = await linkFinding(ctx)
    const judged = await judgeAccess(ctx).catch((error: unknown) => {
      // A dangling link is the finding; what lies beyond it cannot be judged.
      if (link && error instanceof Undetermined) return []
      throw error
    })
    // Owners are never changed, nor what sits at the path moved, by the doctor: the documented commands.
    return [...(link ? [link] : []), ...judged].map((f) => ({...f, plan: [ownerStep(f)]}))
  },
}

/**
 * The data dir itself is a symlink (runwisp-facts §1.1, §1.3: RunWisp follows it). A failure when
 * someone other than root, the doctor's user or the daemon's user owns the link (they could have
 * planted it), or when it leads nowhere (MkdirAll then fails with "file exists"); else a warning.
 */
async function linkFinding(ctx: CheckContext): Promise<Finding | null> {
  const {dataDirLink: link, dataDir} = await dataDirLinks(ctx)
  if (!link) return null
  const account = await daemonAccount(ctx)
  const leadsTo = link.resolved
    ? link.resolved === link.target
      ? 'a directory'
      : `that is ${link.resolved}`
    : 'it leads nowhere: RunWisp cannot create its data dir through it'
  const resolvedStat = link.resolved ? await ctx.files.lstat(link.resolved) : null
  const targetOwner = resolvedStat?.ok ? await userName(ctx, resolvedStat.stat.uid) : null
  const planted = link.trusted
    ? ''
    : `, not by root, ${account.name} (the daemon's user) or the user running the doctor: another user could have planted it`
  return finding('runwisp/data-dir-symlink', {
    vars: {
      dataDir,
      linkTarget: link.target,
      leadsTo: link.resolved ? (targetOwner ? `${leadsTo}, owned by ${targetOwner}` : leadsTo) : leadsTo,
      leadsToPath: shellQuote(link.resolved ?? link.target),
      linkOwner: link.owner,
      planted,
    },
    severity: link.trusted && link.resolved ? 'warn' : 'fail',
    evidence: {
      dataDir,
      linkTarget: link.target,
      resolved: link.resolved,
      linkOwner: link.owner,
      linkOwnerUid: link.ownerUid,
      targetOwner,
      daemonUser: account.name,
      trusted: link.trusted,
    },
  })
}

/**
 * Owners are never changed by the doctor: the documented `chown -R` (and `chmod 0700`) are shown,
 * to be run as root. A path that is not a directory may be anything of yours: moving it is yours too.
 */
function ownerStep(f: Finding): FixStep {
  // Source: runwisp-facts §1.5
  return documentedStep(f, `${f.message} The doctor does not change owners or move what sits at the data dir's path; run these yourself.`)
}

/** Whether the daemon's user can create, read and write the data dir, and whose files are in it. */
async function judgeAccess(ctx: CheckContext): Promise<Finding[]> {
  const state = await loadRunwispState(ctx)
  const dataDir = state.dataDir
  const account = await daemonAccountWithGroups(ctx)
  const base = {dataDir, user: account.name, group: account.group}
  const evidence = {dataDir, daemonUser: account.name, daemonUid: account.uid, daemonUserFrom: account.how}
  const s = state.dataDirState
  // What sits at the path instead of a directory is the generic half's finding.
  if (s.kind === 'not-a-dir') return []
  if (s.kind === 'unreadable') {
    if (s.error.code === 'EACCES' && ctx.uid === account.uid) {
      return [
        finding('runwisp/data-dir-permission-denied', {
          vars: {...base, action: 'read', detail: `permission denied: ${s.error.message}`},
          evidence: {...evidence, error: s.error.code},
        }),
      ]
    }
    throw new Undetermined(`cannot inspect ${dataDir} (${s.error.code}): ${s.error.message}`, evidence)
  }
  if (s.kind === 'missing') {
    // RunWisp creates it with MkdirAll on first run: the nearest existing ancestor must be writable.
    const parent = await nearestExisting(ctx, dirname(dataDir))
    if (!parent) throw new Undetermined(`cannot inspect any parent of ${dataDir}`, evidence)
    if (parent.stat.isDirectory() && !canWrite(account, parent.stat)) {
      return [
        finding('runwisp/data-dir-permission-denied', {
          vars: {
            ...base,
            action: 'create',
            detail: `${parent.path} is ${octalMode(parent.stat)} owned by ${await userName(ctx, parent.stat.uid)}`,
          },
          evidence: {...evidence, parent: parent.path, parentMode: octalMode(parent.stat)},
        }),
      ]
    }
    return []
  }
  const st = await ctx.files.stat(dataDir)
  if (!st.ok) throw new Undetermined(`cannot stat ${dataDir} (${st.code})`, evidence)
  const findings: Finding[] = []
  const mode = octalMode(st.stat)
  const owner = await userName(ctx, st.stat.uid)
  // A dir it can still write but does not own is the generic half's owner finding.
  if (!canWrite(account, st.stat))
    findings.push(
      finding('runwisp/data-dir-permission-denied', {
        vars: {...base, action: 'write to', detail: `it is ${mode} owned by ${owner}`},
        evidence: {...evidence, mode, owner, ownerUid: st.stat.uid},
      }),
    )
  // Inside the dir: files left by a run as another user (typically root) that the daemon can no
  // longer rotate or purge. Root's daemon can touch anything, so only a non-root daemon is judged.
  const scan = account.uid === 0 ? null : await scanDataDir(ctx)
  if (scan && scan.foreign.count > 0) {
    const examples = await Promise.all(scan.foreign.examples.map(async (e) => `${e.path} (${await userName(ctx, e.uid)})`))
    findings.push(
      finding('runwisp/data-dir-foreign-files', {
        vars: {...base, count: scan.foreign.count, examples: examples.join(', ')},
        evidence: {...evidence, foreignEntries: scan.foreign.count, examples, entriesScanned: scan.entries, partial: scan.truncated},
      }),
    )
  }
  return findings
}

async function nearestExisting(ctx: CheckContext, path: string): Promise<{path: string; stat: Stats} | null> {
  for (let p = path; ; p = dirname(p)) {
    const st = await ctx.files.stat(p)
    if (st.ok) return {path: p, stat: st.stat}
    if (p === dirname(p)) return null
  }
}
