/**
 * The filesystem moves fixes make, done so nothing is ever lost: a rename when source and
 * destination share a filesystem (atomic), otherwise copy (modes, times, owners, symlinks kept)
 * from descriptors pinned to the planned object, fsync, and only then remove the source while it
 * is still that object. Nothing here follows a symlink.
 */
import {createHash} from 'node:crypto'
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  futimesSync,
  writeSync,
  type Stats,
} from 'node:fs'
import {dirname, join, parse, sep} from 'node:path'
import type {FileFingerprint} from './types.js'

/** Files larger than this are pinned by size and mtime instead of a content hash (fix targets are small: records, locks, secrets). */
export const HASH_CAP = 16 * 1024 * 1024

/**
 * What the step pins of `stat`. With `path`, the content too: a regular file's bytes are hashed
 * through a descriptor opened without following links (and only if it is still the inode `stat`
 * describes), a symlink's target text is hashed as its content.
 */
export function fingerprint(stat: Stats, path?: string): FileFingerprint {
  const base: FileFingerprint = {
    kind: stat.isSymbolicLink() ? 'symlink' : stat.isDirectory() ? 'dir' : 'file',
    dev: stat.dev,
    ino: stat.ino,
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    mode: stat.mode & 0o777,
    uid: stat.uid,
  }
  const sha256 = path === undefined ? null : contentHash(path, stat)
  return sha256 ? {...base, sha256} : base
}

type StatLike = Pick<Stats, 'dev' | 'ino' | 'size' | 'isFile' | 'isSymbolicLink'>

/** sha256 of what `path` holds if it is still the object `stat` describes; null when it cannot tell. */
export function contentHash(path: string, stat: StatLike): string | null {
  try {
    if (stat.isSymbolicLink()) return createHash('sha256').update(readlinkSync(path)).digest('hex')
    if (!stat.isFile() || stat.size > HASH_CAP) return null
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    try {
      const st = fstatSync(fd)
      if (st.dev !== stat.dev || st.ino !== stat.ino || !st.isFile() || st.size > HASH_CAP) return null
      const hash = createHash('sha256')
      const chunk = Buffer.alloc(64 * 1024)
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n))
      return hash.digest('hex')
    } finally {
      closeSync(fd)
    }
  } catch {
    return null
  }
}

export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw error
  }
}

/** The first component of `path` (excluding the last) that is a symlink, or null. */
export function symlinkedComponent(path: string): string | null {
  const {root} = parse(path)
  const parts = path.slice(root.length).split(sep).filter(Boolean)
  let current = root
  for (const part of parts.slice(0, -1)) {
    current = join(current, part)
    const st = lstatOrNull(current)
    if (st?.isSymbolicLink()) return current
    if (!st) return null
  }
  return null
}

export interface ChangeOptions {
  /** Compare the permission bits (a chmod step compares them itself: a mode is its goal). */
  mode?: boolean
  /** Compare the content (a step that moves or copies the bytes). */
  content?: boolean
}

/**
 * Why `path` is no longer the object the plan saw, or null when it still is. What is compared is
 * what a step relies on — identity, type, owner, and by option mode and content — never a
 * directory's mtime or size, which the run's own earlier steps change when they add or remove an
 * entry (issue 12 §3: replacing a symlinked password must not make the chmod of its dir skip).
 */
export function describeChange(path: string, expect: FileFingerprint, options: ChangeOptions = {mode: true, content: true}): string | null {
  const st = lstatOrNull(path)
  if (!st) return `${path} no longer exists`
  const now = fingerprint(st)
  if (now.kind !== expect.kind) return `${path} is now a ${now.kind}, not the ${expect.kind} the check judged`
  if (now.dev !== expect.dev || now.ino !== expect.ino) return `${path} was replaced by another file (inode ${now.ino}, was ${expect.ino})`
  if (expect.uid !== undefined && now.uid !== expect.uid) return `${path} changed owner (uid ${now.uid}, was ${expect.uid})`
  if (options.mode && now.kind !== 'symlink' && now.mode !== expect.mode)
    return `${path} changed mode (${octal(now.mode)}, was ${octal(expect.mode)})`
  if (!options.content || now.kind === 'dir') return null
  if (expect.sha256 !== undefined) {
    return contentHash(path, st) === expect.sha256 ? null : `${path} was rewritten after the check read it (its content differs)`
  }
  // Not hashed (too large, or a journal from before hashes): size and mtime say it was rewritten.
  if (now.size !== expect.size) return `${path} changed size (${now.size} bytes, was ${expect.size})`
  if (now.mtimeMs !== expect.mtimeMs) return `${path} was modified after the check read it`
  return null
}

const octal = (mode: number) => '0' + mode.toString(8).padStart(3, '0')

export function fsyncPath(path: string): void {
  let fd: number | undefined
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW)
    fsyncSync(fd)
  } catch {
    // best effort: some filesystems refuse fsync on a directory
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * What a cross-filesystem copy holds its source to: the planned object's identity and type, and
 * where known its owner, size and content. A copy is made only from a descriptor that is this object.
 */
export type Pin = Pick<FileFingerprint, 'kind' | 'dev' | 'ino'> & Partial<Pick<FileFingerprint, 'size' | 'mtimeMs' | 'uid' | 'sha256'>>

export interface MoveOptions {
  /** The object the plan judged: only it is moved, and the source is removed only while the path is still it. */
  expect: Pin
  /** Runs after a cross-filesystem copy is complete and synced, before the source is removed (the journal records that the copy is whole). */
  onCopied?: () => void
}

/** Moves `src` to `dest` (which must not exist): rename(2) on one filesystem, else a pinned copy, then the source removed. */
export function moveNoFollow(src: string, dest: string, options: MoveOptions): 'rename' | 'copy' {
  mkdirSync(dirname(dest), {recursive: true, mode: 0o700})
  if (lstatOrNull(dest)) throw new Error(`${dest} already exists`)
  try {
    renameSync(src, dest)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    return copyThenRemove(src, dest, options.expect, options.onCopied)
  }
  fsyncPath(dirname(dest))
  fsyncPath(dirname(src))
  // rename(2) moves a name, whatever it names now: say so if it was not the planned object (nothing is lost: it is at dest).
  const moved = lstatSync(dest)
  if (moved.ino !== options.expect.ino || moved.dev !== options.expect.dev)
    throw new Error(
      `${src} was replaced just before it was moved; what was there (inode ${moved.ino}, not the planned ${options.expect.ino}) is kept at ${dest}`,
    )
  return 'rename'
}

/**
 * The cross-filesystem half of a move: an exclusive copy made through descriptors that are the
 * pinned object (a name swapped for a link or another file mid-move is never followed: issue 13
 * §1, a renameat2(RENAME_EXCHANGE) racer), synced, then the source removed only while the path
 * is still that object. A partial copy is removed — unless `dest` appeared meanwhile (EEXIST),
 * which is someone else's. When the source was swapped after the copy, the copy is dropped too:
 * the planned object still exists under whatever name it was moved to, and nothing was removed.
 */
function copyThenRemove(src: string, dest: string, pin: Pin, onCopied: () => void = () => undefined): 'copy' {
  try {
    copyPinned(src, src, dest, pin)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(dest, {recursive: true, force: true})
    throw error
  }
  fsyncPath(dirname(dest))
  onCopied()
  if (!rmTreeIfSame(src, pin)) {
    rmSync(dest, {recursive: true, force: true})
    fsyncPath(dirname(dest))
    throw new Error(`${src} was swapped for another file while it was being copied; it is left as it is and nothing was quarantined`)
  }
  fsyncPath(dirname(src))
  return 'copy'
}

const amRoot = process.getuid?.() === 0

type PinKind = FileFingerprint['kind'] | 'other'
const kindOf = (st: Stats): PinKind => (st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other')

/** Why `st` (of `shown`) is not the pinned object, or null. A directory's size and mtime are not compared (see describeChange). */
function pinProblem(shown: string, st: Stats, pin: Pin): string | null {
  const kind = kindOf(st)
  if (kind !== pin.kind) return `${shown} is now ${kind === 'other' ? 'a special file' : `a ${kind}`}, not the ${pin.kind} the check judged`
  if (st.dev !== pin.dev || st.ino !== pin.ino) return `${shown} was swapped for another file (inode ${st.ino}, planned ${pin.ino})`
  if (pin.uid !== undefined && st.uid !== pin.uid) return `${shown} changed owner (uid ${st.uid}, was ${pin.uid})`
  if (kind !== 'file') return null
  if (pin.size !== undefined && st.size !== pin.size) return `${shown} changed size (${st.size} bytes, was ${pin.size})`
  if (pin.sha256 === undefined && pin.mtimeMs !== undefined && st.mtimeMs !== pin.mtimeMs)
    return `${shown} was modified after the check read it`
  return null
}

const refuse = (message: string) => Object.assign(new Error(`${message}; nothing was moved`), {code: 'EPINNED'})

/**
 * Copies a file, dir or symlink, pinned, without following links, keeping modes, times and (as
 * root) owners. `src` may be a path under /proc/self/fd/<dir fd>, which resolves inside the
 * directory already opened (openat without an openat binding); `shown` is the path for messages.
 */
function copyPinned(src: string, shown: string, dest: string, pin: Pin): void {
  const st = lstatSync(src)
  const problem = pinProblem(shown, st, pin)
  if (problem) throw refuse(problem)
  if (st.isSymbolicLink()) return copyLink(src, shown, dest, st, pin)
  if (st.isFile()) return copyFile(src, shown, dest, pin)
  if (st.isDirectory()) return copyDir(src, shown, dest, pin)
  throw new Error(`${shown} is neither a file, a directory nor a symlink; the doctor does not move it`)
}

/** Opens without following a link (ELOOP: it became one) and without blocking (a FIFO swapped in), then holds the descriptor to the pin. */
function openPinned(src: string, shown: string, flags: number, pin: Pin): {fd: number; st: Stats} {
  let fd: number
  try {
    fd = openSync(src, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ELOOP' || code === 'ENOTDIR') throw refuse(`${shown} became a symlink or another kind of file while it was being moved`)
    throw error
  }
  const st = fstatSync(fd)
  const problem = pinProblem(shown, st, pin)
  if (problem) {
    closeSync(fd)
    throw refuse(problem)
  }
  return {fd, st}
}

function copyFile(src: string, shown: string, dest: string, pin: Pin): void {
  const {fd, st} = openPinned(src, shown, constants.O_RDONLY, pin)
  try {
    const out = openSync(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
    try {
      const hash = createHash('sha256')
      const chunk = Buffer.alloc(64 * 1024)
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
        hash.update(chunk.subarray(0, n))
        for (let off = 0; off < n;) off += writeSync(out, chunk, off, n - off)
      }
      if (pin.sha256 !== undefined && hash.digest('hex') !== pin.sha256)
        throw refuse(`${shown} was rewritten after the check read it (its content differs)`)
      takeAttributes(out, st)
      fsyncSync(out)
    } finally {
      closeSync(out)
    }
  } finally {
    closeSync(fd)
  }
}

function copyDir(src: string, shown: string, dest: string, pin: Pin): void {
  const {fd, st} = openPinned(src, shown, constants.O_RDONLY | constants.O_DIRECTORY, pin)
  try {
    mkdirSync(dest, {mode: 0o700})
    const here = `/proc/self/fd/${fd}`
    for (const name of readdirSync(here)) {
      const child = join(here, name)
      const cst = lstatSync(child)
      const kind = kindOf(cst)
      if (kind === 'other')
        throw new Error(`${join(shown, name)} is neither a file, a directory nor a symlink; the doctor does not move it`)
      copyPinned(child, join(shown, name), join(dest, name), {kind, dev: cst.dev, ino: cst.ino})
    }
    // After the entries: making them changed its times. Through a descriptor, as the file's are.
    const made = openSync(dest, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
    try {
      takeAttributes(made, st)
    } finally {
      closeSync(made)
    }
    fsyncPath(dest)
  } finally {
    closeSync(fd)
  }
}

/** Owner, mode and times as the original's, on the copy's descriptor (owner only as root: chown clears set-id bits, so mode after). */
function takeAttributes(fd: number, st: Stats): void {
  if (amRoot) fchownSync(fd, st.uid, st.gid)
  fchmodSync(fd, st.mode & 0o7777)
  futimesSync(fd, st.atime, st.mtime)
}

function copyLink(src: string, shown: string, dest: string, st: Stats, pin: Pin): void {
  const target = readlinkSync(src)
  if (pin.sha256 !== undefined && createHash('sha256').update(target).digest('hex') !== pin.sha256)
    throw refuse(`${shown} now points elsewhere than when the check read it`)
  symlinkSync(target, dest)
  if (amRoot) lchownSync(dest, st.uid, st.gid)
  lutimesSync(dest, st.atime, st.mtime)
}

/** Copies `src` (a file, dir or symlink as lstat sees it now) to `dest` without following links, pinned to what `expect` describes. */
export function copyNoFollow(src: string, dest: string, expect: Pin): void {
  copyPinned(src, src, dest, expect)
}

/** Removes `path` (recursively) only if it is still the object `expect` describes (same device and inode). */
export function rmTreeIfSame(path: string, expect: Pick<FileFingerprint, 'dev' | 'ino'>): boolean {
  const st = lstatOrNull(path)
  if (!st || st.dev !== expect.dev || st.ino !== expect.ino) return false
  rmSync(path, {recursive: true, force: true})
  fsyncPath(dirname(path))
  return true
}

/**
 * Puts `src` back at `dest` without ever replacing something that now occupies `dest`: files and
 * links by link(2) (fails if `dest` exists) then unlink, directories by rename (fails on a non-empty
 * one), across filesystems by an exclusive copy pinned to what `src` was when the restore began.
 */
export function restoreNoClobber(src: string, dest: string): 'rename' | 'copy' {
  const st = lstatSync(src)
  mkdirSync(dirname(dest), {recursive: true})
  try {
    if (st.isDirectory()) {
      if (lstatOrNull(dest)) throw Object.assign(new Error(`${dest} exists`), {code: 'EEXIST'})
      renameSync(src, dest)
    } else {
      linkSync(src, dest)
      unlinkSync(src)
    }
    fsyncPath(dirname(dest))
    return 'rename'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
  }
  return copyThenRemove(src, dest, fingerprint(st))
}
