/**
 * data-dir-permissions: the data dir is a directory with no permission bits beyond the target's
 * mode, owned by its owner (a declared target: the mode and owner it declares; RunWisp: 0700 and
 * the account the daemon runs as, runwisp-facts §1.3, §1.5). `--fix` tightens the mode when the
 * daemon keeps its access (the owner is the daemon's account, or, with no account known, the user
 * running the doctor); ownership is only ever a printed command. No fix acts through a link on
 * the data dir's path another user could have planted (src/fix/through-links.ts). RunWisp's
 * companion judges what only it has: the link itself, whether its user can create or write the
 * dir, and files other users left in it.
 */
import {defineCheck, skip, Undetermined, writtenOnce, type DeclaredCheck} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {chmodStep, manualStep, shellQuote} from '../src/fix/steps.js'
import {guardThroughLinks, linksOnPath, plansActing} from '../src/fix/through-links.js'
import type {FixStep} from '../src/fix/types.js'
import {canWrite, declaredFinding, mine, octal, ownerName, userNames} from '../src/targets/declared/facts.js'
import type {DaemonAccount, DataDirSpec} from '../src/targets/profile.js'
import {runwispDataDirAccess} from '../src/targets/runwisp/checks/data-dir-permissions.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import type {Evidence, Finding} from '../src/types.js'
import type {Stats} from 'node:fs'

const dataDirPermissions: DeclaredCheck = {
  symptoms: ['data-dir-missing', 'data-dir-mode', 'data-dir-owner'],
  async detect(ctx, profile) {
    const dir = profile.dataDir
    if (!dir) return skip(`${profile.id} declares no data dir`)
    const account = (await profile.hooks?.dataDirAccount?.(ctx)) ?? null
    if (dir.mode === undefined && dir.owner === undefined && !account)
      return skip(`${profile.id} declares neither a mode nor an owner for its data dir`)
    const path = dir.path
    const accountEvidence: Evidence = account ? {daemonUser: account.name, daemonUid: account.uid, daemonUserFrom: account.how} : {}
    const st = dir.followsLink ? await ctx.files.stat(path) : await ctx.files.lstat(path)
    if (!st.ok && st.code !== 'ENOENT' && st.code !== 'ENOTDIR') {
      // What the daemon's own user is refused is the product's access finding (RunWisp: permission denied).
      if (account) return skip(`cannot stat ${path} (${st.code}); whether ${account.name} can use it is judged for that account`)
      throw new Undetermined(`cannot lstat ${path} (${st.code}): ${st.message}`, {path})
    }
    if (!st.ok && st.code === 'ENOENT' && dir.createdAtStart) return []
    if (!st.ok || !st.stat.isDirectory()) {
      const what = await whatIsThere(ctx, path, st.ok ? st.stat : st.code)
      return [
        declaredFinding(profile, 'data-dir-missing', {
          vars: {path, dataDir: path, what},
          evidence: {path, state: what, ...accountEvidence},
        }),
      ]
    }
    const findings: Finding[] = []
    const owner = await ownerName(ctx, st.stat.uid)
    const expected = account ? account.name : dir.owner
    const foreign = account
      ? st.stat.uid !== account.uid
      : dir.owner !== undefined && owner !== dir.owner && String(st.stat.uid) !== dir.owner
    // An account that cannot write its dir at all is worse than an owner warning, and only the
    // product has a symptom for it (RunWisp: data-dir-permission-denied, its companion's).
    if (expected !== undefined && foreign && (!account || canWrite(account, st.stat))) {
      findings.push(
        declaredFinding(profile, 'data-dir-owner', {
          vars: {path, dataDir: path, owner, expected, user: expected, ...(account ? {group: account.group} : {})},
          evidence: {path, owner, uid: st.stat.uid, declaredOwner: expected, ...accountEvidence},
        }),
      )
    }
    // Only rwx bits open the data to others; setgid or sticky on a directory does not (RunWisp compares Perm() too).
    const mode = st.stat.mode & 0o777
    if (dir.mode !== undefined && (mode & ~dir.mode) !== 0) {
      findings.push(
        declaredFinding(profile, 'data-dir-mode', {
          vars: {path, dataDir: path, mode: octal(mode), expected: octal(dir.mode)},
          evidence: {path, mode: octal(mode), declaredMode: octal(dir.mode), uid: st.stat.uid, ...accountEvidence},
          plan: await modePlan(ctx, {...dir, mode: dir.mode}, st.stat, account),
        }),
      )
    }
    if (!plansActing(findings)) return findings
    return guardThroughLinks(findings, await linksOnPath(ctx, path, account?.uid ?? (await declaredOwnerUid(ctx, dir))), profile.name)
  },
}

/** What sits at the path instead of a directory, in words for the message. */
async function whatIsThere(ctx: CheckContext, path: string, found: Stats | string): Promise<string> {
  if (found === 'ENOTDIR') return 'a path whose parent is not a directory'
  if (typeof found === 'string') return 'missing'
  if (found.isSymbolicLink()) {
    const link = await ctx.files.readlink(path)
    return `a symlink (to ${link.ok ? link.target : 'an unreadable target'})`
  }
  return found.isFile() ? `a regular file of ${found.size} bytes` : 'not a directory'
}

/**
 * chmod to the expected mode when only others lose access: the daemon's account owns the dir
 * (or is root), or, with no account known, the user running the doctor owns it. Otherwise the
 * mode could lock the daemon out or belongs to someone else: the commands, by hand.
 */
async function modePlan(
  ctx: CheckContext,
  dir: DataDirSpec & {mode: number},
  st: Stats,
  account: DaemonAccount | null,
): Promise<FixStep[]> {
  const path = dir.followsLink ? ((await ctx.files.realpath(dir.path)) ?? dir.path) : dir.path
  const why = dir.modeWhy ?? `${dir.path} grants bits beyond the declared ${octal(dir.mode)}.`
  if (account ? account.uid === 0 || st.uid === account.uid : mine(ctx, st)) return [chmodStep({path, stat: st, mode: dir.mode, why})]
  if (account)
    return [
      manualStep({
        title: `Give ${dir.path} to ${account.name}, then set it ${octal(dir.mode)}`,
        why: `${why} The daemon runs as ${account.name} (${account.how}) and does not own it, so ${octal(dir.mode)} alone could lock the daemon out; the doctor does not change owners.`,
        instructions: [
          `sudo chown -R ${account.name}:${account.group} ${shellQuote(dir.path)}`,
          `sudo chmod ${octal(dir.mode)} ${shellQuote(dir.path)}`,
        ],
      }),
    ]
  return [
    manualStep({
      title: `Tighten ${dir.path} as its owner`,
      why: `${why} It belongs to another user, so the doctor does not change it.`,
      instructions: [`chmod ${octal(dir.mode)} ${shellQuote(dir.path)}`],
    }),
  ]
}

/** The declared owner's uid (a number as written, or a name in /etc/passwd): links it owns were not planted by someone else. */
async function declaredOwnerUid(ctx: CheckContext, dir: DataDirSpec): Promise<number | null> {
  if (dir.owner === undefined) return null
  if (/^\d+$/.test(dir.owner)) return Number(dir.owner)
  for (const [uid, name] of await userNames(ctx)) if (name === dir.owner) return uid
  return null
}

export default defineCheck({
  id: 'data-dir-permissions',
  title: 'Check the data dir permissions',
  description:
    'The data dir is a 0700 directory owned by, and writable by, the user the daemon runs as (a declared target: the mode and owner it declares).',
  fixable: true,
  ...writtenOnce(dataDirPermissions, [runwispProfile], {runwisp: runwispDataDirAccess}),
})
