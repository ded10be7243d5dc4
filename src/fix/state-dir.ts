/**
 * The doctor's own state dir: the fix lock, one journal per run and the quarantine. Private
 * (0700): quarantined manifests can hold bearer tokens.
 */
import {mkdirSync, chmodSync, lstatSync} from 'node:fs'
import {homedir} from 'node:os'
import {join, resolve} from 'node:path'

export type Env = Readonly<Record<string, string | undefined>>

/** `$DOCTORKIT_STATE_DIR`, else `$XDG_STATE_HOME/doctorkit`, else `~/.local/state/doctorkit`. */
export function stateDirFor(env: Env): string {
  if (env.DOCTORKIT_STATE_DIR) return resolve(env.DOCTORKIT_STATE_DIR)
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'doctorkit')
  return join(env.HOME || homedir(), '.local', 'state', 'doctorkit')
}

export const runsDir = (stateDir: string) => join(stateDir, 'runs')

/** Creates the state dir (0700) and its runs dir; refuses a state dir that is a symlink. */
export function ensureStateDir(stateDir: string): void {
  mkdirSync(runsDir(stateDir), {recursive: true, mode: 0o700})
  for (const dir of [stateDir, runsDir(stateDir)]) {
    const st = lstatSync(dir)
    if (!st.isDirectory()) throw new Error(`${dir} is not a directory; the doctor keeps its journal and quarantine there`)
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, 0o700)
  }
}
