/**
 * stale-lock for a declared target: its pid file (a decimal pid) names the running daemon. A pid
 * that is dead (the daemon was SIGKILLed or crashed) or now belongs to another program (recycled: it
 * started after the file was written, or is not the declared process; src/targets/recorded-pid.ts)
 * makes the file stale; `--fix` quarantines it, guarded so it runs only while that pid is still
 * dead (or still that same unrelated process), and, for a `locked` pid file, only while nobody
 * holds a lock on it. A file another user owns gets the command, not the move.
 */
import {skip, Undetermined, type DeclaredCheck} from '../check.js'
import {manualStep, quarantineStep, shellQuote} from '../fix/steps.js'
import type {PidGuard} from '../fix/types.js'
import {declaredFinding, mine} from '../targets/declared/facts.js'
import {identify, processEvidence, redactCommand} from '../targets/declared/identity.js'
import {recordedPid} from '../targets/recorded-pid.js'
import {excerpt} from '../text.js'

export const declaredStaleLock: DeclaredCheck = {
  symptoms: ['stale-pid-file', 'recycled-pid-file'],
  async detect(ctx, profile) {
    if (!profile.pidFile) return skip(`${profile.id} declares no pid file`)
    const path = profile.pidFile.path
    const st = await ctx.files.lstat(path)
    if (!st.ok) {
      if (st.code === 'ENOENT' || st.code === 'ENOTDIR') return []
      throw new Undetermined(`cannot lstat ${path} (${st.code}): ${st.message}`, {path})
    }
    if (st.stat.isSymbolicLink()) throw new Undetermined(`${path} is a symlink; the doctor does not read a pid file through a link`, {path})
    const read = await ctx.files.read(path, 64)
    if (!read.ok) throw new Undetermined(`cannot read ${path} (${read.code}): ${read.message}`, {path})
    const text = read.text.trim()
    if (!/^\d{1,10}$/.test(text))
      throw new Undetermined(`${path} does not hold a decimal pid (it holds ${JSON.stringify(excerpt(text, 40))})`, {path})
    const pid = Number(text)
    // The file's mtime is when it was written: a process started after it is not its writer.
    const recorded = await recordedPid(ctx, pid, st.stat.mtimeMs, {
      async identify(proc) {
        const identity = await identify(ctx, profile, proc)
        // Without a declared identity a live pid cannot be judged foreign: it may be the daemon.
        return identity.verdict === 'other' ? {foreign: true, why: identity.why} : {foreign: false, identity}
      },
      command: (proc) => redactCommand(profile, proc.cmdline),
    })
    if (recorded.state === 'unknown')
      throw new Undetermined(`${path} names pid ${pid}, which cannot be inspected: ${recorded.reason}`, {path, pid})
    if (recorded.state === 'alive') return []
    const evidence = {path, pid, fileModifiedAt: new Date(st.stat.mtimeMs).toISOString()}
    let slug: 'stale-pid-file' | 'recycled-pid-file'
    let guard: PidGuard
    let command = ''
    if (recorded.state === 'dead') {
      slug = 'stale-pid-file'
      guard = {pid, mustBe: 'dead'}
    } else {
      slug = 'recycled-pid-file'
      guard = {pid, mustBe: 'dead-or-same', startedAtMs: recorded.proc.startedAtMs}
      command = redactCommand(profile, recorded.proc.cmdline)
      Object.assign(evidence, {process: processEvidence(profile, recorded.proc), why: recorded.why})
    }
    const why = `${path} names pid ${pid}, which ${slug === 'stale-pid-file' ? 'is not running' : `is ${command}, not ${profile.name}`}. It is moved aside, not deleted.`
    const plan = mine(ctx, st.stat)
      ? [
          quarantineStep({
            path,
            stat: st.stat,
            guard,
            why,
            title: `Move the stale pid file ${path} to the doctor's quarantine`,
            ...(profile.pidFile.locked ? {unlocked: true} : {}),
          }),
        ]
      : [
          manualStep({
            title: `Move the stale pid file ${path} aside as its owner (uid ${st.stat.uid})`,
            why: `${why} The file belongs to another user, so the doctor does not move it.`,
            instructions: [`mv ${shellQuote(path)} ${shellQuote(`${path}.stale`)}`],
          }),
        ]
    return [declaredFinding(profile, slug, {vars: {path, pid, command}, evidence, plan})]
  },
}
