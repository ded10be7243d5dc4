/**
 * Compiles a catalogue pattern (the product's message, verbatim, with `${name}` where it
 * interpolates a value) into a matcher that accepts the message as a user pastes it: with other
 * ports, pids, paths, URLs, hosts and versions in the placeholders, re-wrapped whitespace, curly
 * or missing quotes, and the same prefixes stripped that `normalise` strips from the input.
 * Go format verbs (`%s`, `%d`, `%q`, `%v`, `%w`) are placeholders too (runwisp-facts §7).
 */
import {stripPrefixesOfPattern} from './prefix.js'

export interface CompiledPattern {
  source: string
  regex: RegExp
  /** The literal text between placeholders, as lower-case words (for partial matches). */
  runs: string[][]
  /** Literal words in the whole pattern: its specificity. */
  literalWords: number
  literalChars: number
  /**
   * The same, without the operating system's error texts ("address already in use", "permission
   * denied", EADDRINUSE): every program prints those, so they say nothing about which one did.
   * A pattern is strong (credible anywhere) only on what is left.
   */
  specificWords: number
  specificChars: number
  /** The pattern quotes a system error text: on its own it may be any program's output. */
  systemError: boolean
  /** Per literal run (same order as `runs`), its words that are not system error text. */
  runSpecificWords: number[]
  /** Placeholder names in order of their first appearance (named groups in `regex`). */
  names: string[]
  /** `regex` with the global flag, for entries that must look past a first match (`placeholderValues`). */
  global?: RegExp
  /**
   * Lower-case words every full match contains as words of the text: a text that lacks one cannot
   * match, so the regex is not run on it (this keeps a 64 KiB paste of quotes or `${` fast).
   */
  requiredWords: string[]
}

/** What a placeholder accepts, by its name: values the product interpolates, generalised. */
const PLACEHOLDER_CLASSES: Array<{names: RegExp; pattern: string}> = [
  {names: /^(?:pid|pids?|port|ports?|preferred|selected|p|a|b|n|max|attempt|block|count|next|line)$/i, pattern: '\\d[\\d,\\s]{0,64}?'},
  {names: /^(?:code|exitcode|status)$/i, pattern: '(?:-?\\d+|null|[A-Z][A-Z0-9_]+)'},
  {names: /^signal$/i, pattern: '(?:SIG[A-Z0-9]+|null|\\d+)'},
  {names: /^(?:version|current|latest|ownerversion|cli_version|cliversion)$/i, pattern: 'v?\\d[\\w.+-]*'},
  // A URL or origin is never a file system path, so that RunWisp's "daemon not running at <data
  // dir>" is not read as Executor's "Daemon not running at <url>".
  {names: /(?:url|origin|baseurl|fallback)$/i, pattern: '(?![\\/\\\\~]|\\.{1,2}[\\/\\\\]|[A-Za-z]:[\\/\\\\])\\S{1,512}?'},
  {names: /^(?:host|hostname|canonicalhost|scopeid|kind|token|label|target|platform|cmd|name|varname|pkg|unit)$/i, pattern: '\\S{1,512}?'},
]
/**
 * strerror texts and errno / libuv codes (Go's `os` and `net` errors, Node's `listen EADDRINUSE`),
 * and the generic texts of the libraries every server uses (SQLite's "database is locked", HTTP's
 * "Unauthorized").
 * A message made of them plus a verb ("bind: address already in use", "open …: permission denied")
 * is generic, and counts only in a text about its product (or quoted by the user), even alone on a
 * line: "listen tcp :8080: bind: address already in use" is any Go server's error.
 */
export const SYSTEM_ERROR_TEXT =
  /address already in use|permission denied|operation not permitted|no such file or directory|not a directory|is a directory|read-only file system|connection refused|connection reset by peer|broken pipe|no space left on device|too many open files|file exists|database is locked|\bunauthorized\b|\bE(?:ADDRINUSE|ACCES|PERM|NOENT|NOTDIR|ISDIR|ROFS|CONNREFUSED|CONNRESET|PIPE|NOSPC|MFILE|EXIST)\b/gi

/** Bounded, so that a pathological paste (one 64 KiB line) cannot make a match quadratic. */
const ANY = '[^\\n]{1,1024}?'

const GO_VERB = /%[-+# 0]*\d*(?:\.\d+)?[sdqvwxfgt]/
const TOKEN = new RegExp(`\\$\\{([^}]*)\\}|${GO_VERB.source}|…`, 'g')

function placeholderPattern(name: string): string {
  for (const cls of PLACEHOLDER_CLASSES) if (cls.names.test(name)) return cls.pattern
  return ANY
}

function goVerbPattern(verb: string): string {
  const kind = verb.at(-1)
  if (kind === 'd') return '-?\\d+'
  if (kind === 'q') return '(?:"[^"\\n]{0,512}"|\\S{1,512}?)'
  return ANY
}

function greedyAtEnd(pattern: string, atEnd: boolean): string {
  return atEnd ? pattern.replace(/(\+|\{\d+,\d+\})\?$/, '$1') : pattern
}

/** Words as the partial matcher sees them: lower case, letters and digits only. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []
}

/**
 * A literal run as a regex: whitespace flexible, quotes optional and interchangeable, dashes and
 * ellipses in any of their spellings, decorative symbols (⚠ ✓ ✨) optional.
 */
function literalPattern(text: string): string {
  let out = ''
  for (const ch of text) {
    if (/\s/.test(ch)) out += out.endsWith('\\s*') ? '' : '\\s*'
    else if (/["'`]/.test(ch)) out += '["\'`]?'
    else if (ch === '—' || ch === '–') out += '(?:—|–|--?)'
    else if (ch === '…') out += '[^\\n]{0,1024}?'
    else if (/[\p{So}\p{Sk}]/u.test(ch)) out += `(?:${escape(ch)})?`
    else out += escape(ch)
  }
  // Runs of whitespace must still separate words: `\s*` between two word characters becomes `\s+`.
  return out.replace(/(\w)\\s\*(?=\w)/g, '$1\\s+')
}

function escape(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

export function compilePattern(source: string): CompiledPattern {
  // The same prefixes the input loses (`Error:`, a level, a leading "[executor]" tag) are optional here.
  const {body, optionalTag} = stripPrefixesOfPattern(source)
  let regex = optionalTag ? `(?:${literalPattern(optionalTag)}\\s*)?` : ''
  const runs: string[][] = []
  const runSpecificWords: number[] = []
  const names: string[] = []
  let last = 0
  let literal = ''
  const required = new Set<string>()
  const pushLiteral = (text: string, afterValue: boolean, beforeValue: boolean) => {
    literal += text
    regex += literalPattern(text)
    const runWords = words(text)
    if (runWords.length > 0) {
      runs.push(runWords)
      runSpecificWords.push(words(text.replace(SYSTEM_ERROR_TEXT, ' ')).length)
    }
    // Words a full match must contain as words of the text; one that touches a value ("${ms}ms")
    // may be glued to it ("15000ms") and is not required.
    const inner = [...runWords]
    if (afterValue && /^[\p{L}\p{N}_]/u.test(text)) inner.shift()
    if (beforeValue && /[\p{L}\p{N}_]$/u.test(text)) inner.pop()
    for (const w of inner) required.add(w)
  }
  const tokens = [...body.matchAll(TOKEN)]
  tokens.forEach((match, index) => {
    pushLiteral(body.slice(last, match.index), index > 0, true)
    const token = match[0]
    // A placeholder that ends the message takes the rest of the line; a lazy one would take one character.
    const atEnd = index === tokens.length - 1 && /^[\s.:;"'`)\]]*$/.test(body.slice(match.index + token.length))
    // A message that starts with a value starts at a word: otherwise every position of a long
    // line would be a candidate start for the placeholder.
    if (match.index === 0) regex += '(?<![^\\s"\'(\\[])'
    if (token === '…') regex += '[^\\n]{0,1024}?'
    else if (match[1] !== undefined) {
      const name = match[1]
      const group = /^[A-Za-z_]\w*$/.test(name) && !names.includes(name) ? `?<${name}>` : '?:'
      if (group !== '?:') names.push(name)
      regex += `(${group}${greedyAtEnd(placeholderPattern(name), atEnd)})`
    } else regex += `(?:${greedyAtEnd(goVerbPattern(token), atEnd)})`
    last = match.index + token.length
  })
  const tail = body.slice(last).replace(/[.:;]+\s*$/, '')
  pushLiteral(tail, tokens.length > 0, false)
  // A trailing full stop or colon is often lost in a paste.
  if (body.slice(last) !== tail) regex += '[.:;]*'
  const specific = literal.replace(SYSTEM_ERROR_TEXT, ' ')
  return {
    source,
    regex: new RegExp(regex, 'i'),
    global: new RegExp(regex, 'gi'),
    requiredWords: [...required],
    runs,
    literalWords: words(literal).length,
    literalChars: literal.replace(/\s+/g, '').length,
    specificWords: words(specific).length,
    specificChars: specific.replace(/\s+/g, '').length,
    systemError: specific !== literal,
    runSpecificWords,
    names,
  }
}

/**
 * A declared target's symptom pattern (doctor.config.json `targets[].symptoms[].patterns`): a
 * regex the user wrote for a line their own daemon prints. It is matched as written; its literal
 * words make its runs for partial matches. A declaration is the user's statement that the line is
 * this symptom, so a full match counts as strong wherever it is found.
 */
export function compileDeclaredRegex(declared: RegExp): CompiledPattern {
  const literal = declared.source
    .replace(/\\[dDsSwWbB]|\\./g, (m) => (m.length === 2 && /[dDsSwWbB]/.test(m[1]!) ? ' ' : m.slice(1)))
    .replace(/[()[\]{}|^$*+?.]/g, ' ')
  const literalWords = words(literal)
  return {
    source: declared.source,
    regex: new RegExp(declared.source, declared.flags.replace(/[gy]/g, '')),
    runs: literalWords.length > 0 ? [literalWords] : [],
    literalWords: literalWords.length,
    literalChars: literal.replace(/\s+/g, '').length,
    specificWords: Math.max(literalWords.length, CREDIBLE_DECLARED.words),
    specificChars: Math.max(literal.replace(/\s+/g, '').length, CREDIBLE_DECLARED.chars),
    systemError: false,
    runSpecificWords: literalWords.length > 0 ? [literalWords.length] : [],
    names: [],
    // A user's regex has no words every match must hold that we could read off it safely: always run it.
    requiredWords: [],
  }
}

/** What a declared full match is credited with (the strong-pattern thresholds of explain.ts CREDIBILITY). */
const CREDIBLE_DECLARED = {words: 4, chars: 24}
