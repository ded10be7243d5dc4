/**
 * Advisory locks held on this machine, from /proc/locks (Linux). Reading the table is the only
 * way to learn who holds a lock without touching it: taking even a shared lock to test it (as
 * `flock -n -s` does) could make a daemon starting at that instant fail its exclusive lock.
 */
import * as fsp from './fs-async.js'

export interface HeldLock {
  kind: 'FLOCK' | 'POSIX' | 'OFDLCK' | 'LEASE' | 'DELEG' | string
  mode: 'WRITE' | 'READ' | string
  /** The process that took the lock (after a fork, the original taker). */
  pid: number
  major: number
  minor: number
  inode: number
}

/** Parses /proc/locks lines such as `1: FLOCK  ADVISORY  WRITE 4242 fe:00:2146835 0 EOF`; waiters (`->`) are skipped. */
export function parseProcLocks(text: string): HeldLock[] {
  const out: HeldLock[] = []
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+\S+\s+(\S+)\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/i.exec(line)
    if (!m) continue
    out.push({kind: m[1]!, mode: m[2]!, pid: Number(m[3]), major: parseInt(m[4]!, 16), minor: parseInt(m[5]!, 16), inode: Number(m[6])})
  }
  return out
}

/** Every lock in the table, or null where there is no /proc/locks (not Linux). */
export async function readLocks(procRoot = '/proc'): Promise<HeldLock[] | null> {
  if (process.platform !== 'linux') return null
  try {
    return parseProcLocks(await fsp.readFile(`${procRoot}/locks`, 'utf8'))
  } catch {
    return null
  }
}

/** The locks in `locks` on the file with this `st_dev` and inode. */
export function locksOn(locks: readonly HeldLock[], dev: number, ino: number): HeldLock[] {
  const {major, minor} = devParts(dev)
  return locks.filter((l) => l.inode === ino && l.major === major && l.minor === minor)
}

/** Linux `st_dev` → (major, minor), as glibc's gnu_dev_major/minor split it. */
export function devParts(dev: number): {major: number; minor: number} {
  const d = BigInt(dev)
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn))
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn))
  return {major, minor}
}
