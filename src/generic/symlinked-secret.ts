/**
 * symlinked-secret for a declared target: a declared secret file is a symlink. It is described by
 * lstat and readlink only (never opened through the link). `--fix` replaces it, after a confirm,
 * with a private 0600 copy of the file it points at, when the user running the doctor owns the
 * link and its target; a link planted by another user, or one pointing nowhere, gets commands.
 */
import {skip, type DeclaredCheck} from '../check.js'
import {manualStep, replaceSymlinkStep, shellQuote} from '../fix/steps.js'
import type {FixStep} from '../fix/types.js'
import {declaredFinding, mine, ownerName} from '../targets/declared/facts.js'
import {resolveLinks} from '../targets/declared/links.js'
import {presentSecretFiles} from '../targets/declared/secret-files.js'
import type {Finding} from '../types.js'

export const declaredSymlinkedSecret: DeclaredCheck = {
  symptoms: ['secret-symlink'],
  async detect(ctx, profile) {
    if (profile.secrets.length === 0) return skip(`${profile.id} declares no secret files`)
    const findings: Finding[] = []
    for (const {path, stat: linkStat} of await presentSecretFiles(ctx, profile)) {
      if (!linkStat.isSymbolicLink()) continue
      const link = await ctx.files.readlink(path)
      const linkTarget = link.ok ? link.target : 'an unreadable target'
      const real = await resolveLinks(ctx, path)
      const target = await ctx.files.lstat(real)
      const linkOwner = await ownerName(ctx, linkStat.uid)
      const targetNote = !target.ok
        ? '; it points nowhere'
        : `; the file it leads to, ${real}, is owned by ${await ownerName(ctx, target.stat.uid)} with mode 0${(target.stat.mode & 0o777).toString(8)}`
      const evidence = {
        path,
        linkTarget,
        resolvesTo: target.ok ? real : null,
        linkOwner,
        ...(target.ok ? {targetOwner: await ownerName(ctx, target.stat.uid)} : {}),
        followed: false,
      }
      let plan: FixStep[]
      if (link.ok && target.ok && target.stat.isFile() && mine(ctx, linkStat) && mine(ctx, target.stat)) {
        plan = [
          replaceSymlinkStep({
            path,
            linkStat: linkStat,
            linkTarget: link.target,
            targetPath: real,
            targetStat: target.stat,
            why: `${path} is a secret of ${profile.name}; whoever controls ${real} controls it.`,
          }),
        ]
      } else {
        const why = !target.ok
          ? 'The link points nowhere, so there is nothing to copy.'
          : 'The link or the file it leads to belongs to another user (or is not a regular file), so the doctor does not touch it.'
        plan = [
          manualStep({
            title: `Replace the symlink ${path} with the secret itself`,
            why,
            instructions: [
              `ls -l ${shellQuote(path)}`,
              `rm ${shellQuote(path)}`,
              `install -m 600 /dev/null ${shellQuote(path)}  # then write the secret into it`,
            ],
          }),
        ]
      }
      findings.push(declaredFinding(profile, 'secret-symlink', {vars: {path, linkTarget, linkOwner, targetNote}, evidence, plan}))
    }
    return findings
  },
}
