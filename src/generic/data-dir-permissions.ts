/**
 * data-dir-permissions for a declared target: its data dir is a real directory (not a link, not
 * a file) with no permission bits beyond the declared mode, owned by the declared owner. `--fix`
 * tightens the mode of a directory the user running the doctor owns; ownership is only ever a
 * printed command.
 */
import {skip, Undetermined, type DeclaredCheck} from '../check.js'
import {chmodStep, manualStep, shellQuote} from '../fix/steps.js'
import {declaredFinding, mine, octal, ownerName} from '../targets/declared/facts.js'
import type {Finding} from '../types.js'

export const declaredDataDirPermissions: DeclaredCheck = {
  symptoms: ['data-dir-missing', 'data-dir-mode', 'data-dir-owner'],
  async detect(ctx, profile) {
    const dir = profile.dataDir
    if (!dir) return skip(`${profile.id} declares no data dir`)
    if (dir.mode === undefined && dir.owner === undefined)
      return skip(`${profile.id} declares neither a mode nor an owner for its data dir`)
    const path = dir.path
    const st = await ctx.files.lstat(path)
    if (!st.ok && st.code !== 'ENOENT' && st.code !== 'ENOTDIR')
      throw new Undetermined(`cannot lstat ${path} (${st.code}): ${st.message}`, {path})
    if (!st.ok || !st.stat.isDirectory()) {
      const link = st.ok && st.stat.isSymbolicLink() ? await ctx.files.readlink(path) : null
      const what = !st.ok ? 'missing' : link ? `a symlink (to ${link.ok ? link.target : 'an unreadable target'})` : 'not a directory'
      return [declaredFinding(profile, 'data-dir-missing', {vars: {path, what}, evidence: {path, state: what}})]
    }
    const findings: Finding[] = []
    const mode = st.stat.mode & 0o7777
    if (dir.mode !== undefined && (mode & ~dir.mode) !== 0) {
      const why = `${path} grants bits beyond the declared ${octal(dir.mode)}.`
      const plan = mine(ctx, st.stat)
        ? [chmodStep({path, stat: st.stat, mode: dir.mode, why})]
        : [
            manualStep({
              title: `Tighten ${path} as its owner`,
              why: `${why} It belongs to another user, so the doctor does not change it.`,
              instructions: [`chmod ${octal(dir.mode)} ${shellQuote(path)}`],
            }),
          ]
      findings.push(
        declaredFinding(profile, 'data-dir-mode', {
          vars: {path, mode: octal(mode), expected: octal(dir.mode)},
          evidence: {path, mode: octal(mode), declaredMode: octal(dir.mode), uid: st.stat.uid},
          plan,
        }),
      )
    }
    if (dir.owner !== undefined) {
      const owner = await ownerName(ctx, st.stat.uid)
      if (owner !== dir.owner && String(st.stat.uid) !== dir.owner) {
        findings.push(
          declaredFinding(profile, 'data-dir-owner', {
            vars: {path, owner, expected: dir.owner},
            evidence: {path, owner, uid: st.stat.uid, declaredOwner: dir.owner},
          }),
        )
      }
    }
    return findings
  },
}
