/**
 * The tar.gz writer. A regular-file output is written to a temp file beside it (mode 0600 from
 * the moment it exists, O_EXCL, never through a symlink), fsynced, then renamed into place, so a
 * full disk, a crash or Ctrl-C never leaves a partial bundle (kubernetes#140095 and the umask
 * window in kapitan-ai/orchard PR #8); a FIFO, a terminal or /dev/stdout is streamed into (see
 * src/output/destination.ts).
 */
import {once} from 'node:events'
import {createGzip} from 'node:zlib'
import {Header} from 'tar'
import {openDestination, type Destination} from '../output/destination.js'

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

export {OutputError} from '../output/destination.js'

/**
 * The bundle's `--output`, reserved before anything is collected (a directory that cannot be
 * written fails at once, not after the whole collection), through the one output writer: a
 * regular file appears whole or not at all, a FIFO or /dev/stdout gets the archive as it streams.
 */
export class BundleOutput {
  private constructor(private readonly destination: Destination) {}

  /** An existing regular file is kept unless `force`; a file written is 0600 whatever it replaces (a bundle is private). */
  static async reserve(path: string, force: boolean, shown = path): Promise<BundleOutput> {
    const destination = await openDestination(path, {existing: force ? 'replace' : 'refuse', shown, fileMode: 0o600})
    return new BundleOutput(destination)
  }

  /** Written through (a device, a FIFO, a pipe): a failure cannot take back what was sent. */
  get streams(): boolean {
    return this.destination.mode === 'stream'
  }

  /** The archive goes to this process's stdout: the summary must not. */
  get isStdout(): boolean {
    return this.destination.isStdout
  }

  get bytesWritten(): number {
    return this.destination.bytesWritten
  }

  /** Streams the entries through gzip into the output. */
  async write(entries: readonly ArchiveEntry[], mtime: Date): Promise<void> {
    const writer = this.open(mtime)
    for (const entry of entries) await writer.add(entry)
    await writer.finish()
  }

  /** A writer that streams each added file through gzip into the output (backpressure honoured). */
  open(mtime: Date): ArchiveWriter {
    const destination = this.destination
    const gzip = createGzip()
    let failed: unknown
    const drained = (async () => {
      for await (const chunk of gzip as AsyncIterable<Buffer>) await destination.write(chunk)
    })().catch((error: unknown) => {
      // The write's own error (ENOSPC, EFBIG, a reader gone) is the one that explains.
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

  /** A file: fsync, into place, fsync the directory. A stream: closed. */
  async commit(): Promise<void> {
    await this.destination.commit()
  }

  async abort(): Promise<void> {
    await this.destination.abort()
  }
}
