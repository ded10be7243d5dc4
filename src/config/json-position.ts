/**
 * Where JSON text goes wrong, as line and column. V8's `JSON.parse` errors give a position for
 * some mistakes and only an excerpt for others (Node 20: "Unexpected token ']', …"), so after a
 * failed parse this walks the JSON grammar (RFC 8259) to the first offending character.
 */

export interface JsonProblem {
  line: number
  column: number
  what: string
}

export function locateJsonError(text: string): JsonProblem | null {
  let at = 0
  class Stop extends Error {}
  const stop = (what: string): never => {
    throw new Stop(what)
  }
  const ws = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++
  }
  const describe = () => (at >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[at])}`)
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
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at))
    if (!m) stop(describe())
    at += m![0].length
  }
  const value = (): void => {
    ws()
    const c = text[at]
    if (c === '{') {
      at++
      ws()
      if (text[at] === '}') return void at++
      for (;;) {
        ws()
        if (text[at] !== '"') stop(text[at] === '}' ? 'a comma before "}" (trailing commas are not JSON)' : `expected a quoted key, found ${describe().replace('unexpected ', '')}`)
        string()
        ws()
        if (text[at] !== ':') stop(`expected ":" after the key, found ${describe().replace('unexpected ', '')}`)
        at++
        value()
        ws()
        if (text[at] === ',') at++
        else if (text[at] === '}') return void at++
        else stop(`expected "," or "}", found ${describe().replace('unexpected ', '')}`)
      }
    }
    if (c === '[') {
      at++
      ws()
      if (text[at] === ']') return void at++
      for (;;) {
        ws()
        if (text[at] === ']') stop('a comma before "]" (trailing commas are not JSON)')
        value()
        ws()
        if (text[at] === ',') at++
        else if (text[at] === ']') return void at++
        else stop(`expected "," or "]", found ${describe().replace('unexpected ', '')}`)
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number()
    stop(describe())
  }
  try {
    value()
    ws()
    if (at < text.length) stop(`${describe()} after the end of the JSON value`)
    return null
  } catch (error) {
    if (!(error instanceof Stop)) throw error
    const before = text.slice(0, at)
    return {line: before.split('\n').length, column: at - before.lastIndexOf('\n'), what: error.message}
  }
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
