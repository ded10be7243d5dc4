/**
 * Where an `--output` goes, for every command that has one (the report, the fleet view, the
 * bundle). What is at the path decides how it is written (issue 13 §1):
 * - nothing, or a regular file: a temp file beside it (O_EXCL, never through a link, private from
 *   the moment it exists), synced, then renamed into place: readers see the old file or the whole
 *   new one, never a part, and a failure leaves the old one as it was;
 * - a character device, a FIFO, or this process's own descriptor (/dev/stdout, /dev/stderr,
 *   /dev/fd/N): written through, never replaced (as root, a rename over /dev/null would break it
 *   for the whole machine);
 * - a symlink, a directory, a socket, a block device: refused before anything is written.
 */
import {randomBytes} from 'node:crypto'
import {close, constants, fchmod, fchown, fstat, fsync, lstatSync, open, promises as fsp, readlinkSync, write, type Stats} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {promisify} from 'node:util'
import {userName} from '../bundle/describe.js'
import {trackTemp, untrackTemp} from './temp-files.js'

const openFd = promisify(open)
const closeFd = promisify(close)
const fstatFd = promisify(fstat)
const fsyncFd = promisify(fsync)
const fchownFd = promisify(fchown)
const fchmodFd = promisify(fchmod)
const writeFd = (fd: number, buffer: Uint8Array, offset: number, length: number) =>
  new Promise<number>((done, fail) => write(fd, buffer, offset, length, null, (error, n) => (error ? fail(error) : done(n))))

export class OutputError extends Error {
  constructor(
    message: string,
    readonly suggestions: string[] = [],
  ) {
    super(message)
    this.name = 'OutputError'
  }
}

export interface DestinationOptions {
  /** A regular file already there: replaced (a report is rewritten each run) or kept (a bundle without --force). */
  existing: 'replace' | 'refuse'
  /** The suggestion given when `existing` is 'refuse' and a file is there. */
  refuseHint?: string
  /** The mode of the file written; default 0600, or the mode of the file it replaces. */
  fileMode?: number
  /** Create missing parent directories instead of failing. */
  makeParents?: boolean
  /** The path as the user wrote it, for messages (default: the path). */
  shown?: string
  /** How long to wait for a process to open a FIFO for reading. */
  readerWaitMs?: number
  /** How long a stream may take nothing before the write is given up. */
  stallMs?: number
}

/** Where the bytes are going, once opened. Write, then commit; on any failure, abort. */
export interface Destination {
  /** 'file': a temp file renamed into place at commit. 'stream': written through as it comes. */
  readonly mode: 'file' | 'stream'
  /** The bytes go to this process's stdout: anything else meant for stdout must go to stderr. */
  readonly isStdout: boolean
  readonly bytesWritten: number
  write(chunk: Uint8Array): Promise<void>
  /** A file: fsync, into place, fsync its directory. A stream: the descriptor is closed (an inherited one is left open). */
  commit(): Promise<void>
  /** A file: the temp file is removed and the destination left as it was. A stream: what was written stays written. */
  abort(): Promise<void>
}

/** A process that opens a FIFO a moment after the doctor (`doctor -o p & cat p`) is still in time. */
export const FIFO_READER_WAIT_MS = 2_000
/** A reader that holds a FIFO or pipe open but takes nothing for this long is given up on. */
export const STREAM_STALL_MS = 30_000

/** This process's own descriptors, named as a path: written to directly, never reopened (a pipe root made is not nobody's to open). */
const FD_ALIAS = /^\/(?:dev\/(?:fd\/(\d+)|(stdout)|(stderr))|proc\/self\/fd\/(\d+))$/

export async function openDestination(path: string, options: DestinationOptions): Promise<Destination> {
  const absolute = resolve(path)
  const shown = options.shown ?? path
  const fd = descriptorNamed(absolute)
  if (fd !== null) return inheritedStream(fd, shown, options)
  const existing = lstatForOutput(absolute, shown)
  const refused = refusal(absolute, existing, shown, options)
  if (refused) throw refused
  if (existing?.isCharacterDevice() || existing?.isFIFO()) return openedStream(absolute, existing, shown, options)
  return AtomicFile.create(absolute, existing, shown, options)
}

/**
 * Throws the OutputError `openDestination` would give for what is at `path` now, without opening
 * anything: a run that writes its report at the end (after a --fix has acted) is refused before it
 * starts, not after.
 */
export function checkDestination(path: string, options: DestinationOptions): void {
  const absolute = resolve(path)
  if (descriptorNamed(absolute) !== null) return
  const shown = options.shown ?? path
  const refused = refusal(absolute, lstatForOutput(absolute, shown), shown, options)
  if (refused) throw refused
}

function descriptorNamed(absolute: string): number | null {
  const alias = FD_ALIAS.exec(absolute)
  if (!alias) return null
  return alias[2] ? 1 : alias[3] ? 2 : Number(alias[1] ?? alias[4])
}

function lstatForOutput(absolute: string, shown: string): Stats | null {
  try {
    return lstatSync(absolute)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // A missing parent is the directory check's to report (when the temp file is made).
    if (code === 'ENOENT') return null
    throw new OutputError(`cannot use ${shown} as the output (${code ?? (error as Error).message})`, ['choose another --output'])
  }
}

/** Why what is at the path is not written to, or null (missing, a regular file that may be replaced, a device, a FIFO). */
function refusal(absolute: string, existing: Stats | null, shown: string, options: DestinationOptions): OutputError | null {
  if (!existing || existing.isCharacterDevice() || existing.isFIFO()) return null
  if (existing.isSymbolicLink()) return symlinkRefusal(absolute, existing, shown)
  if (existing.isFile()) {
    if (options.existing === 'refuse')
      return new OutputError(`${shown} already exists`, [options.refuseHint ?? 'choose another --output, or add --force to replace it'])
    if (existing.uid !== myUid())
      return new OutputError(`${shown} belongs to ${ownerOf(existing.uid)}; the doctor does not replace another user's file`, [
        `remove it first (rm ${shown}) or choose another --output`,
      ])
    return null
  }
  return new OutputError(`${shown} is ${KIND_NAMES[kindOf(existing)]}; nothing was written`, [
    existing.isDirectory() ? 'give a file name inside it with --output' : 'choose a regular file, a FIFO or a terminal with --output',
  ])
}

type Kind = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket'
const KIND_NAMES: Record<Kind, string> = {
  file: 'a regular file',
  dir: 'a directory',
  symlink: 'a symbolic link',
  char: 'a character device',
  block: 'a block device (a disk: the doctor never writes onto one)',
  fifo: 'a FIFO',
  socket: 'a socket',
}

function kindOf(st: Stats): Kind {
  if (st.isFile()) return 'file'
  if (st.isDirectory()) return 'dir'
  if (st.isSymbolicLink()) return 'symlink'
  if (st.isCharacterDevice()) return 'char'
  if (st.isBlockDevice()) return 'block'
  return st.isFIFO() ? 'fifo' : 'socket'
}

const ownerOf = (uid: number) => userName(uid) ?? `uid ${uid}`
const myUid = () => process.geteuid?.() ?? -1

/** A link is never followed: one planted in a shared directory would aim root's output at a file of its choosing. */
function symlinkRefusal(absolute: string, link: Stats, shown: string): OutputError {
  let target: string | null = null
  try {
    target = readlinkSync(absolute)
  } catch {
    // gone meanwhile: still a link when it was looked at
  }
  return new OutputError(
    `${shown} is a symbolic link${target === null ? '' : ` to ${target}`} (the link belongs to ${ownerOf(link.uid)}); the doctor never writes through a link, so nothing was written`,
    target === null
      ? ['choose another --output']
      : [`to write to what it points at, name that: --output ${resolve(dirname(absolute), target)}`, 'or choose another --output'],
  )
}

/**
 * Written to `.<name>.<pid>.<random>.tmp` beside the destination, so the rename stays on one
 * filesystem. The mode is 0600, or the replaced file's (and its group, where the user may set it:
 * a Prometheus textfile shared with node_exporter stays readable to it).
 */
class AtomicFile implements Destination {
  readonly mode = 'file'
  readonly isStdout = false
  bytesWritten = 0
  private constructor(
    private readonly path: string,
    private readonly shown: string,
    private readonly noClobber: boolean,
    private temp: string | null,
    private fd: number | null,
  ) {}

  static async create(path: string, existing: Stats | null, shown: string, options: DestinationOptions): Promise<AtomicFile> {
    const dir = dirname(path)
    if (options.makeParents) await fsp.mkdir(dir, {recursive: true}).catch(() => undefined)
    const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
    const mode = options.fileMode ?? (existing ? existing.mode & 0o777 : 0o600)
    let fd: number
    try {
      fd = await openFd(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new OutputError(`cannot write in ${dirname(shown)} (${code ?? 'error'})`, ['choose a writable directory with --output'])
    }
    trackTemp(temp)
    const file = new AtomicFile(path, shown, options.existing === 'refuse', temp, fd)
    try {
      if (existing) await fchownFd(fd, myUid(), existing.gid).catch(() => undefined)
      // fchmod after open: the mode given to open(2) is cut by the umask.
      await fchmodFd(fd, mode)
    } catch (error) {
      await file.abort()
      throw error
    }
    return file
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.fd === null) throw new Error('output already closed')
    this.bytesWritten += await writeAll(this.fd, chunk, this.shown, 0)
  }

  async commit(): Promise<void> {
    if (this.fd === null || !this.temp) throw new Error('output already closed')
    await fsyncFd(this.fd)
    await closeFd(this.fd)
    this.fd = null
    await this.intoPlace(this.temp)
    untrackTemp(this.temp)
    this.temp = null
    const dir = await openFd(dirname(this.path), constants.O_RDONLY | constants.O_DIRECTORY).catch(() => null)
    if (dir !== null) {
      await fsyncFd(dir).catch(() => undefined)
      await closeFd(dir)
    }
  }

  /**
   * Without --force, link(2) puts the file in place only if the name is still free (a file that
   * appeared meanwhile is kept). Otherwise rename(2), once the name is checked again to be
   * nothing or a regular file of this user: never a device, FIFO or link that appeared meanwhile.
   */
  private async intoPlace(temp: string): Promise<void> {
    if (this.noClobber) {
      try {
        await fsp.link(temp, this.path)
        await fsp.unlink(temp)
        return
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EEXIST') throw new OutputError(`${this.shown} appeared while it was being written; it is kept as it is`)
        // A filesystem without hard links (vfat): the checked rename below.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error
      }
    }
    const now = await fsp.lstat(this.path).catch(() => null)
    if (now && (!now.isFile() || now.uid !== myUid() || this.noClobber))
      throw new OutputError(`${this.shown} became ${KIND_NAMES[kindOf(now)]} while it was being written; it is kept as it is`)
    await fsp.rename(temp, this.path)
  }

  async abort(): Promise<void> {
    if (this.fd !== null) await closeFd(this.fd).catch(() => undefined)
    this.fd = null
    if (this.temp) {
      await fsp.unlink(this.temp).catch(() => undefined)
      untrackTemp(this.temp)
      this.temp = null
    }
  }
}

/** A descriptor written through as the bytes come: a device, a FIFO, a pipe, a terminal. */
class Stream implements Destination {
  readonly mode = 'stream'
  bytesWritten = 0
  constructor(
    private fd: number | null,
    private readonly owned: boolean,
    readonly isStdout: boolean,
    private readonly shown: string,
    private readonly stallMs: number,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.fd === null) throw new Error('output already closed')
    this.bytesWritten += await writeAll(this.fd, chunk, this.shown, this.stallMs)
  }

  async commit(): Promise<void> {
    await this.release()
  }

  async abort(): Promise<void> {
    await this.release()
  }

  private async release(): Promise<void> {
    if (this.fd !== null && this.owned) await closeFd(this.fd).catch(() => undefined)
    this.fd = null
  }
}

async function inheritedStream(fd: number, shown: string, options: DestinationOptions): Promise<Destination> {
  const st = await fstatFd(fd).catch(() => null)
  if (!st) throw new OutputError(`${shown} names descriptor ${fd}, which is not open in this process`, ['choose another --output'])
  if (st.isDirectory()) throw new OutputError(`${shown} is a directory; nothing was written`, ['choose another --output'])
  return new Stream(fd, false, fd === 1 || (await sameAsStdout(st)), shown, options.stallMs ?? STREAM_STALL_MS)
}

/**
 * O_NONBLOCK: opening a FIFO nobody reads fails at once (ENXIO) instead of hanging, and a serial
 * line waiting for carrier does not block the open. No O_CREAT, no O_TRUNC, no link followed; the
 * descriptor must still be the node lstat saw.
 */
async function openedStream(absolute: string, seen: Stats, shown: string, options: DestinationOptions): Promise<Destination> {
  const flags = constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY
  const waitMs = seen.isFIFO() ? (options.readerWaitMs ?? FIFO_READER_WAIT_MS) : 0
  const fd = await openWriter(absolute, flags, waitMs, shown)
  const st = await fstatFd(fd)
  if (st.dev !== seen.dev || st.ino !== seen.ino || kindOf(st) !== kindOf(seen)) {
    await closeFd(fd)
    throw new OutputError(`${shown} was replaced while it was being opened; nothing was written`, ['run again'])
  }
  return new Stream(fd, true, await sameAsStdout(st), shown, options.stallMs ?? STREAM_STALL_MS)
}

/** Opens for writing; a FIFO nobody reads yet (ENXIO) is tried again until `waitMs` has passed. */
async function openWriter(absolute: string, flags: number, waitMs: number, shown: string): Promise<number> {
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      return await openFd(absolute, flags)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENXIO' && Date.now() < deadline) {
        await sleep(20)
        continue
      }
      if (code === 'ENXIO')
        throw new OutputError(`${shown} is a FIFO that no process is reading (waited ${waitMs} ms); nothing was written`, [
          `start its reader first, e.g. cat ${shown} > report &`,
        ])
      throw new OutputError(`cannot open ${shown} for writing (${code ?? (error as Error).message})`, ['choose another --output'])
    }
  }
}

async function sameAsStdout(st: Stats): Promise<boolean> {
  const out = await fstatFd(1).catch(() => null)
  return out !== null && out.dev === st.dev && out.ino === st.ino
}

/**
 * Writes the whole chunk. A non-blocking descriptor (a FIFO opened so, a pipe Node made
 * non-blocking for process.stdout) answers EAGAIN while its reader lags: wait and retry, up to
 * `stallMs` without progress (0: no retry, the descriptor blocks by itself).
 */
async function writeAll(fd: number, chunk: Uint8Array, shown: string, stallMs: number): Promise<number> {
  let offset = 0
  let stalledSince: number | null = null
  let pause = 1
  while (offset < chunk.length) {
    try {
      offset += await writeFd(fd, chunk, offset, chunk.length - offset)
      stalledSince = null
      pause = 1
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EPIPE') throw new OutputError(`the reader of ${shown} closed it before the end; what it got is incomplete`)
      if (code !== 'EAGAIN') throw error
      stalledSince ??= Date.now()
      if (Date.now() - stalledSince > stallMs)
        throw new OutputError(
          `nothing read from ${shown} for ${stallMs >= 1000 ? `${Math.round(stallMs / 1000)} s` : `${stallMs} ms`}; the rest was not written`,
        )
      await sleep(pause)
      pause = Math.min(pause * 2, 50)
    }
  }
  return offset
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))
