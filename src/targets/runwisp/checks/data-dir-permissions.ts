import {dirname} from 'node:path'
import type {Stats} from 'node:fs'
import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {octalMode} from '../../../probes/files.js'
import {groupsOf, userName} from '../identity.js'
import {scanDataDir} from '../data-scan.js'
import {daemonAccount, loadRunwispState, type DaemonAccount} from '../state.js'
import type {Finding} from '../../../types.js'

/**
 * runwisp-facts §1.3, §1.5: the data dir is a 0700 directory owned by, and writable by, the user
 * the daemon runs as. Access is computed from owner, group and mode for that user (the doctor may
 * run as someone else); when the doctor *is* that user, what the kernel refused is the proof.
 */
export const runwispDataDirPermissions: TargetCheck = {
  symptoms: ['runwisp/data-dir-not-dir', 'runwisp/data-dir-permission-denied', 'runwisp/data-dir-foreign-owner', 'runwisp/data-dir-mode', 'runwisp/data-dir-foreign-files'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    const dataDir = state.dataDir
    const account = await daemonAccount(ctx)
    const base = {dataDir, user: account.name, group: account.group}
    const evidence = {dataDir, daemonUser: account.name, daemonUid: account.uid, daemonUserFrom: account.how}
    const s = state.dataDirState
    if (s.kind === 'not-a-dir') return [finding('runwisp/data-dir-not-dir', {vars: {dataDir, what: s.what}, evidence: {...evidence, what: s.what}})]
    if (s.kind === 'unreadable') {
      if (s.error.code === 'EACCES' && ctx.uid === account.uid) {
        return [finding('runwisp/data-dir-permission-denied', {vars: {...base, action: 'read', detail: `permission denied: ${s.error.message}`}, evidence: {...evidence, error: s.error.code}})]
      }
      throw new Undetermined(`cannot inspect ${dataDir} (${s.error.code}): ${s.error.message}`, evidence)
    }
    if (s.kind === 'missing') {
      // RunWisp creates it with MkdirAll on first run: the nearest existing ancestor must be writable.
      const parent = await nearestExisting(ctx, dirname(dataDir))
      if (!parent) throw new Undetermined(`cannot inspect any parent of ${dataDir}`, evidence)
      if (parent.stat.isDirectory() && !(await canWrite(ctx, account, parent.stat))) {
        return [finding('runwisp/data-dir-permission-denied', {vars: {...base, action: 'create', detail: `${parent.path} is ${octalMode(parent.stat)} owned by ${await userName(ctx, parent.stat.uid)}`}, evidence: {...evidence, parent: parent.path, parentMode: octalMode(parent.stat)}})]
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
      findings.push(finding('runwisp/data-dir-permission-denied', {vars: {...base, action: 'write to', detail: `it is ${mode} owned by ${owner}`}, evidence: full}))
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
  },
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
