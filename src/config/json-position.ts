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
