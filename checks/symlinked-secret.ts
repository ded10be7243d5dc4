/**
 * symlinked-secret: a secret file of the target (secret-permissions names them) is a symlink.
 * It is described by lstat and readlink only, never opened through the link. A link that dangles,
 * or leads to a file others can read, is a failure. `--fix` replaces it, after a confirm, with a
 * private copy of the file it points at, when the user running the doctor owns the link and is
 * the one who must own the secret (the copy is theirs); a link another user planted, or one
 * pointing nowhere, gets commands. A target may repair its links its own way (RunWisp moves a
 * linked daemon.pid aside): only for a link the doctor's user owns. RunWisp's "not a regular
 * file" is its companion.
 */
import {conclude, defineCheck, skip, writtenOnce, type DeclaredCheck} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {manualStep, replaceSymlinkStep, shellQuote} from '../src/fix/steps.js'
import type {FixStep} from '../src/fix/types.js'
import {declaredFinding, mine, octal, ownerName} from '../src/targets/declared/facts.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import type {SecretLink, TargetFacts} from '../src/targets/profile.js'
import {runwispSecretNotRegular} from '../src/targets/runwisp/checks/symlinked-secret.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import type {Finding} from '../src/types.js'

const symlinkedSecret: DeclaredCheck = {
  symptoms: ['secret-symlink'],
  async detect(ctx, profile) {
    if (profile.secrets.length === 0 && !profile.secretsUnknown?.length)
      return skip(profile.secretsAbsent ?? `${profile.id} declares no secret files`)
    const vars = await profile.hooks?.messageVars?.(ctx)
    const findings: Finding[] = []
    const undecided = [...(profile.secretsUnknown ?? [])]
    for (const secret of profile.secrets) {
      if (secret.linkMatters === false) continue
      const st = await ctx.files.lstat(secret.path)
      if (!st.ok) {
        if (st.code !== 'ENOENT' && st.code !== 'ENOTDIR') undecided.push(`${secret.path}: ${st.code}`)
        continue
      }
      if (!st.stat.isSymbolicLink()) continue
      const path = secret.path
      const text = await ctx.files.readlink(path)
      const realPath = await ctx.files.realpath(path)
      const target = realPath ? await ctx.files.lstat(realPath) : null
      const link: SecretLink = {
        secret,
        linkStat: st.stat,
        linkTarget: text.ok ? text.target : null,
        realPath: target?.ok ? realPath : null,
        targetStat: target?.ok ? target.stat : null,
      }
      const linkTarget = link.linkTarget ?? 'an unreadable target'
      const linkOwner = await ownerName(ctx, st.stat.uid)
      const targetOwner = link.targetStat ? await ownerName(ctx, link.targetStat.uid) : null
      const targetMode = link.targetStat ? octal(link.targetStat.mode & 0o777) : null
      const exposed = link.targetStat !== null && (link.targetStat.mode & 0o077) !== 0
      const problem = !link.targetStat
        ? `, which does not exist${secret.whenMissing ? `: ${secret.whenMissing}` : ''}`
        : exposed
          ? `, whose mode ${targetMode} lets others read it`
          : ''
      const f = declaredFinding(profile, 'secret-symlink', {
        vars: {
          ...vars,
          path,
          what: secret.what ?? path,
          linkTarget,
          target: link.realPath ?? linkTarget,
          linkOwner,
          targetNote: link.realPath
            ? `; the file it leads to, ${link.realPath}, is owned by ${targetOwner} with mode ${targetMode}`
            : '; it points nowhere',
          problem,
        },
        // The link hands the secret to whoever controls where it leads: worst when that is nothing or others can read it.
        ...(!link.targetStat || exposed ? {severity: 'fail' as const} : {}),
        evidence: {
          path,
          ...secret.evidence,
          linkTarget,
          resolvesTo: link.realPath,
          linkOwner,
          ...(targetOwner !== null ? {targetOwner} : {}),
          ...(targetMode !== null ? {targetMode} : {}),
          followed: false,
        },
      })
      findings.push({...f, plan: await linkPlan(ctx, profile, link, f)})
    }
    const guarded = profile.hooks?.guardPlans ? await profile.hooks.guardPlans(ctx, findings) : findings
    return conclude(guarded, undecided, 'cannot inspect')
  },
}

/**
 * A private copy of the file the link leads to, after a confirm: only when the doctor's user owns
 * the link and is the one who must own the secret (its declared owner, else the target's): the
 * copy belongs to whoever makes it, and a root doctor must not leave a user's secret readable by
 * root alone. A link planted by another user never gets an acting step, the product's or ours.
 */
async function linkPlan(ctx: CheckContext, profile: TargetFacts, link: SecretLink, f: Finding): Promise<FixStep[]> {
  const {secret, linkStat, linkTarget, realPath, targetStat} = link
  const path = secret.path
  const q = shellQuote(path)
  if (!mine(ctx, linkStat)) {
    return [
      manualStep({
        title: `Replace the symlink ${path} with the secret itself`,
        why: `The link belongs to ${await ownerName(ctx, linkStat.uid)}, not to the user running the doctor, so the doctor does not touch it: look at where it leads first.`,
        instructions: [`ls -l ${q}`, `rm ${q}`, `install -m 600 /dev/null ${q}  # then write the secret into it`],
      }),
    ]
  }
  if (profile.hooks?.secretLinkPlan) return profile.hooks.secretLinkPlan(ctx, link, f)
  if (!realPath || !targetStat || linkTarget === null) {
    return [
      manualStep({
        title: `Restore ${linkTarget ?? 'the target'} or remove the dangling link ${path}`,
        why: `The link points nowhere, so there is nothing to copy${secret.whenMissing ? ` (${secret.whenMissing})` : ''}. Only you know whether its target can be brought back (a mounted volume, a synced folder); removing it lets the secret be written in place.`,
        instructions: [`ls -l ${q}`, `rm ${q}   # only once you know the target is gone for good`],
      }),
    ]
  }
  const why = `${path} is a secret of ${profile.name}; whoever controls ${realPath} controls it.${secret.linkWhy ? ` ${secret.linkWhy}` : ''}`
  if (!targetStat.isFile()) {
    return [
      manualStep({
        title: `Replace the symlink ${path} with the secret itself`,
        why: `${why} It leads to something that is not a regular file, so there is nothing to copy.`,
        instructions: [`ls -l ${q}`, `rm ${q}`, `install -m 600 /dev/null ${q}  # then write the secret into it`],
      }),
    ]
  }
  const owner = secret.owner?.uid ?? targetStat.uid
  if (ctx.uid !== owner) {
    return [
      manualStep({
        title: `As the owner of ${realPath} (uid ${owner}), replace the link ${path} with a private copy`,
        why: `${why} The doctor runs as uid ${ctx.uid ?? 'unknown'}: a copy it made would belong to it, not to the secret's owner.`,
        instructions: [`cp --remove-destination -- "$(readlink -f ${q})" ${q}`, `chmod 600 ${q}`],
      }),
    ]
  }
  return [replaceSymlinkStep({path, linkStat, linkTarget, targetPath: realPath, targetStat, why})]
}

export default defineCheck({
  id: 'symlinked-secret',
  title: 'Check secret files are not symlinks',
  description:
    'Secret files must be real files: a write through a symlink lands wherever the link points (TOCTOU), and the daemon refuses or silently stops updating it.',
  fixable: true,
  ...writtenOnce(symlinkedSecret, [executorProfile, runwispProfile], {runwisp: runwispSecretNotRegular}),
})
