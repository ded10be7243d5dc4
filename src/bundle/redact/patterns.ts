/**
 * Step 2 of redaction: secrets the doctor could not read but can recognise by shape. A rule
 * replaces only the secret part, so the line keeps its meaning (`Authorization: Bearer
 * [REDACTED:bearer]`, `password = "[REDACTED:secret-assignment]"`), and keeps its newlines, so
 * line numbers in the bundle are the original's. Rules skip values that are already redactions or
 * plainly not secrets (`${VAR}` references, `true`, empty), so a second pass changes nothing.
 */
import {isNonSecretValue, looksLikeCredential, placeholder, PLACEHOLDER} from './placeholder.js'
import {keepNewlines, lineIndex} from './literals.js'

export interface PatternRule {
  id: string
  /** What the rule catches, for docs/bundle.md and `manifest.json`. */
  description: string
  regex: RegExp
  /**
   * What a text holds wherever `regex` matches in it (necessary conditions, each a search of the
   * whole text): a text without one of them skips the rule. Most texts the doctor shows (titles,
   * paths, ids) lack them, and the rules' regexes cost more to compile than such a text costs to
   * search (measured: ~6 ms of a healthy `doctor --json`). Cheap ones first: a later one is not
   * compiled while an earlier one fails. test/bundle/redact-needs.test.ts holds each rule to them.
   */
  needs: readonly RegExp[]
  /** The replacement for a match, or null when the match is not a secret after all. */
  replace(match: RegExpExecArray): string | null
}

/**
 * The secret word that ends a secret-looking name (`RUNWISP_PASSWORD`, `refreshToken`, `api-key`);
 * the delimiter must follow it at once, so `tokenEndpoint` is not one. Rules match from the word
 * (a quick scan) and look behind for the rest of the name only where the word is found: starting
 * from every position of a 1 MiB log with a lazy name prefix would be many times slower.
 */
/**
 * A name's characters looked at behind a secret word, at most: bounded, so a long run of names
 * ("tokentoken…") costs a constant per match, never the run's length (redaction stays linear).
 */
const MAX_NAME = 64

const WORD = String.raw`(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|cookie|dsn|webhook(?:[_-]?url)?|signature)`

/**
 * The secret word that ends a flag's name: the key words, and `pass` (`--pass`, `--db-pass`) as a
 * word of its own, so `--bypass` is not one.
 */
const FLAG_WORD = String.raw`(?:password|passwd|passphrase|(?<![A-Za-z])pass|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?)`

/** Words that follow a flag's name in a sentence, not on a command line. */
const PROSE_WORDS = new Set([
  'or',
  'and',
  'nor',
  'to',
  'is',
  'was',
  'are',
  'in',
  'on',
  'of',
  'for',
  'with',
  'as',
  'at',
  'by',
  'if',
  'when',
  'then',
  'the',
  'a',
  'an',
  'flag',
  'option',
  'argument',
  'value',
  'instead',
  'only',
  'also',
  'not',
  'from',
  'given',
  'set',
])

/** Trailing punctuation belongs to the sentence, not to the token. */
function splitTrailing(value: string): [string, string] {
  const m = /[.,;:!?)]+$/.exec(value)
  return m ? [value.slice(0, m.index), m[0]] : [value, '']
}

const hasPlaceholder = (value: string | undefined) => value !== undefined && PLACEHOLDER.test(value)

/** The match ends right before a redaction (`password=abc[REDACTED:secret-1]`): that value is already dealt with. */
const runsIntoRedaction = (m: RegExpExecArray) => m.input.startsWith('[REDACTED:', m.index + m[0].length)

type Format = (m: RegExpExecArray, redacted: string) => string

/** A secret word right before `:` or `=` (a quote and spaces may come between): in every assignment rule's match. */
const ASSIGNED = new RegExp(String.raw`${WORD}["']?\s*[:=]`, 'i')

/** `shape`: what every match has around its `:` or `=` (the rule's own delimiter, without the word). */
const assignment = (regex: RegExp, shape: RegExp, format: Format, guard: (value: string) => boolean = () => true): PatternRule => ({
  id: 'secret-assignment',
  needs: [shape, ASSIGNED],
  description: 'a value assigned to a secret-looking name (password=, token:, "apiKey": …) in URLs, TOML, JSON, env files and logs',
  regex,
  replace: (m) => {
    const value = m[3] ?? ''
    if (isNonSecretValue(value) || hasPlaceholder(value) || runsIntoRedaction(m) || !guard(value)) return null
    return format(m, placeholder('secret-assignment'))
  },
})

/**
 * Characters of an unquoted value (not a shell `$(…)` that reads it). A value that runs into a
 * redaction is refused by the rule (runsIntoRedaction), not by a lookahead: a lookahead after the
 * greedy run would backtrack through it, and from every secret word inside it (quadratic).
 */
const BARE = String.raw`(?!\$\()([^\s"'&;,<>(){}[\]]+)`

/** Base64 as PEM writes it, a key line break (also JSON-escaped), and a key's END line. */
const B64 = '[A-Za-z0-9+/]'
const KEY_NL = String.raw`(?:\r?\n|(?:\\r)?\\n)`
const KEY_END = String.raw`-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`
const FULL_KEY_LINE = new RegExp(String.raw`${B64}{64}(?:${B64}{6})?${KEY_NL}`, 'g')
/**
 * Full-length base64 lines in a row that make a key body even with no BEGIN or END line in sight:
 * four lines are 192 bytes, less than any RSA key and about an EC one, and more than the odd
 * 64-character base64 value a log prints on its own line.
 */
const KEY_BODY_LINES = 4

export const PATTERN_RULES: readonly PatternRule[] = [
  {
    id: 'private-key',
    needs: [/-----BEGIN /i],
    description: 'PEM private keys (-----BEGIN … PRIVATE KEY-----), whole or cut off',
    regex:
      /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,16384}?-----END \1PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,\\-]*)/g,
    replace: () => placeholder('private-key'),
  },
  {
    id: 'private-key-body',
    // The lookahead: a full base64 line and its line break, or an END line.
    needs: [new RegExp(String.raw`${B64}{64}${KEY_NL}|-----END `, 'i')],
    description: `the body of a PEM or OpenSSH private key whose BEGIN line is not in the text (a log tail starts below it): base64 lines of the key line length (64, or 70) ending in -----END … PRIVATE KEY-----, or ${KEY_BODY_LINES} or more such lines in a row, and an END line alone`,
    regex: new RegExp(
      String.raw`(?<![A-Za-z0-9+/=])(?=${B64}{64}${KEY_NL}|${B64}{1,70}={0,2}${KEY_NL}${KEY_END}|${KEY_END})((?:${B64}{64}(?:${B64}{6})?${KEY_NL})*)(${B64}{1,70}={0,2}${KEY_NL}(?=${KEY_END}))?(${KEY_END})?`,
      'g',
    ),
    replace: (m) => {
      if (m[3]) {
        // A short line alone before END is a key's last line only if it starts a line ("… dump\n-----END").
        const before = m.input.slice(Math.max(0, m.index - 2), m.index)
        const keepShort = !m[1] && m[2] && m.index > 0 && !/(?:\n|\\n)$/.test(before)
        return `${keepShort ? m[2] : ''}${placeholder('private-key')}`
      }
      const lines = m[1] ?? ''
      if ((lines.match(FULL_KEY_LINE) ?? []).length < KEY_BODY_LINES) return null
      // Hex digests one per line (a checksum list) have the length, not the alphabet, of a key.
      if (/^(?:[0-9a-fA-F]+(?:\r?\n|(?:\\r)?\\n))+$/.test(lines)) return null
      return placeholder('private-key')
    },
  },
  {
    id: 'jwt',
    needs: [/eyJ/i],
    description: 'JSON Web Tokens (eyJ….eyJ….…)',
    regex: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g,
    replace: () => placeholder('jwt'),
  },
  {
    id: 'api-key',
    needs: [/sk-|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AKIA|ASIA|AIza|_live_|_test_|npm_|SG\./i],
    description:
      'well-known API key shapes (OpenAI/Anthropic sk-, GitHub ghp_/github_pat_, GitLab glpat-, Slack xox?-, AWS AKIA, Google AIza, Stripe sk_live_, npm_, SendGrid SG.)',
    regex:
      /(?<![A-Za-z0-9_-])(?:sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}|npm_[A-Za-z0-9]{36}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    // The prefixes are distinctive; only `sk-` can start an ordinary hyphenated name.
    replace: (m) => (!m[0].startsWith('sk-') || looksLikeCredential(m[0].slice(3)) ? placeholder('api-key') : null),
  },
  {
    id: 'webhook-url',
    needs: [/:\/\//i],
    description: 'webhook URLs whose path is the credential (Slack, Discord, Teams, Google Chat, Telegram); the host is kept',
    regex:
      /(https?:\/\/(?:hooks\.slack\.com|(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks|[A-Za-z0-9-]+\.webhook\.office\.com|outlook\.office(?:365)?\.com\/webhook|chat\.googleapis\.com\/v1\/spaces|api\.telegram\.org)\/?)([^\s"'<>]+)/gi,
    replace: (m) => (hasPlaceholder(m[2]) ? null : `${m[1]}${placeholder('webhook-url')}`),
  },
  {
    id: 'url-credentials',
    needs: [/:\/\//i],
    description: 'credentials in URLs (the password in scheme://user:…@host, or a token as the user name); the user name is kept',
    // Matched from "://" and checked backwards for a scheme: "://" is rare, word starts are not.
    regex: /(:\/\/)(?<=[a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@"'<>[\]]+)(?::([^\s/?#@"'<>]*))?@(?=[A-Za-z0-9[])/gi,
    replace: (m) => {
      const [, scheme, user = '', password] = m
      if (password !== undefined) {
        if (isNonSecretValue(password) || hasPlaceholder(password)) return null
        return `${scheme}${user}:${placeholder('url-credentials')}@`
      }
      return !hasPlaceholder(user) && looksLikeCredential(user, 16) ? `${scheme}${placeholder('url-credentials')}@` : null
    },
  },
  {
    id: 'bearer',
    needs: [/bearer[ \t]/i],
    description: 'Authorization: Bearer tokens (in headers, logs, JSON)',
    regex: /\b(bearer)([ \t]+)([A-Za-z0-9\-._~+/]+=*)/gi,
    replace: (m) => {
      const [core, trailing] = splitTrailing(m[3] ?? '')
      return looksLikeCredential(core) ? `${m[1]}${m[2]}${placeholder('bearer')}${trailing}` : null
    },
  },
  {
    id: 'basic-auth',
    needs: [/basic[ \t]/i],
    description: 'Authorization: Basic credentials (base64 of user:password)',
    regex: /\b(basic)([ \t]+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi,
    replace: (m) => {
      const decoded = Buffer.from(m[3] ?? '', 'base64').toString('latin1')
      return /^[\x20-\x7e]+$/.test(decoded) && decoded.includes(':') ? `${m[1]}${m[2]}${placeholder('basic-auth')}` : null
    },
  },
  {
    id: 'cookie',
    needs: [/cookie[ \t]*:/i],
    description: 'Cookie and Set-Cookie header values (cookie names are kept)',
    // Values stop at a double quote, so a header quoted inside JSON keeps the JSON valid.
    regex: /(?<![A-Za-z0-9_-])((?:set-)?cookie[ \t]*:[ \t]*)([^\r\n"]+)/gi,
    replace: (m) => {
      const isSetCookie = /^set-/i.test(m[1] ?? '')
      let changed = false
      const value = (m[2] ?? '').replace(
        /(^|;[ \t]*)([^=;\s]+)=([^;\s]*)/g,
        (all, sep: string, name: string, v: string, offset: number) => {
          if ((isSetCookie && offset > 0) || isNonSecretValue(v) || hasPlaceholder(v)) return all
          changed = true
          return `${sep}${name}=${placeholder('cookie')}`
        },
      )
      return changed ? `${m[1]}${value}` : null
    },
  },
  // "name": "value" (JSON): the name must start right after a quote.
  assignment(
    new RegExp(String.raw`(${WORD})(?<="[A-Za-z0-9_.-]{0,${MAX_NAME}})("\s*:\s*")((?:[^"\\\r\n]|\\.)*)"`, 'gi'),
    /"\s*:\s*"/,
    (m, r) => `${m[1]}${m[2]}${r}"`,
  ),
  assignment(
    new RegExp(String.raw`(${WORD})([ \t]*[:=][ \t]*")((?:[^"\\\r\n]|\\.)*)"`, 'gi'),
    /[:=][ \t]*"/,
    (m, r) => `${m[1]}${m[2]}${r}"`,
  ),
  assignment(new RegExp(String.raw`(${WORD})([ \t]*[:=][ \t]*')([^'\r\n]*)'`, 'gi'), /[:=][ \t]*'/, (m, r) => `${m[1]}${m[2]}${r}'`),
  assignment(new RegExp(String.raw`(${WORD})([ \t]*=[ \t]*)` + BARE, 'gi'), /=/, (m, r) => `${m[1]}${m[2]}${r}`),
  // `name: value` is also ordinary prose ("token: expired"): only a value shaped like a credential counts.
  assignment(
    new RegExp(String.raw`(${WORD})([ \t]*:[ \t]*)` + BARE, 'gi'),
    /:/,
    (m, r) => `${m[1]}${m[2]}${r}`,
    (v) => looksLikeCredential(splitTrailing(v)[0]),
  ),
  // A secret-bearing file cut by a crash or broken by hand (it no longer parses): the rules above
  // want a value closed on its line, so what is left is redacted from the key to the end of its
  // value — the next quote, or the end of the file when the value was cut off.
  {
    id: 'broken-secret-value',
    needs: [/[:=]\s*"/, ASSIGNED],
    description:
      'the value of a secret-named key in a file that no longer parses: a string cut off (redacted to the end of the file) or running past its line, or a JSON value written without quotes',
    regex: new RegExp(String.raw`(${WORD})(["']?\s*[:=]\s*)"((?:[^"\\]|\\[\s\S])*)("|$)`, 'gi'),
    replace: (m) =>
      isNonSecretValue(m[3] ?? '') || hasPlaceholder(m[3]) ? null : `${m[1]}${m[2]}"${placeholder('broken-secret-value')}${m[4]}`,
  },
  {
    id: 'broken-secret-value',
    needs: [/"\s*:/, ASSIGNED],
    description:
      'the value of a secret-named key in a file that no longer parses: a string cut off (redacted to the end of the file) or running past its line, or a JSON value written without quotes',
    regex: new RegExp(String.raw`(${WORD})("\s*:[ \t]*)(?![\s"{[\]])([^,}\]\r\n]+)`, 'gi'),
    replace: (m) => {
      const value = (m[3] ?? '').trimEnd()
      if (isNonSecretValue(value) || hasPlaceholder(value) || /^-?\d{1,3}$/.test(value)) return null
      return `${m[1]}${m[2]}${placeholder('broken-secret-value')}${(m[3] ?? '').slice(value.length)}`
    },
  },
  {
    id: 'secret-flag',
    // A dash (the flag's), and a flag word (`pass` without its lookbehind: wider is still
    // necessary) then a blank or `=`.
    needs: [
      /-/,
      /(?:password|passwd|passphrase|pass|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?)[ \t=]/i,
    ],
    description:
      'values of command-line flags whose names say secret (--pass, --password, --secret, --api-key, --auth-token, --token …, as `--flag value` or `--flag=value`, quoted or not), whatever the value looks like',
    regex: new RegExp(
      String.raw`(${FLAG_WORD})(?<=(?:^|[^A-Za-z0-9_.-])--?[A-Za-z0-9_.-]{0,${MAX_NAME}})([ \t]+|=)(\\?"[^"\r\n]*"|'[^'\r\n]*'|[^\s"']+)`,
      'gi',
    ),
    replace: (m) => {
      const raw = m[3] ?? ''
      const quoted = /^(\\?["'])([\s\S]*?)(\\?["'])$/.exec(raw)
      const [open, inner, close] = quoted ? [quoted[1]!, quoted[2]!, quoted[3]!] : ['', ...splitTrailing(raw)]
      // The next flag, a reference ($VAR, ${file:…}, $(…)) or an empty value: nothing to mask.
      if (inner.startsWith('-') || inner.startsWith('$(') || isNonSecretValue(inner) || hasPlaceholder(inner)) return null
      // Prose names a flag too ("use --password or RUNWISP_PASSWORD"): an unquoted small word that
      // joins a sentence is not a value. Anything else is masked, however plain it looks.
      if (!quoted && m[2] !== '=' && (PROSE_WORDS.has(inner) || !/[A-Za-z0-9]/.test(inner))) return null
      return `${m[1]}${m[2]}${open}${placeholder('secret-flag')}${close}`
    },
  },
]

/**
 * Runs every pattern rule in order; `hit` is called with each redaction's rule and 1-based line
 * (the original's: replacements keep their newlines).
 */
export function applyPatterns(text: string, hit: (rule: string, line: number) => void): string {
  let current = text
  for (const rule of PATTERN_RULES) {
    if (!rule.needs.every((needed) => needed.test(current))) continue
    const re = new RegExp(rule.regex.source, rule.regex.flags)
    const parts: string[] = []
    let cursor = 0
    let lineOf: ((index: number) => number) | undefined
    for (let m = re.exec(current); m; m = re.exec(current)) {
      if (m[0].length === 0) {
        re.lastIndex++
        continue
      }
      const replacement = rule.replace(m)
      if (replacement === null) continue
      parts.push(current.slice(cursor, m.index), keepNewlines(replacement, m[0]))
      lineOf ??= lineIndex(current)
      hit(rule.id, lineOf(m.index))
      cursor = m.index + m[0].length
    }
    if (parts.length > 0) {
      parts.push(current.slice(cursor))
      current = parts.join('')
    }
  }
  return current
}
