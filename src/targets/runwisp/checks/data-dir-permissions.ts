import {dirname} from 'node:path'
import type {Stats} from 'node:fs'
import {Undetermined, type TargetCheck, type Verdict} from '../../../check.js'
import type {DetectedTarget} from '../../types.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {octalMode} from '../../../probes/files.js'
import {groupsOf, userName} from '../identity.js'
import {scanDataDir} from '../data-scan.js'
import {daemonAccount, loadRunwispState, type DaemonAccount} from '../state.js'
import type {Finding} from '../../../types.js'
import {documentedStep} from '../../../fix/documented.js'
import {chmodStep, manualStep, shellQuote} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import {dataDirLinks, noActingThroughLinks} from '../data-dir-links.js'

/**
 * runwisp-facts §1.3, §1.5: the data dir is a 0700 directory owned by, and writable by, the user
 * the daemon runs as. Access is computed from owner, group and mode for that user (the doctor may
 * run as someone else); when the doctor *is* that user, what the kernel refused is the proof.
 */
export const runwispDataDirPermissions: TargetCheck = noActingThroughLinks({
  symptoms: [
    'runwisp/data-dir-symlink',
    'runwisp/data-dir-not-dir',
    'runwisp/data-dir-permission-denied',
    'runwisp/data-dir-foreign-owner',
    'runwisp/data-dir-mode',
    'runwisp/data-dir-foreign-files',
  ],
  async detect(ctx, target) {
    const link = await linkFinding(ctx)
    const judged = await judgeDataDir(ctx, target).catch((error: unknown) => {
      // A dangling link is the finding; what lies beyond it cannot be judged.
      if (link && error instanceof Undetermined) return []
      throw error
    })
    const verdict = link && Array.isArray(judged) ? [link, ...judged] : link ? [link] : judged
    if (!Array.isArray(verdict)) return verdict
    const account = await daemonAccount(ctx)
    const out: Finding[] = []
    for (const f of verdict)
      out.push({
        ...f,
        plan:
          f.symptom === 'runwisp/data-dir-mode' ? await modePlan(ctx, (await loadRunwispState(ctx)).dataDir, account, f) : [ownerStep(f)],
      })
    return out
  },
})

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

/**
 * chmod 0700, what RunWisp itself does at start since 0.15 (runwisp-facts §1.3): safe when the
 * daemon's user owns the dir (or the daemon runs as root), since only others lose access. When the
 * daemon reaches it through group or other bits, 0700 would lock it out: chown first, by hand.
 */
async function modePlan(ctx: CheckContext, dataDir: string, account: DaemonAccount, f: Finding): Promise<FixStep[]> {
  const real = await ctx.files.realpath(dataDir)
  const st = real ? await ctx.files.lstat(real) : null
  // Source: runwisp-facts §1.3
  const why = `Run logs, the database and the socket are in it; RunWisp keeps it 0700 and re-tightens it at start when it owns it.`
  if (real && st?.ok && st.stat.isDirectory() && (account.uid === 0 || st.stat.uid === account.uid))
    return [chmodStep({path: real, stat: st.stat, mode: 0o700, why})]
  return [
    manualStep({
      title: `Give ${dataDir} to ${account.name}, then set it 0700`,
      why: `${f.message} ${why} The daemon runs as ${account.name} (${account.how}) and does not own it, so 0700 alone could lock the daemon out; the doctor does not change owners.`,
      instructions: [`sudo chown -R ${account.name}:${account.group} ${shellQuote(dataDir)}`, `sudo chmod 0700 ${shellQuote(dataDir)}`],
    }),
  ]
}

/** The verdict itself; plans are attached by `detect`. */
async function judgeDataDir(ctx: CheckContext, _target: DetectedTarget): Promise<Verdict> {
  const state = await loadRunwispState(ctx)
  const dataDir = state.dataDir
  const account = await daemonAccount(ctx)
  const base = {dataDir, user: account.name, group: account.group}
  const evidence = {dataDir, daemonUser: account.name, daemonUid: account.uid, daemonUserFrom: account.how}
  const s = state.dataDirState
  if (s.kind === 'not-a-dir')
    return [finding('runwisp/data-dir-not-dir', {vars: {dataDir, what: s.what}, evidence: {...evidence, what: s.what}})]
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
    if (parent.stat.isDirectory() && !(await canWrite(ctx, account, parent.stat))) {
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
  const full = {...evidence, mode, owner, ownerUid: st.stat.uid}
  if (!(await canWrite(ctx, account, st.stat))) {
    findings.push(
      finding('runwisp/data-dir-permission-denied', {
        vars: {...base, action: 'write to', detail: `it is ${mode} owned by ${owner}`},
        evidence: full,
      }),
    )
  } else if (st.stat.uid !== account.uid) {
    findings.push(finding('runwisp/data-dir-foreign-owner', {vars: {...base, owner}, evidence: full}))
  }
  if ((Number(st.stat.mode) & 0o077) !== 0) findings.push(finding('runwisp/data-dir-mode', {vars: {dataDir, mode}, evidence: full}))
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

/** Write and search permission on a directory for `account`, from mode bits (root passes, as the kernel lets it). */
async function canWrite(ctx: CheckContext, account: DaemonAccount, st: Stats): Promise<boolean> {
  if (account.uid === 0) return true
  const mode = Number(st.mode)
  if (st.uid === account.uid) return (mode & 0o300) === 0o300
  const groups = await groupsOf(ctx, {name: account.name, uid: account.uid, gid: account.gid})
  if (groups.has(st.gid)) return (mode & 0o030) === 0o030
  return (mode & 0o003) === 0o003
}
