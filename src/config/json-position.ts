/**
 * Where JSON text goes wrong, as line and column. V8's `JSON.parse` errors give a position for
 * some mistakes and only an excerpt for others (Node 20: "Unexpected token ']', …", Node 22:
 * `"…" is not valid JSON`), and the excerpt is the file's own bytes: an unquoted token would be
 * echoed into a finding. So after a failed parse this walks the JSON grammar (RFC 8259) to the
 * first offending character and says what is wrong there without quoting the text: a structural
 * character by name, anything else as "unexpected text". The walk keeps its own stack, so any
 * nesting depth is fine (no recursion, no RangeError).
 */

export interface JsonProblem {
  line: number
  column: number
  what: string
}

class Stop extends Error {}

/** Characters that may be named in a message: JSON's own punctuation, never a secret's. */
const STRUCTURAL = new Set(['{', '}', '[', ']', ',', ':', '"'])

export function locateJsonError(text: string): JsonProblem | null {
  let at = 0
  const stop = (what: string): never => {
    throw new Stop(what)
  }
  const ws = () => {
    while (at < text.length) {
      const c = text.charCodeAt(at)
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break
      at++
    }
  }
  const found = () => {
    if (at >= text.length) return 'the end of the text'
    const c = text[at]!
    if (STRUCTURAL.has(c)) return JSON.stringify(c)
    if (c === '\uFEFF') return 'a byte-order mark'
    if (text.startsWith('//', at) || text.startsWith('/*', at)) return 'a comment (JSON has none)'
    return c < ' ' || (c >= '\u007f' && c <= '\u009f') ? 'a control character' : 'text'
  }
  const describe = () => (at >= text.length ? 'the text ends too early' : `unexpected ${found()}`)
  const literal = (word: string) => {
    if (!text.startsWith(word, at)) stop(describe())
    at += word.length
  }
  const string = () => {
    at++ // opening quote
    for (;;) {
      if (at >= text.length) stop('a string is not closed')
      const c = text[at]!
      if (c === '"') return void at++
      if (c < ' ') stop(`a raw control character in a string (write it as an escape)`)
      if (c === '\\') {
        const e = text[at + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) stop('a bad \\u escape')
          at += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) at += 2
        else stop('a bad escape in a string')
      } else at++
    }
  }
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
  const number = () => {
    NUMBER.lastIndex = at
    const m = NUMBER.exec(text)
    if (!m) stop(describe())
    at += m![0].length
  }
  /** A scalar, or the opening of a container (pushed, to be continued by the loop below). */
  const stack: Array<'object' | 'array'> = []
  const valueStart = (): 'pushed' | 'done' => {
    ws()
    const c = text[at]
    if (c === '{' || c === '[') {
      at++
      stack.push(c === '{' ? 'object' : 'array')
      return 'pushed'
    }
    if (c === '"') string()
    else if (c === 't') literal('true')
    else if (c === 'f') literal('false')
    else if (c === 'n') literal('null')
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number()
    else stop(describe())
    return 'done'
  }
  const key = () => {
    ws()
    if (text[at] !== '"')
      stop(text[at] === '}' ? 'a comma before "}" (trailing commas are not JSON)' : `expected a quoted key, found ${found()}`)
    string()
    ws()
    if (text[at] !== ':') stop(`expected ":" after the key, found ${found()}`)
    at++
  }
  try {
    // Each turn: the container on top of the stack was just opened, or one of its members just ended.
    let opened = valueStart() === 'pushed'
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const close = top === 'object' ? '}' : ']'
      ws()
      if (opened) {
        opened = false
        if (text[at] === close) {
          at++
          stack.pop()
          continue
        }
      } else if (text[at] === ',') {
        at++
        ws()
        if (top === 'array' && text[at] === ']') stop('a comma before "]" (trailing commas are not JSON)')
      } else if (text[at] === close) {
        at++
        stack.pop()
        continue
      } else stop(`expected "," or "${close}", found ${found()}`)
      if (top === 'object') key()
      opened = valueStart() === 'pushed'
    }
    ws()
    if (at < text.length) stop(`${describe()} after the end of the JSON value`)
    return null
  } catch (error) {
    if (!(error instanceof Stop)) throw error
    let line = 1
    let lineStart = 0
    for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
      line++
      lineStart = i + 1
    }
    return {line, column: at - lineStart + 1, what: error.message}
  }
}

/**
 * Why `text` is not JSON, by position only (never the file's bytes): for messages and findings
 * about a file that failed `JSON.parse`.
 */
export function jsonSyntaxProblem(text: string): string {
  const where = locateJsonError(text)
  return where ? `${where.what} at line ${where.line}, column ${where.column}` : 'not valid JSON'
}

/** One step of a path into a JSON document: an object key or an array index. */
export type JsonSegment = string | number

/** RFC 6901: `/targets/0/dataDir` (with `~` as `~0` and `/` as `~1` inside a key). */
export function toJsonPointer(path: readonly JsonSegment[]): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

export interface JsonPlace {
  line: number
  column: number
}

/**
 * Where the value at `path` starts in valid JSON `text` (or, with `at: 'key'`, where its key is
 * written: what an unknown-key error points at). Null when the path is not in the text. Only
 * called to word an error, so it walks the text again rather than keeping positions on every load.
 */
export function locateJsonPath(text: string, path: readonly JsonSegment[], at: 'key' | 'value' = 'value'): JsonPlace | null {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const skipString = (): string => {
    const start = i
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const skipValue = (): void => {
    ws()
    const c = text[i]
    if (c === '"') return void skipString()
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      for (;;) {
        ws()
        if (text[i] === close) return void i++
        if (c === '{') {
          skipString()
          ws()
          i++ // ':'
        }
        skipValue()
        ws()
        if (text[i] === ',') i++
      }
    }
    while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++
  }
  const place = (offset: number): JsonPlace => {
    const before = text.slice(0, offset)
    return {line: before.split('\n').length, column: offset - before.lastIndexOf('\n')}
  }
  let keyAt = -1
  try {
    for (const segment of path) {
      ws()
      const c = text[i]
      let found = -1
      let foundKey = -1
      if (c === '{' && typeof segment === 'string') {
        i++
        for (;;) {
          ws()
          if (text[i] === '}' || i >= text.length) break
          const k = i
          const key = skipString()
          ws()
          i++ // ':'
          ws()
          // Duplicate keys: JSON.parse keeps the last, so the last one is what was judged.
          if (key === segment) [found, foundKey] = [i, k]
          skipValue()
          ws()
          if (text[i] === ',') i++
        }
      } else if (c === '[' && typeof segment === 'number') {
        i++
        for (let n = 0; ; n++) {
          ws()
          if (text[i] === ']' || i >= text.length) break
          if (n === segment) {
            found = i
            break
          }
          skipValue()
          ws()
          if (text[i] === ',') i++
        }
      }
      if (found < 0) return null
      i = found
      keyAt = foundKey
    }
    ws()
    return place(at === 'key' && keyAt >= 0 ? keyAt : i)
  } catch {
    return null
  }
}
