/**
 * Read-only file probes, memoised per run: each path is stat'ed, lstat'ed or read at most once,
 * however many checks ask. Reads are capped: a 10 MB manifest is reported as too large, never
 * loaded whole. Errors come back as values so a check can say *why* it could not decide.
 */
import {closeSync, constants, fstatSync, openSync, readSync, type BigIntStats, type Stats} from 'node:fs'
import * as fsp from './fs-async.js'
import {NEVER, stopIfAborted, yieldToLoop, timeSlice} from './abort.js'

export type FileErrorCode = 'ENOENT' | 'EACCES' | 'ENOTDIR' | 'ELOOP' | 'EISDIR' | 'TOO_LARGE' | 'NOT_FILE' | 'OTHER'

export interface FileError {
  ok: false
  code: FileErrorCode
  message: string
  /** For NOT_FILE: what is there instead ("a FIFO", "a directory", "a character device"). */
  what?: string
}

/** What a non-regular file is, in words: a FIFO config is not "a directory?". */
export function kindOfNode(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a FIFO'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isSocket()) return 'a socket'
  if (stat.isSymbolicLink()) return 'a symlink'
  return 'an unknown kind of file'
}

function notFile(path: string, stat: Stats): FileError {
  const what = kindOfNode(stat)
  return {ok: false, code: 'NOT_FILE', message: `${path} is ${what}, not a regular file`, what}
}

export interface StatOk {
  ok: true
  stat: Stats
}

export interface ReadOk {
  ok: true
  text: string
  bytes: Buffer
  stat: Stats
}

export type StatResult = StatOk | FileError
export type ReadResult = ReadOk | FileError
export type ReaddirResult = {ok: true; names: string[]} | FileError

/** Default cap for configs, manifests and records: far above any real one, far below a runaway file. */
export const DEFAULT_READ_CAP = 1024 * 1024

export function toFileError(error: unknown): FileError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const known: FileErrorCode[] = ['ENOENT', 'EACCES', 'ENOTDIR', 'ELOOP', 'EISDIR']
  const mapped: FileErrorCode = code === 'EPERM' ? 'EACCES' : known.includes(code as FileErrorCode) ? (code as FileErrorCode) : 'OTHER'
  return {ok: false, code: mapped, message: (error as Error)?.message ?? String(error)}
}

export class FileProbe {
  private readonly stats = new Map<string, Promise<StatResult>>()
  private readonly lstats = new Map<string, Promise<StatResult>>()
  private readonly reads = new Map<string, {cap: number; pending: Promise<ReadResult>; settled?: ReadResult}>()
  private readonly dirs = new Map<string, Promise<ReaddirResult>>()
  private readonly links = new Map<string, Promise<{ok: true; target: string} | FileError>>()
  private readonly realpaths = new Map<string, Promise<string | null>>()
  private readonly fsStats = new Map<
    string,
    Promise<{ok: true; freeBytes: number; availableBytes: number; totalBytes: number} | FileError>
  >()

  /** stat, following symlinks. */
  stat(path: string): Promise<StatResult> {
    return memo(this.stats, path, async () => {
      try {
        return {ok: true, stat: await fsp.stat(path)}
      } catch (error) {
        return toFileError(error)
      }
    })
  }

  /** lstat: the link itself, never its target. Secret paths are only ever inspected this way. */
  lstat(path: string): Promise<StatResult> {
    return memo(this.lstats, path, async () => {
      try {
        return {ok: true, stat: await fsp.lstat(path)}
      } catch (error) {
        return toFileError(error)
      }
    })
  }

  /**
   * Reads a regular file up to `maxBytes`. Opened with O_NOFOLLOW so a symlink planted at the
   * path is reported (ELOOP) instead of followed: the default for files the doctor may change and
   * files holding secrets. `follow: true` is for files the doctor only reads and the product itself
   * reads through a link (a config or unit linked by home-manager or stow): the link is followed as
   * the product follows it, and a FIFO or device at its end is still refused.
   */
  read(path: string, maxBytes = DEFAULT_READ_CAP, options: {follow?: boolean} = {}): Promise<ReadResult> {
    // One read per path whatever cap each caller asks for: a smaller cap is answered from the
    // bigger read; only a bigger cap after a "too large" answer reads again.
    const key = options.follow ? `follow:${path}` : path
    const cached = this.reads.get(key)
    if (cached && (cached.cap >= maxBytes || cached.settled?.ok === true)) {
      return cached.pending.then((result) => {
        if (result.ok && result.stat.size > maxBytes) return tooLarge(path, result.stat.size, maxBytes)
        if (!result.ok && result.code === 'TOO_LARGE')
          return {...result, message: result.message.replace(/over the \d+-byte/, `over the ${maxBytes}-byte`)}
        return result
      })
    }
    const entry: {cap: number; pending: Promise<ReadResult>; settled?: ReadResult} = {
      cap: maxBytes,
      pending: this.readOnce(path, maxBytes, options.follow === true),
    }
    entry.pending.then((r) => (entry.settled = r))
    this.reads.set(key, entry)
    return entry.pending
  }

  /**
   * Reads many small files into the same per-run cache `read()` answers from (never following a
   * link, as `read()` by default). A data dir of 20,000 records costs 80,000 round trips through
   * the libuv pool when each is read on demand, awaited one after the other; here each is four
   * synchronous calls, in time slices that yield every few ms (concurrent checks keep running)
   * and stop at `signal`. Paths already read are not read again; results come from `read()`.
   */
  async readBatch(paths: readonly string[], maxBytes = DEFAULT_READ_CAP, signal: AbortSignal = NEVER): Promise<void> {
    const sliceUp = timeSlice()
    for (const path of paths) {
      const cached = this.reads.get(path)
      if (!cached || cached.cap < maxBytes) {
        const settled = readSyncOnce(path, maxBytes)
        this.reads.set(path, {cap: maxBytes, pending: Promise.resolve(settled), settled})
      }
      if (sliceUp()) {
        await yieldToLoop()
        stopIfAborted(signal)
      }
    }
  }

  private async readOnce(path: string, maxBytes: number, follow: boolean): Promise<ReadResult> {
    let handle: fsp.OpenFile | undefined
    try {
      handle = await fsp.open(path, constants.O_RDONLY | (follow ? 0 : constants.O_NOFOLLOW) | constants.O_NONBLOCK)
      const stat = await handle.stat()
      const refused = refuseRead(path, stat, maxBytes)
      if (refused) return refused
      const bytes = Buffer.alloc(stat.size)
      let offset = 0
      while (offset < stat.size) {
        const {bytesRead} = await handle.read(bytes, offset, stat.size - offset, offset)
        if (bytesRead === 0) break
        offset += bytesRead
      }
      return readOk(bytes.subarray(0, offset), stat)
    } catch (error) {
      return toFileError(error)
    } finally {
      await handle?.close()
    }
  }

  /** The path with every link resolved (what the product ends up opening), or null when it does not resolve. */
  realpath(path: string): Promise<string | null> {
    return memo(this.realpaths, path, () => fsp.realpath(path).catch(() => null))
  }

  /** The text of a symlink (what it points to), without following it. */
  readlink(path: string): Promise<{ok: true; target: string} | FileError> {
    return memo(this.links, path, async () => {
      try {
        return {ok: true as const, target: await fsp.readlink(path)}
      } catch (error) {
        return toFileError(error)
      }
    })
  }

  /** Free and total space of the filesystem holding `path` (statfs follows the path, as df does). */
  statfs(path: string): Promise<{ok: true; freeBytes: number; availableBytes: number; totalBytes: number} | FileError> {
    return memo(this.fsStats, path, async () => {
      try {
        const s = await fsp.statfs(path)
        return {ok: true as const, freeBytes: s.bfree * s.bsize, availableBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize}
      } catch (error) {
        return toFileError(error)
      }
    })
  }

  readdir(path: string): Promise<ReaddirResult> {
    return memo(this.dirs, path, async () => {
      try {
        return {ok: true, names: (await fsp.readdir(path)).sort()}
      } catch (error) {
        return toFileError(error)
      }
    })
  }

  /**
   * The last `maxBytes` of a file, read from the end: a 2 GB log costs one bounded read.
   * The first partial line is dropped so every returned line is whole.
   */
  async tail(path: string, maxBytes = 64 * 1024): Promise<{ok: true; lines: string[]; stat: Stats; truncated: boolean} | FileError> {
    let handle: fsp.OpenFile | undefined
    try {
      handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
      const stat = await handle.stat()
      if (!stat.isFile()) return notFile(path, stat)
      const start = Math.max(0, stat.size - maxBytes)
      const length = stat.size - start
      const buffer = Buffer.alloc(length)
      const {bytesRead} = await handle.read(buffer, 0, length, start)
      let text = buffer.subarray(0, bytesRead).toString('utf8')
      if (start > 0) text = text.slice(text.indexOf('\n') + 1)
      const lines = text.split(/\r?\n/)
      if (lines.at(-1) === '') lines.pop()
      return {ok: true, lines, stat, truncated: start > 0}
    } catch (error) {
      return toFileError(error)
    } finally {
      await handle?.close()
    }
  }
}

/** How long a batch reads before it lets other work run (the process table reads slice the same way). */

/** `readOnce` without the round trips: for files known to be small (the caller's cap says how small). */
function readSyncOnce(path: string, maxBytes: number): ReadResult {
  let fd: number | undefined
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    const stat = fstatSync(fd)
    return refuseRead(path, stat, maxBytes) ?? readOk(readFdSync(fd, stat.size), stat)
  } catch (error) {
    return toFileError(error)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Up to `size` bytes of an open descriptor from its start, in as many reads as it takes; fewer when
 * the file shrank since it was measured. Also how the fixer and the journal reader read a file they
 * opened without following links.
 */
export function readFdSync(fd: number, size: number): Buffer {
  // Unzeroed (from the shared pool when small): only the bytes read are ever handed out.
  const bytes = Buffer.allocUnsafe(size)
  let offset = 0
  while (offset < size) {
    const bytesRead = readSync(fd, bytes, offset, size - offset, offset)
    if (bytesRead === 0) break
    offset += bytesRead
  }
  return bytes.subarray(0, offset)
}

/** Why a descriptor with this stat is not read whole (not a regular file, or over the cap); undefined when it is. */
function refuseRead(path: string, stat: Stats, maxBytes: number): FileError | undefined {
  if (!stat.isFile()) return notFile(path, stat)
  if (stat.size > maxBytes) return tooLarge(path, stat.size, maxBytes)
  return undefined
}

function readOk(bytes: Buffer, stat: Stats): ReadOk {
  return {ok: true, bytes, text: bytes.toString('utf8'), stat}
}

function tooLarge(path: string, size: number, maxBytes: number): FileError {
  return {ok: false, code: 'TOO_LARGE', message: `${path} is ${size} bytes, over the ${maxBytes}-byte limit for this file`}
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let pending = cache.get(key)
  if (!pending) {
    pending = load()
    cache.set(key, pending)
  }
  return pending
}

const PLAIN: Partial<Record<FileErrorCode, string>> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'it is a symlink (not followed)',
  EISDIR: 'it is a directory',
  NOT_FILE: 'it is not a regular file',
}

/** "permission denied (EACCES)": the error in words a user can act on, with the code for search. */
export function describeFileError(error: FileError): string {
  if (error.code === 'NOT_FILE' && error.what) return `it is ${error.what}, not a regular file (NOT_FILE)`
  const plain = PLAIN[error.code]
  return plain ? `${plain} (${error.code})` : error.message
}

/** `0644`-style rendering of a mode's permission bits. */
export function octalMode(stat: Stats | BigIntStats): string {
  return '0' + (Number(stat.mode) & 0o777).toString(8).padStart(3, '0')
}
