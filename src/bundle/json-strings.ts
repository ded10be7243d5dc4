/**
 * The string values of a JSON secret file, with where each sits (`["connection", "auth",
 * "token"]`), read as a stream: whatever the file's size (Executor reads an auth.json padded past
 * any cap the doctor might pick), and whether or not it parses. A file cut by a crash mid-token
 * still gives the part of the token it holds, and a token written without quotes is still a value:
 * both are secrets on this disk, so both are learned. Memory stays bounded: one string at a time,
 * and strings longer than `maxString` (padding, not a credential) are skipped.
 */
import {constants} from 'node:fs'
import * as fsp from '../probes/fs-async.js'

export type JsonPath = Array<string | number>

export interface JsonString {
  path: JsonPath
  value: string
}

export interface JsonStrings {
  strings: JsonString[]
  /** Whether the text broke JSON's grammar somewhere (truncated, unquoted values, …). */
  malformed: boolean
}

type Frame = {kind: 'object'; key: string | null; expectKey: boolean} | {kind: 'array'; index: number}

const LITERALS = new Set(['true', 'false', 'null'])
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const ESCAPES: Record<string, string> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}

/** A byte value for each character the state machine acts on (all ASCII, so never part of a UTF-8 sequence). */
const QUOTE = 0x22
const BACKSLASH = 0x5c
/** Where a bare run (a literal, a number, an unquoted value, junk) ends: JSON punctuation and whitespace. */
const PUNCTUATION = [QUOTE, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x20, 0x09, 0x0a, 0x0d]
/** Where a run of string contents ends. */
const STRING_STOPS = [QUOTE, BACKSLASH]
/** UTF-8 takes at most 3 bytes per UTF-16 unit: past this many bytes a run is surely longer than `maxString` characters. */
const BYTES_PER_UNIT = 3

/**
 * The next of a set of bytes in one chunk, found with Buffer.indexOf (memchr) per byte and
 * remembered until passed: each byte's search moves forward only, so a chunk costs a few native
 * scans of it however it is made. A 64 MiB run of junk (a sparse file, NULs after a crash) is
 * skipped in milliseconds, where walking it a character at a time in JavaScript takes about a second.
 */
class NextOf {
  private readonly next: number[]

  constructor(
    private readonly chunk: Buffer,
    private readonly bytes: readonly number[],
  ) {
    this.next = bytes.map(() => -2)
  }

  /** The position of the first byte of the set at or after `from` (the chunk's length when none). */
  from(from: number): number {
    let best = this.chunk.length
    for (let k = 0; k < this.bytes.length; k++) {
      let at = this.next[k]!
      if (at !== -1 && at < from) {
        at = this.chunk.indexOf(this.bytes[k]!, from)
        this.next[k] = at
      }
      if (at !== -1 && at < best) best = at
    }
    return best
  }
}

/** Raw UTF-8 runs and decoded escapes, in order; held while under a byte bound, then dropped (`null`). */
class Pieces {
  private parts: Array<Buffer | string> | null = []
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  get dropped(): boolean {
    return this.parts === null
  }

  get empty(): boolean {
    return this.parts !== null && this.parts.length === 0
  }

  /** A copy: the reader reuses its buffer. Past the bound the text is dropped, or cut to it when `keepPrefix`. */
  addBytes(chunk: Buffer, from: number, to: number, keepPrefix = false): void {
    if (this.parts === null || this.bytes >= this.maxBytes) {
      if (!keepPrefix) this.parts = null
      return
    }
    const end = Math.min(to, from + this.maxBytes - this.bytes)
    if (end < to && !keepPrefix) {
      this.parts = null
      return
    }
    this.parts.push(Buffer.from(chunk.subarray(from, end)))
    this.bytes += end - from
    if (end < to) this.bytes = this.maxBytes
  }

  addText(text: string): void {
    if (this.parts === null) return
    this.parts.push(text)
    this.bytes += text.length * BYTES_PER_UNIT
    if (this.bytes > this.maxBytes) this.parts = null
  }

  /** The text (consecutive byte runs decoded together, so a character split between chunks is whole). */
  text(): string | null {
    if (this.parts === null) return null
    let out = ''
    let run: Buffer[] = []
    for (const part of this.parts) {
      if (typeof part === 'string') {
        out += Buffer.concat(run).toString('utf8') + part
        run = []
      } else run.push(part)
    }
    return out + Buffer.concat(run).toString('utf8')
  }
}

/**
 * Works on bytes, not decoded text: JSON's punctuation is ASCII, which never occurs inside a UTF-8
 * sequence, so only string contents and bare values are decoded, once each, when they end.
 */
export class JsonStringScanner {
  private readonly stack: Frame[] = []
  private readonly strings: JsonString[] = []
  private malformed = false
  /** Inside a string: its contents so far. */
  private text: Pieces | null = null
  /** After a backslash; `u` escapes collect their hex digits here. */
  private escape: string | null = null
  /** A run outside strings that is not JSON punctuation (a literal, a number, an unquoted value): its first bytes. */
  private bare: Pieces

  constructor(private readonly maxString = 64 * 1024) {
    this.bare = this.newBare()
  }

  write(input: string | Uint8Array): void {
    const chunk = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    const punctuation = new NextOf(chunk, PUNCTUATION)
    const stringStops = new NextOf(chunk, STRING_STOPS)
    let i = 0
    while (i < chunk.length) {
      if (this.text && this.escape !== null) {
        i = this.escaped(chunk, i)
        continue
      }
      const end = (this.text ? stringStops : punctuation).from(i)
      if (end > i) {
        if (this.text) this.text.addBytes(chunk, i, end)
        else this.bare.addBytes(chunk, i, end, true)
      }
      if (end === chunk.length) return
      if (this.text) this.stringByte(chunk[end]!)
      else this.punctuation(chunk[end]!)
      i = end + 1
    }
  }

  end(): JsonStrings {
    if (this.text) {
      // Cut off inside a string: what it holds so far is still a value on disk.
      this.malformed = true
      this.finishString()
    }
    this.finishBare()
    if (this.stack.length > 0) this.malformed = true
    return {strings: this.strings, malformed: this.malformed}
  }

  private newBare(): Pieces {
    return new Pieces((this.maxString + 1) * BYTES_PER_UNIT)
  }

  /** One byte after a backslash (or of a `\u` escape's digits); returns where to go on. */
  private escaped(chunk: Buffer, i: number): number {
    const byte = chunk[i]!
    if (this.escape === '') {
      if (byte === 0x75) {
        this.escape = 'u'
        return i + 1
      }
      this.escape = null
      if (byte >= 0x80) {
        // A backslash before a non-ASCII character: the character stands for itself (in the next run).
        this.malformed = true
        return i
      }
      const c = String.fromCharCode(byte)
      this.text!.addText(ESCAPES[c] ?? c)
      if (!(c in ESCAPES)) this.malformed = true
      return i + 1
    }
    // Continuation bytes of a non-ASCII character count once, as its lead byte does.
    if (byte >= 0x80 && byte < 0xc0) return i + 1
    const digits = (this.escape ?? '') + (byte < 0x80 ? String.fromCharCode(byte) : '?')
    this.escape = digits
    if (digits.length === 5) {
      const code = Number.parseInt(digits.slice(1), 16)
      this.escape = null
      if (Number.isNaN(code)) this.malformed = true
      else this.text!.addText(String.fromCharCode(code))
    }
    return i + 1
  }

  private stringByte(byte: number): void {
    if (byte === BACKSLASH) this.escape = ''
    else this.finishString()
  }

  private finishString(): void {
    let value = this.text?.text() ?? null
    if (value !== null && value.length > this.maxString) value = null
    this.text = null
    this.escape = null
    const top = this.stack[this.stack.length - 1]
    if (top?.kind === 'object' && top.expectKey) {
      top.key = value ?? ''
      top.expectKey = false
      return
    }
    if (value !== null) this.emit(value)
  }

  private punctuation(byte: number): void {
    this.finishBare()
    const top = this.stack[this.stack.length - 1]
    switch (byte) {
      case QUOTE:
        this.text = new Pieces(this.maxString * BYTES_PER_UNIT)
        return
      case 0x7b:
        this.stack.push({kind: 'object', key: null, expectKey: true})
        return
      case 0x5b:
        this.stack.push({kind: 'array', index: 0})
        return
      case 0x7d:
      case 0x5d:
        if (!top || top.kind !== (byte === 0x7d ? 'object' : 'array')) this.malformed = true
        this.stack.pop()
        return
      case 0x2c:
        if (top?.kind === 'object') top.expectKey = true
        else if (top?.kind === 'array') top.index++
        return
      default:
        return
    }
  }

  private finishBare(): void {
    if (this.bare.empty) return
    // Held up to one character past maxString: enough to tell a literal or number from a value, and a value from padding.
    const value = this.bare.text()!.slice(0, this.maxString + 1)
    this.bare = this.newBare()
    if (LITERALS.has(value) || NUMBER.test(value)) return
    // Not JSON: an unquoted key or value. As a value, it is what the product would have read.
    this.malformed = true
    const top = this.stack[this.stack.length - 1]
    if (top?.kind === 'object' && top.expectKey) {
      top.key = value
      top.expectKey = false
    } else if (value.length <= this.maxString) this.emit(value)
  }

  private emit(value: string): void {
    const path: JsonPath = this.stack.map((f) => (f.kind === 'object' ? (f.key ?? '') : f.index))
    this.strings.push({path, value})
  }
}

/** Read this much of a secret file at most: far past any real one, and still bounded. */
export const MAX_SECRET_FILE = 64 * 1024 * 1024

/**
 * The strings of a JSON secret file, streamed. A symlink is followed (the product reads through
 * it); only a regular file is read. Null when there is no such file or it cannot be read.
 */
export async function readSecretJson(path: string, maxBytes = MAX_SECRET_FILE): Promise<JsonStrings | null> {
  let handle
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch {
    return null
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return null
    const scanner = new JsonStringScanner()
    // Sized to the file (a token file is a few hundred bytes), at most 1 MiB a read.
    const buffer = Buffer.alloc(Math.min(1024 * 1024, Math.max(4096, stat.size + 1)))
    for (let total = 0; total < maxBytes;) {
      const {bytesRead} = await handle.read(buffer, 0, Math.min(buffer.length, maxBytes - total), null)
      if (bytesRead === 0) break
      total += bytesRead
      scanner.write(buffer.subarray(0, bytesRead))
    }
    return scanner.end()
  } catch {
    return null
  } finally {
    await handle.close()
  }
}
