/**
 * `doctor bundle verify`: re-scans an archive for the secret values known on this machine and for
 * the secret patterns, with the same pipeline that redacts a bundle. Anything that pipeline would
 * still change is a finding: a bundle the doctor wrote passes; a token planted in a repacked one
 * does not, nor does an entry no bundle holds (a link, a device, a path leading out). Findings
 * name the file, the rule and the line, never the value. The archive is streamed, never held.
 */
import {createHash} from 'node:crypto'
import {constants, promises as fsp} from 'node:fs'
import {Parser, type ReadEntry} from 'tar'
import {formatSize, MAX_BUNDLE_FILE_BYTES} from './options.js'
import {MANIFEST_NAME} from './manifest.js'
import type {Redactor} from './redact/redactor.js'

export interface VerifyHit {
  /** Path inside the archive, or `(archive path)` when the path itself holds it. */
  file: string
  rule: string
  label?: string
  lines: number[]
  count: number
  /** For an entry that is not a plain file (a link, a device, a path leading out): what it is. */
  detail?: string
}

export interface VerifyResult {
  files: number
  hits: VerifyHit[]
  /** Differences from manifest.json (a file edited or added after the bundle was written). */
  integrity: string[]
}

/** Entries are scanned in windows this large, overlapping so a value cut at a boundary is still seen. */
const WINDOW = 8 * 1024 * 1024
const OVERLAP = 64 * 1024

export function scanText(file: string, text: string, redactor: Redactor, lineBase = 0): VerifyHit[] {
  const byRule = new Map<string, VerifyHit>()
  for (const hit of redactor.redact(text).hits) {
    const key = `${hit.rule}\u0000${hit.label ?? ''}`
    const entry = byRule.get(key) ?? {file, rule: hit.rule, ...(hit.label ? {label: hit.label} : {}), lines: [], count: 0}
    entry.count++
    if (!entry.lines.includes(hit.line + lineBase)) entry.lines.push(hit.line + lineBase)
    byRule.set(key, entry)
  }
  return [...byRule.values()]
}

/** Scans one file's bytes (in overlapping windows when large) and merges the hits by rule. */
export function scanBytes(file: string, data: Buffer, redactor: Redactor): VerifyHit[] {
  if (data.length <= WINDOW) return scanText(file, data.toString('utf8'), redactor)
  const merged = new Map<string, VerifyHit>()
  let lineBase = 0
  for (let start = 0; start < data.length; start += WINDOW - OVERLAP) {
    const slice = data.subarray(start, Math.min(data.length, start + WINDOW))
    for (const hit of scanText(file, slice.toString('utf8'), redactor, lineBase)) {
      const key = `${hit.rule}\u0000${hit.label ?? ''}`
      const prior = merged.get(key)
      if (!prior) merged.set(key, hit)
      else
        for (const line of hit.lines)
          if (!prior.lines.includes(line)) {
            prior.lines.push(line)
            prior.count++
          }
    }
    const step = data.subarray(start, Math.min(data.length, start + WINDOW - OVERLAP))
    for (const byte of step) if (byte === 0x0a) lineBase++
    if (start + WINDOW >= data.length) break
  }
  return [...merged.values()]
}

/**
 * What verify reads at most. A bundle doctor writes holds a few hundred files of at most
 * `--log-bytes` each; an archive past these is not one, and is refused before it can fill memory
 * or time (a 1.9 MB gzip bomb expands to 2 GB; a 4.6 GB entry header is one read away).
 */
export const VERIFY_LIMITS = {
  maxEntryBytes: MAX_BUNDLE_FILE_BYTES,
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
} as const

export type VerifyLimits = {[K in keyof typeof VERIFY_LIMITS]: number}

/** The archive cannot be verified; the message says why in words the user can act on. */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'VerifyError'
  }
}

/** Regular-file entries; directories are harmless; anything else never belongs in a bundle. */
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile'])
const UNSAFE_TYPES: Record<string, string> = {
  SymbolicLink: 'a symlink entry',
  Link: 'a hard-link entry',
  CharacterDevice: 'a character-device entry',
  BlockDevice: 'a block-device entry',
  FIFO: 'a FIFO entry',
}

/** Smaller than WINDOW: an archive's entry may be binary junk, whose text form is twice its size. */
const STREAM_WINDOW = 1024 * 1024

/** A file of the archive scanned as it streams: one window in memory, overlapping so a value cut at a boundary is still seen. */
class StreamScanner {
  private pending: Buffer[] = []
  private pendingBytes = 0
  private lineBase = 0
  private readonly merged = new Map<string, VerifyHit>()

  constructor(
    private readonly file: string,
    private readonly redactor: Redactor,
  ) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    if (this.pendingBytes >= STREAM_WINDOW) this.scan(false)
  }

  end(): VerifyHit[] {
    this.scan(true)
    return [...this.merged.values()]
  }

  private scan(last: boolean): void {
    const window = Buffer.concat(this.pending)
    if (window.length === 0) return
    for (const hit of scanText(this.file, window.toString('utf8'), this.redactor, this.lineBase)) {
      const key = `${hit.rule}\u0000${hit.label ?? ''}`
      const prior = this.merged.get(key)
      if (!prior) this.merged.set(key, hit)
      else {
        for (const line of hit.lines) {
          if (prior.lines.includes(line)) continue
          prior.lines.push(line)
          prior.count++
        }
      }
    }
    if (last) return
    const keep = window.subarray(window.length - OVERLAP)
    for (let i = 0; i < window.length - OVERLAP; i++) if (window[i] === 0x0a) this.lineBase++
    this.pending = [Buffer.from(keep)]
    this.pendingBytes = keep.length
  }
}

function kindOf(stat: {
  isDirectory(): boolean
  isFIFO(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
  isSocket(): boolean
}): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a FIFO'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isSocket()) return 'a socket'
  return 'not a regular file'
}

const READ_CHUNK = 16 * 1024

/**
 * Streams the archive through the tar parser (which gunzips), scanning each entry as it goes:
 * memory holds one scan window, whatever the archive expands to. Only a regular file is read (a
 * FIFO would block, a device never ends); entries that are links, devices, absolute or climb out
 * with `..` are findings; an entry or a total past `limits` stops the read with a VerifyError.
 */
export async function verifyArchive(path: string, redactor: Redactor, limits: VerifyLimits = VERIFY_LIMITS): Promise<VerifyResult> {
  const handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new VerifyError(`it is ${kindOf(stat)}, not a regular file`)
    const digests = new Map<string, string>()
    const hits: VerifyHit[] = []
    let manifest: Buffer | null = null
    let entries = 0
    let total = 0
    let failure: Error | null = null
    const fail = (error: Error) => (failure ??= error)
    const parser = new Parser({strict: true})
    parser.on('error', (error: Error) => {
      // tar stops a stream that inflates past 1000:1 itself; a bundle of text never comes near that.
      if (/decompression ratio/.test(error.message))
        fail(new VerifyError('it expands over 1000 times as it is decompressed (a compression bomb?); a bundle doctor wrote never does'))
      else fail(new VerifyError(`not a valid .tar.gz (${error.message.split('\n')[0]})`))
    })
    parser.on('entry', (entry: ReadEntry) => {
      if (failure) return entry.resume()
      const raw = entry.path
      const name = redactor.clean(raw)
      if (++entries > limits.maxEntries)
        return fail(new VerifyError(`it has more than ${limits.maxEntries} entries; a bundle doctor wrote has a few hundred at most`))
      hits.push(
        ...scanText('(archive path)', [raw, entry.linkpath ?? ''].join('\n'), redactor).map((h) => ({
          ...h,
          file: `(archive path) ${name}`,
        })),
      )
      hits.push(...unsafeEntry(entry, name, redactor))
      if (!FILE_TYPES.has(entry.type)) return entry.resume()
      if (entry.size > limits.maxEntryBytes)
        return fail(
          new VerifyError(
            `${name} is ${formatSize(entry.size)} uncompressed, over the ${formatSize(limits.maxEntryBytes)} a bundle file can be; this is not a bundle doctor wrote`,
          ),
        )
      const scanner = new StreamScanner(name, redactor)
      const hash = createHash('sha256')
      const keep: Buffer[] | null = raw === MANIFEST_NAME ? [] : null
      entry.on('data', (chunk: Buffer) => {
        if (failure) return
        total += chunk.length
        if (total > limits.maxTotalBytes)
          return fail(
            new VerifyError(
              `it expands to more than ${formatSize(limits.maxTotalBytes)}; a bundle doctor wrote is far smaller (a compression bomb?)`,
            ),
          )
        scanner.push(chunk)
        hash.update(chunk)
        keep?.push(chunk)
      })
      entry.on('end', () => {
        if (failure) return
        hits.push(...scanner.end())
        digests.set(raw, hash.digest('hex'))
        if (keep) manifest = Buffer.concat(keep)
      })
    })
    const ended = new Promise<void>((resolve) => {
      parser.once('end', () => resolve())
      parser.once('error', () => resolve())
    })
    const buffer = Buffer.alloc(READ_CHUNK)
    for (;;) {
      const {bytesRead} = await handle.read(buffer, 0, READ_CHUNK, null)
      if (bytesRead === 0) break
      // The parser keeps what it is given; a copy, since the buffer is reused for the next read.
      const more = parser.write(Buffer.from(buffer.subarray(0, bytesRead)))
      if (failure) throw failure
      if (!more) await new Promise((resolve) => parser.once('drain', resolve))
    }
    parser.end()
    await ended
    if (failure) throw failure
    if (entries === 0) throw new VerifyError('it holds no files; not a bundle')
    return {files: digests.size, hits, integrity: checkManifest(digests, manifest)}
  } finally {
    await handle.close()
  }
}

/** An entry a bundle never holds: what it is, as a finding (the link target cleaned like any text). */
function unsafeEntry(entry: ReadEntry, name: string, redactor: Redactor): VerifyHit[] {
  const found: VerifyHit[] = []
  const hit = (rule: string, detail: string) => found.push({file: `(archive entry) ${name}`, rule, detail, lines: [], count: 1})
  const unsafe = UNSAFE_TYPES[entry.type]
  if (unsafe)
    hit('unsafe-entry-type', `${unsafe}${entry.linkpath ? ` → ${redactor.clean(entry.linkpath)}` : ''}; a bundle holds regular files only`)
  if (entry.path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(entry.path))
    hit('absolute-entry-path', 'an absolute path: extracting it writes outside the current directory')
  if (entry.path.split(/[\\/]/).includes('..'))
    hit('parent-entry-path', 'a path with "..": extracting it can write outside the current directory')
  return found
}

function checkManifest(digests: Map<string, string>, raw: Buffer | null): string[] {
  if (!raw) return [`no ${MANIFEST_NAME}: this archive was not written by doctor bundle, or it was repacked without it`]
  let listed: Array<{path: string; sha256: string}>
  try {
    listed = (JSON.parse(raw.toString('utf8')) as {files: Array<{path: string; sha256: string}>}).files
    if (!Array.isArray(listed)) throw new Error('no files list')
  } catch {
    return [`${MANIFEST_NAME} is not valid JSON`]
  }
  const notes: string[] = []
  const paths = new Set<string>()
  for (const file of listed) {
    if (!file || typeof file.path !== 'string') continue
    paths.add(file.path)
    const digest = digests.get(file.path)
    if (!digest) notes.push(`${file.path} is listed in ${MANIFEST_NAME} but missing from the archive`)
    else if (digest !== file.sha256)
      notes.push(`${file.path} differs from its sha256 in ${MANIFEST_NAME} (changed after the bundle was written)`)
  }
  for (const name of digests.keys())
    if (name !== MANIFEST_NAME && !paths.has(name))
      notes.push(`${name} is not listed in ${MANIFEST_NAME} (added after the bundle was written)`)
  return notes
}
