/**
 * The filesystem moves fixes make, done so nothing is ever lost: a rename when source and
 * destination share a filesystem (atomic), otherwise copy (modes, times, owners, symlinks kept),
 * fsync, and only then remove the source. Nothing here follows a symlink.
 */
import {createHash} from 'node:crypto'
import {
  closeSync,
  copyFileSync,
  constants,
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
  chmodSync,
  utimesSync,
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
 * Moves `src` to `dest` (which must not exist). `onCopied` runs after a cross-filesystem copy is
 * complete and synced, before the source is removed, so a journal can record that the copy is whole.
 */
export function moveNoFollow(src: string, dest: string, onCopied: () => void = () => undefined): 'rename' | 'copy' {
  mkdirSync(dirname(dest), {recursive: true, mode: 0o700})
  if (lstatOrNull(dest)) throw new Error(`${dest} already exists`)
  try {
    renameSync(src, dest)
    fsyncPath(dirname(dest))
    fsyncPath(dirname(src))
    return 'rename'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
  }
  return copyThenRemove(src, dest, onCopied)
}

/**
 * The cross-filesystem half of a move: an exclusive copy, synced, then the source removed. A
 * partial copy is removed — unless `dest` appeared meanwhile (EEXIST), which is someone else's.
 */
function copyThenRemove(src: string, dest: string, onCopied: () => void = () => undefined): 'copy' {
  try {
    copyTree(src, dest)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(dest, {recursive: true, force: true})
    throw error
  }
  fsyncPath(dirname(dest))
  onCopied()
  rmSync(src, {recursive: true, force: true})
  fsyncPath(dirname(src))
  return 'copy'
}

const amRoot = process.getuid?.() === 0

/** Copies a file, dir or symlink without following links, keeping modes, times and (as root) owners. */
export function copyTree(src: string, dest: string): void {
  const st = lstatSync(src)
  if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(src), dest)
    if (amRoot) lchownSync(dest, st.uid, st.gid)
    lutimesSync(dest, st.atime, st.mtime)
    return
  }
  if (st.isFile() || st.isDirectory()) {
    if (st.isFile()) copyFileSync(src, dest, constants.COPYFILE_EXCL)
    else {
      mkdirSync(dest, {mode: 0o700})
      for (const name of readdirSync(src)) copyTree(join(src, name), join(dest, name))
    }
    // Owner, mode and times as the original's (owner only as root), then durable.
    if (amRoot) lchownSync(dest, st.uid, st.gid)
    chmodSync(dest, st.mode & 0o7777)
    utimesSync(dest, st.atime, st.mtime)
    fsyncPath(dest)
    return
  }
  throw new Error(`${src} is neither a file, a directory nor a symlink; the doctor does not move it`)
}

/** Removes `path` (recursively) only if it is still the object `expect` describes (same device and inode). */
export function rmTreeIfSame(path: string, expect: FileFingerprint): boolean {
  const st = lstatOrNull(path)
  if (!st || st.dev !== expect.dev || st.ino !== expect.ino) return false
  rmSync(path, {recursive: true, force: true})
  fsyncPath(dirname(path))
  return true
}

/**
 * Puts `src` back at `dest` without ever replacing something that now occupies `dest`: files and
 * links by link(2) (fails if `dest` exists) then unlink, directories by rename (fails on a non-empty
 * one), across filesystems by an exclusive copy.
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
  return copyThenRemove(src, dest)
}
