/**
 * stale-lock: the files that claim a daemon start or a data dir name a live claimant. Written once
 * for every target, from its profile:
 *
 * - its pid file (`pidFile`: a declared target's, RunWisp's daemon.pid). A pid that is dead (the
 *   daemon was SIGKILLed or crashed) or now another program's (recycled: it started after the file
 *   was written, or is not the daemon; src/targets/recorded-pid.ts) makes the file stale; `--fix`
 *   quarantines it, guarded so it runs only while that pid is still dead (or still that same
 *   unrelated process), and, for a `locked` pid file, only while nobody holds a lock on it. A file
 *   another user owns gets the command, not the move. A pid file whose pid is one of the product's
 *   daemon records (`recordedElsewhere`: RunWisp's) is stale-manifest's to judge that way.
 * - the lock on a `locked` pid file (a flock, or an fcntl/lockf lock unless the profile says flock),
 *   read from /proc/locks (taking it to test it could make a daemon starting at that instant fail): held by a process that is not the daemon, the data dir
 *   is someone else's and every start fails; held by the daemon while the file names another pid,
 *   stop/restart would signal the wrong process.
 * - the product's own lock files (`hooks.lockFiles`: Executor's start locks and its legacy
 *   startup.lock), each judged by the same recorded-pid rule and worded by the product's rule for
 *   that file (a stuck start, the generation that stopped reading startup.lock).
 */
import type {Stats} from 'node:fs'
import {conclude, defineCheck, isSkip, skip, Undetermined, writtenOnce, type DeclaredCheck, type Verdict} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {manualStep, quarantineStep, shellQuote} from '../src/fix/steps.js'
import type {ProcessInfo} from '../src/probes/processes.js'
import {declaredFinding, mine} from '../src/targets/declared/facts.js'
import {identify, processEvidence, redactCommand} from '../src/targets/declared/identity.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import {lockState} from '../src/targets/held-locks.js'
import type {PidFileSpec, TargetFacts} from '../src/targets/profile.js'
import {judgeRecorded, judgeRecordedFiles, type RecordedPidRule} from '../src/targets/recorded-pid.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import {excerpt} from '../src/text.js'
import type {Finding} from '../src/types.js'

/** A pid file is a pid and a newline; anything near this size is not one. */
const PID_CAP = 4096

const staleLock: DeclaredCheck = {
  symptoms: ['stale-pid-file', 'recycled-pid-file', 'pid-file-locked', 'pid-file-mismatch'],
  hookSymptoms: ['lock-files'],
  async detect(ctx, profile) {
    const parts: Verdict[] = []
    const lockFiles = await profile.hooks?.lockFiles?.(ctx)
    if (lockFiles) parts.push(await judgeRecordedFiles(ctx, lockFiles))
    if (profile.pidFile) parts.push(await judgePidFile(ctx, profile, profile.pidFile))
    if (parts.length === 0) return skip(`${profile.id} declares no pid file`)
    const judged = parts.filter((part): part is Finding[] => !isSkip(part))
    if (judged.length === 0) return skip(parts.map((part) => (isSkip(part) ? part.skip : '')).join('; '))
    const findings = judged.flat()
    return profile.hooks?.guardPlans ? profile.hooks.guardPlans(ctx, findings) : findings
  },
}

/** The pid file: who holds its lock (when the daemon locks it), then the pid it names (unless stale-manifest judges that). */
async function judgePidFile(ctx: CheckContext, profile: TargetFacts, spec: PidFileSpec): Promise<Verdict> {
  const {path} = spec
  const lockOnly = spec.recordedElsewhere === true
  if (lockOnly && !spec.locked)
    return skip(`${spec.unlockedWhy ?? `${profile.name} takes no lock on ${path}`}; stale-manifest judges the pid in it`)
  const st = await ctx.files.lstat(path)
  if (!st.ok) {
    // No file: nothing is stale. With only its lock to judge, there is nothing to judge at all.
    if (st.code === 'ENOENT' || st.code === 'ENOTDIR') return lockOnly ? skip(`no ${path}`) : []
    throw new Undetermined(`cannot lstat ${path} (${st.code}): ${st.message}`, {path})
  }
  if (st.stat.isSymbolicLink()) {
    // Never read through a link. When the pid file is one of the target's secrets, the link is symlinked-secret's finding.
    if (profile.secrets.some((s) => s.path === path && s.linkMatters !== false))
      return skip(`${path} is a symlink (symlinked-secret reports it)`)
    throw new Undetermined(`${path} is a symlink; the doctor does not read a pid file through a link`, {path})
  }
  const read = await ctx.files.read(path, PID_CAP)
  // A file too big or not regular names no pid, but its lock can still be judged.
  if (!read.ok && !(lockOnly && (read.code === 'TOO_LARGE' || read.code === 'NOT_FILE')))
    throw new Undetermined(`cannot read ${path} (${read.code}): ${read.message}`, {path})
  const parsed = read.ok ? parsePid(profile, read.bytes) : null
  const pid = parsed?.ok ? parsed.value : null
  if (spec.locked) {
    const lock = await lockState(ctx, st.stat.dev, st.stat.ino, spec.lockKind === 'flock' ? ['FLOCK'] : ['FLOCK', 'POSIX'])
    if (lock.held === 'unknown' && lockOnly) throw new Undetermined(`cannot tell whether ${path} is locked: ${lock.reason}`, {path})
    // A held lock is a live claim on the file whatever pid it names: the holders are the finding.
    if (lock.held === true) return judgeHolders(ctx, profile, path, lock.holders, pid)
  }
  if (lockOnly) return []
  if (!parsed?.ok) throw new Undetermined(`${path} does not hold a decimal pid (${parsed?.reason ?? 'unreadable'})`, {path})
  return judgeRecordedPid(ctx, profile, spec, parsed.value, st.stat)
}

/** The product's pid format, else a decimal pid with blanks around it. */
function parsePid(profile: TargetFacts, bytes: Buffer): {ok: true; value: number} | {ok: false; reason: string} {
  if (profile.hooks?.parsePid) return profile.hooks.parsePid(bytes)
  const text = bytes.toString('utf8').trim()
  if (!/^\d{1,10}$/.test(text)) return {ok: false, reason: `it holds ${JSON.stringify(excerpt(text, 40))}`}
  return {ok: true, value: Number(text)}
}

/**
 * Each live holder of the pid file's lock: the daemon (then the file must name it) or another
 * program holding the daemon's claim. Without a process identity a holder the file does not
 * name cannot be told, so the check is undecided rather than guessing either way.
 */
async function judgeHolders(
  ctx: CheckContext,
  profile: TargetFacts,
  path: string,
  holders: readonly number[],
  pid: number | null,
): Promise<Finding[]> {
  const vars = await profile.hooks?.messageVars?.(ctx)
  const findings: Finding[] = []
  const undecided: string[] = []
  for (const holder of holders) {
    const lookup = await ctx.processes.get(holder)
    if (lookup.alive === 'unknown')
      throw new Undetermined(`${path} is locked by pid ${holder}, which cannot be inspected: ${lookup.reason}`, {path})
    if (lookup.alive === false) continue
    const proc = lookup.info
    const who = await holderIdentity(ctx, profile, proc, pid)
    if (who.daemon === true) {
      if (pid !== null && pid !== holder)
        findings.push(
          declaredFinding(profile, 'pid-file-mismatch', {
            vars: {...vars, path, holder, pid},
            evidence: {path, holder: processEvidence(profile, proc), recordedPid: pid},
          }),
        )
    } else if (who.daemon === 'unknown') undecided.push(`${path} is locked by pid ${holder}: ${who.why}`)
    else
      findings.push(
        declaredFinding(profile, 'pid-file-locked', {
          vars: {...vars, path, pid: holder, command: redactCommand(profile, proc.cmdline)},
          evidence: {path, holder: processEvidence(profile, proc), why: who.why},
        }),
      )
  }
  return conclude(findings, undecided, 'cannot tell who holds the lock:')
}

async function holderIdentity(
  ctx: CheckContext,
  profile: TargetFacts,
  proc: ProcessInfo,
  pid: number | null,
): Promise<{daemon: true} | {daemon: false | 'unknown'; why: string}> {
  if (profile.hooks?.lockHolder) return profile.hooks.lockHolder(ctx, proc)
  const identity = await identify(ctx, profile, proc)
  if (identity.verdict === 'match') return {daemon: true}
  if (identity.verdict === 'other') return {daemon: false, why: identity.why}
  // The file names the holder: whatever it is, it wrote its own claim. Otherwise nothing tells.
  if (proc.pid === pid) return {daemon: true}
  return {daemon: 'unknown', why: `${identity.why}, so whether it is ${profile.name} cannot be told`}
}

/** The pid the file names, by the one recorded-pid rule: its mtime is when it was written, so a process started after it is not its writer. */
async function judgeRecordedPid(ctx: CheckContext, profile: TargetFacts, spec: PidFileSpec, pid: number, stat: Stats): Promise<Finding[]> {
  const {path} = spec
  const verdict = await judgeRecorded(ctx, {kind: 'pid', pid, writtenAtMs: stat.mtimeMs}, declaredRule(ctx, profile))
  if (verdict.kind === 'unknown')
    throw new Undetermined(`${path} names pid ${pid}, which cannot be inspected: ${verdict.reason}`, {path, pid})
  if (verdict.kind !== 'dead' && verdict.kind !== 'reused') return []
  const evidence = {path, pid, fileModifiedAt: new Date(stat.mtimeMs).toISOString()}
  let command = ''
  if (verdict.kind === 'reused') {
    command = redactCommand(profile, verdict.proc.cmdline)
    Object.assign(evidence, {process: processEvidence(profile, verdict.proc), why: verdict.why})
  }
  const slug = verdict.kind === 'dead' ? 'stale-pid-file' : 'recycled-pid-file'
  const why = `${path} names pid ${pid}, which ${slug === 'stale-pid-file' ? 'is not running' : `is ${command}, not ${profile.name}`}. It is moved aside, not deleted.`
  const plan = mine(ctx, stat)
    ? [
        quarantineStep({
          path,
          stat,
          guard: verdict.guard,
          why,
          title: `Move the stale pid file ${path} to the doctor's quarantine`,
          ...(spec.locked ? {unlocked: true} : {}),
        }),
      ]
    : [
        manualStep({
          title: `Move the stale pid file ${path} aside as its owner (uid ${stat.uid})`,
          why: `${why} The file belongs to another user, so the doctor does not move it.`,
          instructions: [`mv ${shellQuote(path)} ${shellQuote(`${path}.stale`)}`],
        }),
      ]
  return [declaredFinding(profile, slug, {vars: {path, pid, command}, evidence, plan})]
}

/** The declared identity decides whether a live pid is the daemon; without one a live pid cannot be judged foreign (it may be the daemon). */
function declaredRule(ctx: CheckContext, profile: TargetFacts): RecordedPidRule<unknown> {
  return {
    async identify(proc) {
      const identity = await identify(ctx, profile, proc)
      return identity.verdict === 'other' ? {foreign: true, why: identity.why} : {foreign: false, identity}
    },
    command: (proc) => redactCommand(profile, proc.cmdline),
  }
}

export default defineCheck({
  id: 'stale-lock',
  title: 'Check daemon start locks',
  description:
    'Start locks left by dead, recycled or garbage pids block or litter daemon starts (a declared target: its declared pid file).',
  fixable: true,
  ...writtenOnce(staleLock, [executorProfile, runwispProfile]),
})
