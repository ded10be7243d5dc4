/**
 * The string values of a JSON secret file, with where each sits (`["connection", "auth",
 * "token"]`), read as a stream: whatever the file's size (Executor reads an auth.json padded past
 * any cap the doctor might pick), and whether or not it parses. A file cut by a crash mid-token
 * still gives the part of the token it holds, and a token written without quotes is still a value:
 * both are secrets on this disk, so both are learned. Memory stays bounded: one string at a time,
 * and strings longer than `maxString` (padding, not a credential) are skipped.
 */
import {constants, promises as fsp} from 'node:fs'
import {StringDecoder} from 'node:string_decoder'

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

export class JsonStringScanner {
  private readonly stack: Frame[] = []
  private readonly strings: JsonString[] = []
  private malformed = false
  /** Inside a string: its text so far (null once it outgrew maxString). */
  private text: string[] | null = null
  private inString = false
  private length = 0
  /** After a backslash; `u` escapes collect their hex digits here. */
  private escape: string | null = null
  /** A run of characters outside strings that is not JSON punctuation (a literal, a number, an unquoted value). */
  private bare = ''

  constructor(private readonly maxString = 64 * 1024) {}

  write(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!
      if (this.inString) this.stringChar(c)
      else this.outside(c)
    }
  }

  end(): JsonStrings {
    if (this.inString) {
      // Cut off inside a string: what it holds so far is still a value on disk.
      this.malformed = true
      this.finishString()
    }
    this.finishBare()
    if (this.stack.length > 0) this.malformed = true
    return {strings: this.strings, malformed: this.malformed}
  }

  private stringChar(c: string): void {
    if (this.escape !== null) {
      if (this.escape === '') {
        if (c === 'u') {
          this.escape = 'u'
          return
        }
        this.escape = null
        this.append(ESCAPES[c] ?? c)
        if (!(c in ESCAPES)) this.malformed = true
        return
      }
      this.escape += c
      if (this.escape.length === 5) {
        const code = Number.parseInt(this.escape.slice(1), 16)
        this.escape = null
        if (Number.isNaN(code)) this.malformed = true
        else this.append(String.fromCharCode(code))
      }
      return
    }
    if (c === '\\') this.escape = ''
    else if (c === '"') this.finishString()
    else this.append(c)
  }

  private append(c: string): void {
    if (this.text === null) return
    this.length += c.length
    if (this.length > this.maxString) this.text = null
    else this.text.push(c)
  }

  private finishString(): void {
    const value = this.text?.join('') ?? null
    this.inString = false
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

  private outside(c: string): void {
    if (
      c === '"' ||
      c === '{' ||
      c === '}' ||
      c === '[' ||
      c === ']' ||
      c === ',' ||
      c === ':' ||
      c === ' ' ||
      c === '\t' ||
      c === '\n' ||
      c === '\r'
    ) {
      this.finishBare()
    } else {
      if (this.bare.length <= this.maxString) this.bare += c
      return
    }
    const top = this.stack[this.stack.length - 1]
    switch (c) {
      case '"':
        this.inString = true
        this.text = []
        this.length = 0
        return
      case '{':
        this.stack.push({kind: 'object', key: null, expectKey: true})
        return
      case '[':
        this.stack.push({kind: 'array', index: 0})
        return
      case '}':
      case ']':
        if (!top || top.kind !== (c === '}' ? 'object' : 'array')) this.malformed = true
        this.stack.pop()
        return
      case ',':
        if (top?.kind === 'object') top.expectKey = true
        else if (top?.kind === 'array') top.index++
        return
      default:
        return
    }
  }

  private finishBare(): void {
    if (this.bare === '') return
    const value = this.bare
    this.bare = ''
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
    if (!(await handle.stat()).isFile()) return null
    const scanner = new JsonStringScanner()
    const decoder = new StringDecoder('utf8')
    const buffer = Buffer.alloc(64 * 1024)
    for (let total = 0; total < maxBytes;) {
      const {bytesRead} = await handle.read(buffer, 0, Math.min(buffer.length, maxBytes - total), null)
      if (bytesRead === 0) break
      total += bytesRead
      scanner.write(decoder.write(buffer.subarray(0, bytesRead)))
    }
    scanner.write(decoder.end())
    return scanner.end()
  } catch {
    return null
  } finally {
    await handle.close()
  }
}
