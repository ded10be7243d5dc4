/**
 * `daemon.pid` as a claim on a data dir: the pid written in it (every generation, runwisp-facts
 * §1.2) and, from 0.16, the flock the daemon holds on it for its whole life (§1.6). Locks are read
 * from /proc/locks: testing one by taking it could make a daemon starting at that instant fail.
 */
import type {CheckContext} from '../../context.js'
import {lockState, type LockState} from '../held-locks.js'
import {parsePidFile} from './formats.js'
import {runwispPaths} from './paths.js'

export {lockState, type LockState}

/**
 * How `<dataDir>/daemon.pid` claims `pid` as that data dir's daemon — it holds the file's lock, or
 * the file names it — or null when it does not. A symlink there is no claim (RunWisp refuses one).
 */
export async function pidFileClaim(ctx: CheckContext, dataDir: string, pid: number): Promise<string | null> {
  const path = runwispPaths(dataDir).pidFile
  const st = await ctx.files.lstat(path)
  if (!st.ok || !st.stat.isFile()) return null
  const lock = await lockState(ctx, st.stat.dev, st.stat.ino)
  if (lock.held === true && lock.holders.includes(pid)) return `it holds the lock on ${path}`
  const read = await ctx.files.read(path, 4096)
  const parsed = read.ok ? parsePidFile(read.bytes) : null
  return parsed?.ok && parsed.value === pid ? `${path} names it` : null
}

/** `./data` is a common name: it counts as RunWisp's only when it holds RunWisp's files. */
export async function looksLikeRunwispDir(ctx: CheckContext, dir: string): Promise<boolean> {
  const listing = await ctx.files.readdir(dir)
  return listing.ok && listing.names.some((n) => ['runwisp.db', 'password', 'daemon.pid', 'runwisp.sock', 'daemon.log'].includes(n))
}
