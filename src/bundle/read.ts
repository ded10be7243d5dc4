/**
 * Reading files for the bundle. Copies never follow a symlink (O_NOFOLLOW after an lstat) and are
 * capped; binary files are described instead of copied. Secret files are read only to learn the
 * values to redact, never to copy them.
 */
import {constants, promises as fsp} from 'node:fs'
import {formatSize} from './options.js'
import {toFileError} from '../probes/files.js'
import {describePath, typeOf} from './describe.js'
import type {FileFacts} from './types.js'

export type CopyRead = {ok: true; text: string; size: number} | {ok: false; missing: boolean; reason: string; facts?: FileFacts}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK

/** A config or record to copy: whole, text, a regular file, not through a symlink. */
export async function readForCopy(path: string, maxBytes: number, encoding: 'utf8' | 'utf16le' = 'utf8'): Promise<CopyRead> {
  let stat
  try {
    stat = await fsp.lstat(path)
  } catch (error) {
    const e = toFileError(error)
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return {ok: false, missing: true, reason: 'not present'}
    return {ok: false, missing: false, reason: `cannot inspect it (${e.code})`, facts: await describePath(path)}
  }
  if (stat.isSymbolicLink()) return {ok: false, missing: false, reason: 'a symlink; not followed', facts: await describePath(path)}
  if (!stat.isFile()) return {ok: false, missing: false, reason: `a ${typeOf(stat)}, not a regular file`, facts: await describePath(path)}
  if (stat.size > maxBytes)
    return {
      ok: false,
      missing: false,
      reason: `${formatSize(stat.size)}, over the ${formatSize(maxBytes)} limit for a copied file`,
      facts: await describePath(path),
    }
  let bytes: Buffer
  try {
    bytes = await readCapped(path, maxBytes)
  } catch (error) {
    const e = toFileError(error)
    return {
      ok: false,
      missing: false,
      reason: e.code === 'EACCES' ? 'not readable (permission denied)' : `cannot read it (${e.code})`,
      facts: await describePath(path),
    }
  }
  if (encoding === 'utf16le') {
    const hasBom = bytes[0] === 0xff && bytes[1] === 0xfe
    if (!hasBom)
      return {ok: false, missing: false, reason: 'expected UTF-16LE with a byte-order mark; not copied', facts: await describePath(path)}
    return {ok: true, text: bytes.subarray(2).toString('utf16le'), size: bytes.length}
  }
  if (bytes.includes(0)) return {ok: false, missing: false, reason: 'binary content; not copied', facts: await describePath(path)}
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

async function readCapped(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await fsp.open(path, OPEN_FLAGS)
  try {
    const stat = await handle.stat()
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
