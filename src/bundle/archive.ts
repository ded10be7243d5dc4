/**
 * The tar.gz writer. The archive is written to a temp file beside the output (mode 0600 from the
 * moment it exists, O_EXCL, never through a symlink), fsynced, then renamed into place, so a full
 * disk, a crash or Ctrl-C never leaves a partial bundle (kubernetes#140095 and the umask window in
 * kapitan-ai/orchard PR #8). A signal removes the temp file before the process exits.
 */
import {randomBytes} from 'node:crypto'
import {constants, promises as fsp, unlinkSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {once} from 'node:events'
import {createGzip} from 'node:zlib'
import {Header} from 'tar'

export interface ArchiveEntry {
  name: string
  data: Buffer
}

/** ustar holds a 100-byte name plus a 155-byte prefix split at a "/": keep every name within that. */
export function safeEntryName(name: string): string {
  const segments = name.split('/').filter((s) => s !== '' && s !== '.' && s !== '..')
  const cleaned = segments.map((s) => s.replace(/[^A-Za-z0-9._@+=,~-]/g, '_').slice(0, 80))
  let joined = cleaned.join('/')
  while (Buffer.byteLength(joined) > 240 && cleaned.length > 1) {
    cleaned.splice(1, 1)
    joined = cleaned.join('/')
  }
  return joined || 'unnamed'
}

/** One file's ustar header (mode 0600, no owner names). */
export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const header = new Header({path: name, mode: 0o600, uid: 0, gid: 0, size, mtime, type: 'File', uname: '', gname: ''})
  const block = Buffer.alloc(512)
  header.encode(block, 0)
  if (header.needPax) throw new Error(`archive path too long for ustar: ${name}`)
  return block
}

/** The tar stream: a header per file, data padded to 512 bytes, two zero blocks. */
export function* tarBlocks(entries: readonly ArchiveEntry[], mtime: Date): Generator<Buffer> {
  for (const entry of entries) yield* entryBlocks(entry, mtime)
  yield Buffer.alloc(1024)
}

function* entryBlocks(entry: ArchiveEntry, mtime: Date): Generator<Buffer> {
  yield tarHeader(entry.name, entry.data.length, mtime)
  yield entry.data
  const pad = (512 - (entry.data.length % 512)) % 512
  if (pad > 0) yield Buffer.alloc(pad)
}

/**
 * The archive as it is written: each file goes through gzip to disk when it is added, so memory
 * holds one file at a time however many the bundle has.
 */
export interface ArchiveWriter {
  add(entry: ArchiveEntry): Promise<void>
  /** The end-of-archive blocks, then waits until every byte is written. */
  finish(): Promise<void>
}

export class OutputError extends Error {
  constructor(
    message: string,
    readonly suggestions: string[] = [],
  ) {
    super(message)
    this.name = 'OutputError'
  }
}

/** Temp files alive right now: removed on SIGINT/SIGTERM/SIGHUP and on any exit. */
const live = new Set<string>()
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
const SIGNAL_EXIT: Record<string, number> = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129}

function removeLive(): void {
  for (const path of live) {
    try {
      unlinkSync(path)
    } catch {
      // already gone
    }
  }
  live.clear()
}

const onSignal = (signal: NodeJS.Signals) => {
  removeLive()
  process.exit(SIGNAL_EXIT[signal] ?? 1)
}
// A file-size limit (ulimit -f) would otherwise kill the process with the temp file in place;
// ignored, the write fails with EFBIG and is cleaned up like a full disk.
const onXfsz = () => {}

function track(path: string): void {
  if (live.size === 0) {
    for (const s of SIGNALS) process.on(s, onSignal)
    process.on('exit', removeLive)
    if (process.platform !== 'win32') process.on('SIGXFSZ', onXfsz)
  }
  live.add(path)
}

function untrack(path: string): void {
  live.delete(path)
  if (live.size === 0) {
    for (const s of SIGNALS) process.off(s, onSignal)
    process.off('exit', removeLive)
    if (process.platform !== 'win32') process.off('SIGXFSZ', onXfsz)
  }
}

export class AtomicOutput {
  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private handle: fsp.FileHandle | null,
  ) {}

  /**
   * Reserves the output before anything is collected: a directory that cannot be written fails
   * at once, not after the whole collection. An existing file is kept unless `force`.
   */
  static async reserve(path: string, force: boolean): Promise<AtomicOutput> {
    const dir = dirname(path)
    const existing = await fsp.lstat(path).catch(() => null)
    if (existing?.isDirectory())
      throw new OutputError(`${path} is a directory`, ['give a file name with --output, e.g. --output bundle.tar.gz'])
    if (existing && !force) throw new OutputError(`${path} already exists`, ['choose another --output, or add --force to replace it'])
    const tempPath = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
    let handle: fsp.FileHandle
    try {
      handle = await fsp.open(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new OutputError(`cannot write in ${dir} (${code ?? 'error'})`, ['choose a writable directory with --output'])
    }
    track(tempPath)
    await handle.chmod(0o600)
    return new AtomicOutput(path, tempPath, handle)
  }

  /** Streams the entries through gzip into the temp file. */
  async write(entries: readonly ArchiveEntry[], mtime: Date): Promise<void> {
    const writer = this.open(mtime)
    for (const entry of entries) await writer.add(entry)
    await writer.finish()
  }

  /** A writer that streams each added file through gzip into the temp file (backpressure honoured). */
  open(mtime: Date): ArchiveWriter {
    const handle = this.handle
    if (!handle) throw new Error('output already closed')
    const gzip = createGzip()
    // Written chunk by chunk through the handle (a FileHandle stream would own the handle and
    // keep it from being fsynced and closed here).
    let failed: unknown
    const drained = (async () => {
      for await (const chunk of gzip as AsyncIterable<Buffer>) {
        let offset = 0
        while (offset < chunk.length) offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten
      }
    })().catch((error: unknown) => {
      // The write's own error (ENOSPC, EFBIG) is the one that explains.
      failed ??= error
      gzip.destroy()
    })
    const push = async (block: Buffer) => {
      if (failed) throw failed
      if (!gzip.write(block)) await Promise.race([once(gzip, 'drain'), drained])
      if (failed) throw failed
    }
    return {
      async add(entry) {
        for (const block of entryBlocks(entry, mtime)) await push(block)
      },
      async finish() {
        await push(Buffer.alloc(1024))
        gzip.end()
        await drained
        if (failed) throw failed
      },
    }
  }

  /** fsync, rename into place, fsync the directory: the bundle appears whole or not at all. */
  async commit(): Promise<void> {
    if (!this.handle) throw new Error('output already closed')
    await this.handle.sync()
    await this.handle.close()
    this.handle = null
    await fsp.rename(this.tempPath, this.path)
    untrack(this.tempPath)
    const dir = await fsp.open(dirname(this.path), constants.O_RDONLY).catch(() => null)
    await dir?.sync().catch(() => {})
    await dir?.close()
  }

  async abort(): Promise<void> {
    await this.handle?.close().catch(() => {})
    this.handle = null
    await fsp.unlink(this.tempPath).catch(() => {})
    untrack(this.tempPath)
  }
}
