/**
 * Who holds a flock on a file, for any target whose pid file its daemon locks (RunWisp from 0.16,
 * runwisp-facts §1.6; a declared `pidFile.locked`). Read from /proc/locks: testing a lock by
 * taking it, even shared, could make a daemon starting at that instant fail its exclusive lock.
 */
import type {CheckContext} from '../context.js'
import {locksOn, readLocks} from '../probes/locks.js'

export type LockState = {held: true; holders: number[]} | {held: false} | {held: 'unknown'; reason: string}

/**
 * Who holds a lock of one of `kinds` on the file (dev, inode), from /proc/locks (read once per
 * run): reading never disturbs the lock. flock(2) and fcntl/lockf locks are independent on Linux,
 * so a daemon that takes a flock is blocked only by another flock (RunWisp); `POSIX` adds
 * fcntl/lockf locks, held by the process that took them.
 */
export async function lockState(ctx: CheckContext, dev: number, ino: number, kinds: readonly string[] = ['FLOCK']): Promise<LockState> {
  const locks = await ctx.memo('proc-locks', () => readLocks())
  if (!locks) return {held: 'unknown', reason: '/proc/locks is not available on this system'}
  const holders = locksOn(locks, dev, ino)
    .filter((l) => kinds.includes(l.kind) && l.pid > 0)
    .map((l) => l.pid)
  return holders.length > 0 ? {held: true, holders: [...new Set(holders)]} : {held: false}
}
