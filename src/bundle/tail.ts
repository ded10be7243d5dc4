/**
 * The end of a log, read backwards in fixed chunks from the end of the file: a 2 GB log costs at
 * most `maxBytes` of reading and memory, never the whole file. The first, partial line of the
 * window is dropped, so every line kept is whole (and no secret is kept cut in half, where
 * redaction could no longer recognise it).
 */
import {constants, promises as fsp, type Stats} from 'node:fs'
import {toFileError} from '../probes/files.js'
import {describePath, typeOf} from './describe.js'
import type {FileFacts} from './types.js'

export interface TailLimits {
  maxBytes: number
  maxLines: number
}

export type TailRead =
  | {
      ok: true
      text: string
      originalBytes: number
      keptBytes: number
      keptLines: number
      /** True when the file has more than what was kept. */
      truncated: boolean
      /** Bytes of lines that held NUL bytes (binary junk, a crash's zero-filled blocks), left out. */
      binaryBytesOmitted: number
    }
  | {ok: false; missing: boolean; reason: string; facts?: FileFacts}

const CHUNK = 64 * 1024
const NL = 0x0a

export async function tailLog(path: string, limits: TailLimits): Promise<TailRead> {
  let handle: fsp.FileHandle
  let inspected: Stats
  try {
    const lstat = await fsp.lstat(path)
    inspected = lstat
    if (lstat.isSymbolicLink()) return {ok: false, missing: false, reason: 'a symlink; not followed', facts: await describePath(path)}
    if (!lstat.isFile())
      return {ok: false, missing: false, reason: `a ${typeOf(lstat)}, not a regular file`, facts: await describePath(path)}
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const e = toFileError(error)
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return {ok: false, missing: true, reason: 'not present'}
    return {
      ok: false,
      missing: false,
      reason: e.code === 'EACCES' ? 'not readable (permission denied)' : `cannot read it (${e.code})`,
      facts: await describePath(path),
    }
  }
  try {
    const opened = await handle.stat()
    // Swapped between the lstat and the open (a FIFO, another file): not the log that was inspected.
    if (!opened.isFile() || opened.ino !== inspected.ino || opened.dev !== inspected.dev)
      return {ok: false, missing: false, reason: 'changed while it was being opened (no longer the regular file it was); not read'}
    const size = opened.size
    const chunks: Buffer[] = []
    let position = size
    let read = 0
    let newlines = 0
    while (position > 0 && read < limits.maxBytes && newlines <= limits.maxLines) {
      const length = Math.min(CHUNK, position, limits.maxBytes - read)
      position -= length
      const chunk = Buffer.alloc(length)
      let got = 0
      while (got < length) {
        const {bytesRead} = await handle.read(chunk, got, length - got, position + got)
        if (bytesRead === 0) break
        got += bytesRead
      }
      chunks.unshift(chunk.subarray(0, got))
      read += got
      for (let i = 0; i < got; i++) if (chunk[i] === NL) newlines++
    }
    const window = Buffer.concat(chunks)
    let start = 0
    if (position > 0) {
      const firstNewline = window.indexOf(NL)
      // One line longer than the whole window: nothing whole can be kept.
      if (firstNewline < 0) return emptyTail(size, 'the last line alone is longer than the byte limit; omitted')
      start = firstNewline + 1
    }
    const lines = splitLines(window.subarray(start))
    const dropped = Math.max(0, lines.length - limits.maxLines)
    const kept = lines.slice(dropped)
    const out: string[] = []
    let binaryBytesOmitted = 0
    let binaryRun = 0
    const flushBinary = () => {
      if (binaryRun > 0) out.push(`[doctorkit: ${binaryRun} bytes of binary data omitted]`)
      binaryRun = 0
    }
    let keptBytes = 0
    for (const line of kept) {
      if (line.includes(0)) {
        binaryRun += line.length + 1
        binaryBytesOmitted += line.length + 1
        continue
      }
      flushBinary()
      out.push(line.toString('utf8'))
      keptBytes += line.length + 1
    }
    flushBinary()
    return {
      ok: true,
      text: out.length > 0 ? out.join('\n') + '\n' : '',
      originalBytes: size,
      keptBytes,
      keptLines: out.length,
      truncated: position > 0 || start > 0 || dropped > 0,
      binaryBytesOmitted,
    }
  } finally {
    await handle.close()
  }
}

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = []
  let from = 0
  while (from < bytes.length) {
    const at = bytes.indexOf(NL, from)
    if (at < 0) {
      lines.push(bytes.subarray(from))
      break
    }
    lines.push(bytes.subarray(from, at > from && bytes[at - 1] === 0x0d ? at - 1 : at))
    from = at + 1
  }
  return lines
}

function emptyTail(size: number, note: string): TailRead {
  return {ok: true, text: `[doctorkit: ${note}]\n`, originalBytes: size, keptBytes: 0, keptLines: 0, truncated: true, binaryBytesOmitted: 0}
}
