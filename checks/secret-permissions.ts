/**
 * secret-permissions: each secret file of the target (Executor: the bearer, server.json and
 * server-connections.json when they carry a credential, the file-secrets store and its backups;
 * RunWisp: its password file, daemon.pid, daemon.log, socket and password drop-ins; a declared
 * target: its declared secrets) grants no bits beyond its expected mode (0600 unless stated).
 * Links are symlinked-secret's: no plan ever acts through one, and only a target that says so
 * (Executor) has the mode of a link's target judged, reported with no plan of its own. RunWisp's
 * ownership rules (a foreign owner, the 0.4 password left over) are its companion.
 */
import type {Stats} from 'node:fs'
import {conclude, defineCheck, skip, writtenOnce, type DeclaredCheck} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {chmodStep, manualStep, shellQuote} from '../src/fix/steps.js'
import type {FixStep} from '../src/fix/types.js'
import {declaredFinding, mine, octal} from '../src/targets/declared/facts.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import type {SecretFileSpec, TargetFacts} from '../src/targets/profile.js'
import {runwispSecretOwnership} from '../src/targets/runwisp/checks/secret-permissions.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import type {Finding} from '../src/types.js'

const DEFAULT_SECRET_MODE = 0o600

const secretPermissions: DeclaredCheck = {
  symptoms: ['secret-mode'],
  async detect(ctx, profile) {
    if (profile.secrets.length === 0 && !profile.secretsUnknown?.length)
      return skip(profile.secretsAbsent ?? `${profile.id} declares no secret files`)
    const findings: Finding[] = []
    const undecided = [...(profile.secretsUnknown ?? [])]
    for (const secret of profile.secrets) {
      const st = await ctx.files.lstat(secret.path)
      if (!st.ok) {
        if (st.code !== 'ENOENT' && st.code !== 'ENOTDIR') undecided.push(`${secret.path}: ${st.code}`)
        continue
      }
      let path = secret.path
      let stat = st.stat
      if (stat.isSymbolicLink()) {
        // Links are symlinked-secret's; a target that asks has the file it leads to judged (read only).
        if (!secret.modeThroughLink) continue
        const real = await ctx.files.realpath(secret.path)
        const target = real ? await ctx.files.stat(real) : null
        if (!real || !target?.ok) continue
        path = real
        stat = target.stat
      }
      // Other types (a directory, a FIFO) are symlinked-secret's; their modes mean nothing here.
      if (!stat.isFile() && !stat.isSocket()) continue
      const f = judgeMode(profile, secret, path, stat)
      if (!f) continue
      // Behind a symlink the mode is not the doctor's to change (the target may be any file someone
      // pointed the link at): symlinked-secret's plan, a private copy, is the fix.
      if (path !== secret.path) {
        const {plan: _documented, ...noPlan} = f
        findings.push(noPlan)
      } else findings.push({...f, plan: tightenPlan(ctx, profile, secret, stat, f)})
    }
    const guarded = profile.hooks?.guardPlans ? await profile.hooks.guardPlans(ctx, findings) : findings
    return conclude(guarded, undecided, 'cannot inspect')
  },
}

/** The finding for a mode looser than the secret's, or null. */
function judgeMode(profile: TargetFacts, secret: SecretFileSpec, path: string, stat: Stats): Finding | null {
  const expected = secret.mode ?? DEFAULT_SECRET_MODE
  const mode = stat.mode & 0o7777
  // With an exposure rule only what others gain counts; without one, any bit beyond the declared mode.
  const excess = mode & ~expected & (secret.exposure ? 0o077 : 0o7777)
  if (excess === 0) return null
  const others = (excess & 0o007) !== 0
  return declaredFinding(profile, 'secret-mode', {
    vars: {
      path,
      mode: octal(mode),
      expected: octal(expected),
      what: secret.what ?? path,
      who: others ? 'every user on this machine' : "members of the file's group",
    },
    ...(secret.exposure ? {severity: others ? secret.exposure.others : secret.exposure.group} : {}),
    evidence: {
      path,
      mode: octal(mode),
      expected: octal(expected),
      uid: stat.uid,
      ...(path !== secret.path ? {linkedFrom: secret.path} : {}),
      ...secret.evidence,
    },
  })
}

/**
 * chmod back to the expected mode, pinned to the file as it was judged, when that takes nothing
 * from the daemon: the file is the account's it must belong to (or that account is root), or,
 * without one, the doctor's own user owns it. Otherwise the commands, for the owner to run. A
 * socket gives no descriptor to change its mode through: the commands too.
 */
function tightenPlan(ctx: CheckContext, profile: TargetFacts, secret: SecretFileSpec, stat: Stats, f: Finding): FixStep[] {
  const {path} = secret
  const expected = secret.mode ?? DEFAULT_SECRET_MODE
  const why = secret.why ?? `${path} holds a secret of ${profile.name} and grants bits beyond ${octal(expected)}.`
  if (stat.isSocket()) {
    return [
      manualStep({
        title: `Restrict the socket ${path} to its owner`,
        why: `${why} The doctor only changes modes through a file descriptor, which a socket does not give.`,
        instructions: [`chmod ${octal(expected)} ${shellQuote(path)}`],
      }),
    ]
  }
  const owner = secret.owner
  if (owner ? owner.uid === 0 || stat.uid === owner.uid : mine(ctx, stat)) return [chmodStep({path, stat, mode: expected, why})]
  if (!owner) {
    return [
      manualStep({
        title: `Tighten ${path} as its owner`,
        why: `${why} It belongs to another user, so the doctor does not change it.`,
        instructions: [`chmod ${octal(expected)} ${shellQuote(path)}`],
      }),
    ]
  }
  return [
    manualStep({
      title: `Give ${path} to ${owner.name}, then set it ${octal(expected)}`,
      why: `${f.message} ${why} It belongs to uid ${stat.uid}, not to ${owner.name} (${owner.how}): ${octal(expected)} alone could lock the daemon out, and the doctor does not change owners.`,
      instructions: [`sudo chown ${owner.name}:${owner.group} ${shellQuote(path)}`, `sudo chmod ${octal(expected)} ${shellQuote(path)}`],
    }),
  ]
}

export default defineCheck({
  id: 'secret-permissions',
  title: 'Check secret files are private',
  description:
    'Files holding tokens, passwords or secrets must be private (0600, owned by the user the daemon runs as), never readable by other users (a declared target: each declared secret file, at most its declared mode).',
  fixable: true,
  ...writtenOnce(secretPermissions, [executorProfile, runwispProfile], {runwisp: runwispSecretOwnership}),
})
