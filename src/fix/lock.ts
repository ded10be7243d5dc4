/**
 * One `--fix` (or `undo`) at a time. The lock is a file created with O_EXCL holding the holder's
 * pid and start time; a lock whose holder is gone (or whose pid now belongs to another process)
 * is reclaimed, the same dead-pid rule Executor uses for its own start locks (executor-facts §2.2).
 */
import {closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../engine/doctor.js'
import {ProcessProbe} from '../probes/processes.js'
import {ensureStateDir} from './state-dir.js'

export interface LockHolder {
  pid: number
  startedAtMs: number | null
  command: string
  since: string
}

/** A usage-level refusal (exit 2): the doctor did not run, and said why. */
export class FixLockBusy extends UsageError {
  constructor(
    readonly holder: LockHolder,
    readonly path: string,
  ) {
    super(
      `another doctor is already changing this machine: pid ${holder.pid} (${holder.command}) has held ${path} since ${holder.since}. Only one --fix or undo runs at a time.`,
      ['wait for it to finish, then run this again'],
    )
    this.name = 'FixLockBusy'
  }
}

export interface FixLock {
  path: string
  release(): void
}

export const lockPath = (stateDir: string) => join(stateDir, 'fix.lock')

export async function acquireFixLock(stateDir: string, command: string): Promise<FixLock> {
  ensureStateDir(stateDir)
  const path = lockPath(stateDir)
  const me = await selfStart()
  const holder: LockHolder = {pid: process.pid, startedAtMs: me, command, since: new Date().toISOString()}
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      try {
        writeSync(fd, JSON.stringify(holder) + '\n')
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      return {path, release: () => releaseIfMine(path)}
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const current = readHolder(path)
      if (current && (await isAlive(current))) throw new FixLockBusy(current, path)
      // Dead holder (or unreadable lock from a crash mid-write): move it aside atomically, retry once.
      const aside = `${path}.stale-${process.pid}`
      try {
        renameSync(path, aside)
        const moved = readHolder(aside)
        if (current && moved && (moved.pid !== current.pid || moved.since !== current.since)) {
          // Another doctor reclaimed the dead lock and took it between our read and our rename:
          // give its lock back (link never overwrites) and stand down.
          try {
            linkSync(aside, path)
          } finally {
            unlinkSync(aside)
          }
          throw new FixLockBusy(moved, path)
        }
        unlinkSync(aside)
      } catch (error) {
        if (error instanceof FixLockBusy) throw error
        // another doctor reclaimed it first; the retry decides
      }
    }
  }
  const current = readHolder(path)
  throw new FixLockBusy(current ?? {pid: 0, startedAtMs: null, command: 'unknown', since: 'unknown'}, path)
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>
    if (typeof parsed.pid !== 'number') return null
    return {
      pid: parsed.pid,
      startedAtMs: typeof parsed.startedAtMs === 'number' ? parsed.startedAtMs : null,
      command: String(parsed.command ?? ''),
      since: String(parsed.since ?? ''),
    }
  } catch {
    return null
  }
}

async function isAlive(holder: LockHolder): Promise<boolean> {
  const lookup = await new ProcessProbe().get(holder.pid)
  if (lookup.alive === 'unknown') return true // cannot tell: never steal a lock on a guess
  if (lookup.alive === false || lookup.info.state === 'Z') return false
  // Start times are known to 10 ms; a different start time means the pid was recycled.
  return holder.startedAtMs === null || Math.abs(lookup.info.startedAtMs - holder.startedAtMs) < 50
}

async function selfStart(): Promise<number | null> {
  const lookup = await new ProcessProbe().get(process.pid)
  return lookup.alive === true ? lookup.info.startedAtMs : null
}

function releaseIfMine(path: string): void {
  const holder = readHolder(path)
  if (holder?.pid === process.pid) {
    try {
      unlinkSync(path)
    } catch {
      // already gone
    }
  }
}
