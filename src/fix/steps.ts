/**
 * Builders for fix steps, used by checks to attach a plan to a finding. They are pure: the check
 * passes the facts it judged (the stat of the file it read, the process it verified) and the step
 * pins them, so the apply engine can refuse to act on anything that changed since.
 */
import {createHash} from 'node:crypto'
import {accessSync, constants, type Stats} from 'node:fs'
import {delimiter, join} from 'node:path'
import {fingerprint, HASH_CAP} from './fsops.js'
import type {
  ChmodStep,
  FixRisk,
  FixStep,
  ManualStep,
  PidGuard,
  ProcessFingerprint,
  QuarantineStep,
  ReplaceSymlinkStep,
  RunStep,
  TerminateStep,
} from './types.js'

const octal = (mode: number) => '0' + mode.toString(8).padStart(3, '0')
const UNDO_QUARANTINE = 'doctor undo puts it back (if nothing has been written there since)'

export interface QuarantineInit {
  path: string
  /** The lstat of the path as the check judged it. */
  stat: Stats
  why: string
  title?: string
  guard?: PidGuard
  risk?: FixRisk
  /** Only while nobody holds a lock on the file (a RunWisp 0.16+ daemon.pid). */
  unlocked?: boolean
  /**
   * The whole of what the check read from this file, through the descriptor `stat` came from: the
   * content is pinned by the bytes judged, without reading the file a second time (20,000 stale
   * records would read each twice).
   */
  content?: Buffer
}

/** Moves a file or dir out of the way, into the doctor's quarantine (nothing is deleted). */
export function quarantineStep(init: QuarantineInit): QuarantineStep {
  const what = init.stat.isDirectory() ? 'directory' : 'file'
  return {
    kind: 'quarantine',
    title: init.title ?? `Move the ${what} ${init.path} to the doctor's quarantine`,
    why: init.why,
    risk: init.risk ?? 'safe',
    undo: UNDO_QUARANTINE,
    path: init.path,
    // What it moves is pinned by content too: a file rewritten since the check is not moved.
    expect: pinned(init),
    ...(init.guard ? {guard: init.guard} : {}),
    ...(init.unlocked ? {unlocked: true} : {}),
  }
}

function pinned(init: QuarantineInit): QuarantineStep['expect'] {
  const {content, stat} = init
  if (!content || !stat.isFile() || content.length !== stat.size || stat.size > HASH_CAP) return fingerprint(stat, init.path)
  return {...fingerprint(stat), sha256: createHash('sha256').update(content).digest('hex')}
}

/** Tightens a secret file (0600) or a private dir (0700). Safe: it only takes access away from others. */
export function chmodStep(init: {path: string; stat: Stats; mode?: number; why: string}): ChmodStep {
  const mode = init.mode ?? (init.stat.isDirectory() ? 0o700 : 0o600)
  const before = init.stat.mode & 0o777
  return {
    kind: 'chmod',
    title: `Set the mode of ${init.path} to ${octal(mode)}`,
    why: init.why,
    risk: 'safe',
    undo: `doctor undo sets it back to ${octal(before)}`,
    path: init.path,
    mode,
    expect: fingerprint(init.stat),
  }
}

/**
 * Replaces a symlinked secret with a regular file holding the same bytes (mode 0600). Confirm:
 * whoever shared the link stops seeing changes made through it.
 */
export function replaceSymlinkStep(init: {
  path: string
  linkStat: Stats
  linkTarget: string
  targetPath: string
  targetStat: Stats
  why: string
}): ReplaceSymlinkStep {
  return {
    kind: 'replace-symlink',
    title: `Replace the symlink ${init.path} (→ ${init.linkTarget}) with a private copy of the file`,
    why: init.why,
    risk: 'confirm',
    undo: 'doctor undo puts the symlink back (if the copy was not changed since); the copy is kept in the quarantine',
    path: init.path,
    expect: fingerprint(init.linkStat, init.path),
    linkTarget: init.linkTarget,
    targetPath: init.targetPath,
    // The bytes copied are the bytes the check judged.
    targetExpect: fingerprint(init.targetStat, init.targetPath),
    mode: 0o600,
  }
}

/** SIGTERM to a verified process, SIGKILL only after a second consent. Never built for a foreign pid. */
export function terminateStep(init: {
  process: ProcessFingerprint
  why: string
  title?: string
  graceMs?: number
  group?: boolean
}): TerminateStep {
  return {
    kind: 'terminate',
    title: init.title ?? `Stop pid ${init.process.pid} (${truncate(init.process.cmdline)})`,
    why: `${init.why} It is verified as the target's own: ${init.process.verifiedBecause}.`,
    risk: 'confirm',
    undo: 'cannot be undone: start it again with its own command',
    process: init.process,
    graceMs: init.graceMs ?? 5000,
    ...(init.group ? {group: true} : {}),
  }
}

export function runStep(init: {
  command: string[]
  cwd: string
  why: string
  title?: string
  env?: Record<string, string>
  timeoutMs?: number
  undo?: string
  risk?: FixRisk
}): RunStep {
  return {
    kind: 'run',
    title: init.title ?? `Run ${init.command.join(' ')}`,
    why: init.why,
    risk: init.risk ?? 'confirm',
    undo: init.undo ?? 'cannot be undone by the doctor',
    command: init.command,
    cwd: init.cwd,
    ...(init.env ? {env: init.env} : {}),
    timeoutMs: init.timeoutMs ?? 60_000,
  }
}

export function manualStep(init: {title: string; why: string; instructions: string[]}): ManualStep {
  return {
    kind: 'manual',
    title: init.title,
    why: init.why,
    risk: 'manual',
    undo: 'nothing to undo: the doctor does not run it',
    instructions: init.instructions,
  }
}

/** The absolute path of `name` on `PATH`, or null. */
export function findExecutable(name: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}

/**
 * A fresh checkout without its build (executor-facts §7.3): `bun run bootstrap` after a confirm
 * when bun is installed, else the instructions.
 */
export function bootstrapStep(init: {checkout: string; pathEnv: string | undefined; why: string}): FixStep {
  const bun = findExecutable('bun', init.pathEnv)
  if (!bun) {
    return manualStep({
      title: `Install bun, then run \`bun run bootstrap\` in ${init.checkout}`,
      why: `${init.why} bun is not on PATH, so the doctor cannot run the bootstrap.`,
      instructions: ['curl -fsSL https://bun.sh/install | bash', `cd ${init.checkout} && bun run bootstrap`],
    })
  }
  return runStep({
    command: [bun, 'run', 'bootstrap'],
    cwd: init.checkout,
    title: `Run \`bun run bootstrap\` in ${init.checkout}`,
    why: init.why,
    timeoutMs: 15 * 60_000,
    undo: 'cannot be undone by the doctor (it installs dependencies and builds; `git clean` removes the output)',
  })
}

/** A path or word as a POSIX shell reads it back unchanged (quoted only when it has to be). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
