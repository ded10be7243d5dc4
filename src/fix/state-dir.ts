/**
 * The doctor's own state dir: the fix lock, one journal per run and the quarantine. Private
 * (0700): quarantined manifests can hold bearer tokens. It must be a place no other user controls
 * (issue 13 §1): whoever can swap the journal or the quarantine under a root run decides what
 * root's `doctor undo` writes where. So every directory on the way must belong to root or to the
 * doctor's user and not be writable by others (a sticky dir such as /tmp is fine: others cannot
 * rename what is ours in it), every symlink on the way must belong to root or the doctor's user,
 * and the state dir and its runs dir must be the doctor's user's own. Otherwise it is refused, with
 * the path, its owner and what to use instead; nothing is created or changed there.
 */
import {chmodSync, lstatSync, mkdirSync, realpathSync, type Stats} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, parse, resolve, sep} from 'node:path'
import {UsageError} from '../engine/doctor.js'

export type Env = Readonly<Record<string, string | undefined>>

/** `$DOCTORKIT_STATE_DIR`, else `$XDG_STATE_HOME/doctorkit`, else `~/.local/state/doctorkit`. */
export function stateDirFor(env: Env): string {
  if (env.DOCTORKIT_STATE_DIR) return resolve(env.DOCTORKIT_STATE_DIR)
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'doctorkit')
  return join(env.HOME || homedir(), '.local', 'state', 'doctorkit')
}

export const runsDir = (stateDir: string) => join(stateDir, 'runs')

/** A state dir another user controls: a usage-level refusal (exit 2) before anything is journaled. */
export class StateDirUntrusted extends UsageError {
  constructor(message: string, amRoot: boolean) {
    super(message, [
      amRoot
        ? "point DOCTORKIT_STATE_DIR at a directory only root controls, e.g. DOCTORKIT_STATE_DIR=/root/.local/state/doctorkit (or run sudo with -H so HOME is root's)"
        : 'point DOCTORKIT_STATE_DIR at a directory of your own that others cannot write',
    ])
    this.name = 'StateDirUntrusted'
  }
}

const me = () => process.geteuid?.() ?? process.getuid?.() ?? -1
const myGroup = () => process.getegid?.() ?? process.getgid?.() ?? -1

/** Why a directory or link on the way to the state dir lets another user swap what is below it, or null. */
export function untrustedComponent(path: string, st: Stats): string | null {
  const uid = me()
  if (st.uid !== 0 && st.uid !== uid)
    return `${path} belongs to uid ${st.uid}, another user, who could swap the doctor's journal and quarantine`
  if (st.isSymbolicLink()) return null
  const sticky = (st.mode & 0o1000) !== 0
  if ((st.mode & 0o002) !== 0 && !sticky)
    return `${path} is writable by every user (mode ${octal(st.mode)}, no sticky bit), so anyone could swap the doctor's journal and quarantine`
  if ((st.mode & 0o020) !== 0 && !sticky && st.gid !== myGroup())
    return `${path} is writable by group ${st.gid} (mode ${octal(st.mode)}), whose members could swap the doctor's journal and quarantine`
  return null
}

/** Refuses a state dir whose path another user controls (see the file comment). Creates nothing. */
export function assertTrustedPath(stateDir: string): void {
  const amRoot = me() === 0
  const problem = (why: string) =>
    new StateDirUntrusted(`the doctor's state dir ${stateDir} is not safe to use: ${why}. Nothing was journaled or changed.`, amRoot)
  const {root} = parse(stateDir)
  let current = root
  let deepest = root
  // The path as written: links on it must be root's or the doctor's user's.
  for (const part of stateDir.slice(root.length).split(sep).filter(Boolean)) {
    current = join(current, part)
    const st = lstatOrNull(current)
    if (!st) break
    deepest = current
    if (st.isSymbolicLink()) {
      const why = untrustedComponent(current, st)
      if (why) throw problem(why)
    }
  }
  // The directories it really runs through, from the root down.
  let real: string
  try {
    real = realpathSync(deepest)
  } catch {
    return
  }
  for (let p = real; ; p = dirname(p)) {
    const st = lstatOrNull(p)
    const why = st ? untrustedComponent(p, st) : null
    if (why) throw problem(why)
    if (p === dirname(p)) break
  }
}

/**
 * Creates the state dir (0700) and its runs dir after checking that no other user controls the
 * way there; the state dir and runs dir themselves must be real directories of the doctor's user.
 */
export function ensureStateDir(stateDir: string): void {
  assertTrustedPath(stateDir)
  mkdirSync(runsDir(stateDir), {recursive: true, mode: 0o700})
  for (const dir of [stateDir, runsDir(stateDir)]) {
    const st = lstatSync(dir)
    if (st.isSymbolicLink())
      throw new StateDirUntrusted(
        `${dir} is a symlink; the doctor keeps its journal and quarantine only in a real directory of its own`,
        me() === 0,
      )
    if (!st.isDirectory()) throw new Error(`${dir} is not a directory; the doctor keeps its journal and quarantine there`)
    if (st.uid !== me())
      throw new StateDirUntrusted(
        `the doctor's state dir ${dir} belongs to uid ${st.uid}, not to the user running the doctor (uid ${me()}): that user could swap its journal and quarantine. Nothing was journaled or changed.`,
        me() === 0,
      )
    // Writable by others: what is in it may have been planted (a journal naming any path); refused, not tightened over it.
    if ((st.mode & 0o022) !== 0)
      throw new StateDirUntrusted(
        `the doctor's state dir ${dir} is writable by others (mode ${octal(st.mode)}): a journal or quarantine planted in it would steer \`doctor undo\`. Look at what is in it, then chmod 0700 it yourself. Nothing was journaled or changed.`,
        me() === 0,
      )
    // Only readable by others: take that away (quarantined files can hold tokens).
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700)
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch {
    return null
  }
}

const octal = (mode: number) => '0' + (mode & 0o7777).toString(8).padStart(3, '0')
