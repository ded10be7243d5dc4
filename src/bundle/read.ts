/**
 * Reading files for the bundle. Copies are capped, and binary files are described instead of
 * copied. A copy never follows a symlink (O_NOFOLLOW after an lstat), except a file the product
 * itself reads through one and the doctor only reads: configs and service units linked by
 * home-manager or stow (`follow`). Those are followed to a regular file only, opened non-blocking
 * (a link to a FIFO is refused at once, never waited on), checked to be the file the link pointed
 * at, and only when the link's owner could read that file themselves. Secret files are read only to learn the values to redact, never to copy them.
 */
import {constants, type Stats} from 'node:fs'
import * as fsp from '../probes/fs-async.js'
import {dirname} from 'node:path'
import {formatSize} from './options.js'
import {toFileError} from '../probes/files.js'
import {describePath, typeOf, userName} from './describe.js'
import type {FileFacts} from './types.js'

export type CopyRead = {ok: true; text: string; size: number} | {ok: false; missing: boolean; reason: string; facts?: FileFacts}

export interface CopyOptions {
  encoding?: 'utf8' | 'utf16le'
  /** Read through a symlink (a config or unit the product follows); otherwise a link is described, not read. */
  follow?: boolean
}

const NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
const FOLLOW = constants.O_RDONLY | constants.O_NONBLOCK

const refused = async (path: string, reason: string): Promise<CopyRead> => ({
  ok: false,
  missing: false,
  reason,
  facts: await describePath(path),
})

/**
 * Whether the link's owner could read what it points at themselves. Root follows a link another
 * user planted (a shared working dir's `runwisp.toml -> /etc/shadow`) only to a file that user
 * owns, or one anyone may read down a path anyone may walk: the bundle never hands them more than
 * they have (stow links to the user's own files, home-manager to world-readable /nix/store ones).
 */
async function ownerMayRead(link: Stats, path: string, target: Stats): Promise<boolean> {
  const me = process.getuid?.() ?? 0
  if (link.uid === 0 || link.uid === me || target.uid === link.uid) return true
  if ((target.mode & 0o004) === 0) return false
  const real = await fsp.realpath(path)
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    if (((await fsp.stat(dir)).mode & 0o001) === 0) return false
    if (dir === dirname(dir)) return true
  }
}

/** What is at the end of a followed link: the target's stat, or why there is nothing to read. */
async function followLink(path: string, link: Stats): Promise<{stat: Stats} | {missing: boolean; reason: string}> {
  try {
    const stat = await fsp.stat(path)
    if (!(await ownerMayRead(link, path, stat)))
      return {
        missing: false,
        reason: `a symlink owned by ${userName(link.uid) ?? `uid ${link.uid}`} to a file that user may not read; not followed`,
      }
    return {stat}
  } catch (error) {
    const e = toFileError(error)
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return {missing: false, reason: 'a symlink to a file that does not exist'}
    if (e.code === 'ELOOP') return {missing: false, reason: 'a symlink loop (too many levels of links)'}
    return {missing: false, reason: `a symlink whose target cannot be inspected (${e.code})`}
  }
}

/** A config or record to copy: whole, text, a regular file; through a symlink only with `follow`. */
export async function readForCopy(path: string, maxBytes: number, options: CopyOptions = {}): Promise<CopyRead> {
  let stat
  try {
    stat = await fsp.lstat(path)
  } catch (error) {
    const e = toFileError(error)
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return {ok: false, missing: true, reason: 'not present'}
    return {ok: false, missing: false, reason: `cannot inspect it (${e.code})`, facts: await describePath(path)}
  }
  const linked = stat.isSymbolicLink()
  if (linked) {
    if (!options.follow) return refused(path, 'a symlink; not followed')
    const target = await followLink(path, stat)
    if (!('stat' in target)) return refused(path, target.reason)
    stat = target.stat
  }
  const via = linked ? 'a symlink to ' : ''
  if (!stat.isFile()) return refused(path, `${via}a ${typeOf(stat)}, not a regular file`)
  if (stat.size > maxBytes)
    return refused(path, `${via ? 'links to ' : ''}${formatSize(stat.size)}, over the ${formatSize(maxBytes)} limit for a copied file`)
  let bytes: Buffer
  try {
    const read = await readCapped(path, maxBytes, linked ? FOLLOW : NOFOLLOW, stat)
    if (read === 'changed') return refused(path, 'changed while it was being read (no longer the regular file it was); not copied')
    bytes = read
  } catch (error) {
    const e = toFileError(error)
    return refused(path, e.code === 'EACCES' ? 'not readable (permission denied)' : `cannot read it (${e.code})`)
  }
  if (options.encoding === 'utf16le') {
    const hasBom = bytes[0] === 0xff && bytes[1] === 0xfe
    if (!hasBom) return refused(path, 'expected UTF-16LE with a byte-order mark; not copied')
    return {ok: true, text: bytes.subarray(2).toString('utf16le'), size: bytes.length}
  }
  if (bytes.includes(0)) return refused(path, 'binary content; not copied')
  return {ok: true, text: bytes.toString('utf8'), size: bytes.length}
}

/**
 * The contents of a file that holds a secret, to learn the value (never to copy it). A symlink is
 * followed here: the product reads through it, so its target's value is the one in use and the
 * one that must not leak. Only regular files up to `maxBytes` are read.
 */
export async function readSecretText(path: string, maxBytes = 64 * 1024): Promise<string | null> {
  try {
    const stat = await fsp.stat(path)
    if (!stat.isFile() || stat.size > maxBytes) return null
    const handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    try {
      const buffer = Buffer.alloc(stat.size)
      const {bytesRead} = await handle.read(buffer, 0, stat.size, 0)
      return buffer.subarray(0, bytesRead).toString('utf8')
    } finally {
      await handle.close()
    }
  } catch {
    return null
  }
}

/**
 * Reads at most `maxBytes` of `path`, opened with `flags`. The open file must be the regular file
 * that was inspected (same device and inode): a link swapped for a FIFO or another file in between
 * is not read.
 */
async function readCapped(path: string, maxBytes: number, flags: number, expected: Stats): Promise<Buffer | 'changed'> {
  const handle = await fsp.open(path, flags)
  try {
    const stat = await handle.stat()
    if (!stat.isFile() || stat.ino !== expected.ino || stat.dev !== expected.dev) return 'changed'
    const length = Math.min(stat.size, maxBytes)
    const buffer = Buffer.alloc(length)
    let offset = 0
    while (offset < length) {
      const {bytesRead} = await handle.read(buffer, offset, length - offset, offset)
      if (bytesRead === 0) break
      offset += bytesRead
    }
    return buffer.subarray(0, offset)
  } finally {
    await handle.close()
  }
}
