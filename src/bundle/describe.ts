/**
 * Describes a path without reading it: presence, type, size, mode, owner, and for a symlink where
 * it points. Only lstat and readlink are used, so a secret file (or a link planted in its place)
 * is never opened through this module (doctor-anchors §(d) 7).
 */
import {constants, promises as fsp, readFileSync, type Stats} from 'node:fs'
import {dirname, isAbsolute, relative, resolve} from 'node:path'
import {octalMode, toFileError} from '../probes/files.js'
import type {FileFacts} from './types.js'

export function typeOf(stat: Stats): NonNullable<FileFacts['type']> {
  if (stat.isSymbolicLink()) return 'symlink'
  if (stat.isFile()) return 'file'
  if (stat.isDirectory()) return 'directory'
  if (stat.isSocket()) return 'socket'
  if (stat.isFIFO()) return 'fifo'
  return 'other'
}

/**
 * lstat-based facts about `path`. `root` is the directory the file belongs to (the product's data
 * dir): a symlink whose target resolves outside it is flagged, since that is how a secret file
 * ends up shared or world-readable elsewhere.
 */
export async function describePath(path: string, root = dirname(path)): Promise<FileFacts> {
  let stat: Stats
  try {
    stat = await fsp.lstat(path)
  } catch (error) {
    const e = toFileError(error)
    return e.code === 'ENOENT' || e.code === 'ENOTDIR'
      ? {path, present: false}
      : {path, present: false, error: `${e.code}: cannot inspect it`}
  }
  const facts: FileFacts = {
    path,
    present: true,
    type: typeOf(stat),
    size: stat.size,
    mode: octalMode(stat),
    uid: stat.uid,
    gid: stat.gid,
    modifiedAt: new Date(stat.mtimeMs).toISOString(),
  }
  const owner = userName(stat.uid)
  if (owner) facts.owner = owner
  if (stat.isSymbolicLink()) {
    try {
      const target = await fsp.readlink(path)
      facts.symlinkTarget = target
      const resolved = isAbsolute(target) ? target : resolve(dirname(path), target)
      const rel = relative(resolve(root), resolved)
      facts.pointsOutside = rel === '' ? false : rel.startsWith('..') || isAbsolute(rel)
    } catch (error) {
      facts.error = `${toFileError(error).code}: cannot read the link`
    }
    return facts
  }
  if (stat.isFile() || stat.isDirectory()) {
    try {
      await fsp.access(path, constants.R_OK)
      facts.readable = true
    } catch {
      facts.readable = false
    }
  }
  return facts
}

let passwd: Map<number, string> | undefined

/** uid → user name from /etc/passwd (no `id` spawn); null where there is none. */
export function userName(uid: number): string | null {
  if (!passwd) {
    passwd = new Map()
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':')
        if (name && id && /^\d+$/.test(id) && !passwd.has(Number(id))) passwd.set(Number(id), name)
      }
    } catch {
      // no /etc/passwd (Windows, minimal containers): owners are shown by uid only
    }
  }
  return passwd.get(uid) ?? null
}
