/**
 * Each pattern rule's `needs` are necessary conditions of its regex: applyPatterns skips a rule on
 * a text without one of them (src/bundle/redact/patterns.ts), so a `needs` that misses one match would let
 * that secret through. Checked on one sample of every shape the rules take, and on random texts
 * made of the pieces the rules look for.
 */
import assert from 'node:assert/strict'
import {PATTERN_RULES, type PatternRule} from '../../src/bundle/redact/patterns.js'

/** Wherever the rule's regex matches in `text`, the text has each of the rule's `needs` (as applyPatterns tests them). */
function assertNeeded(rule: PatternRule, text: string): number {
  const re = new RegExp(rule.regex.source, rule.regex.flags)
  let matches = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++
      continue
    }
    matches++
    for (const needed of rule.needs)
      assert.ok(needed.test(text), `${rule.id}: ${needed} misses the match ${JSON.stringify(m[0])} in ${JSON.stringify(text)}`)
  }
  return matches
}

const KEY_LINE = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj'
const SAMPLES = [
  `-----BEGIN RSA PRIVATE KEY-----\n${KEY_LINE}\n-----END RSA PRIVATE KEY-----`,
  `${KEY_LINE}\n${KEY_LINE}\n${KEY_LINE}\n${KEY_LINE}\nabc==\n-----END PRIVATE KEY-----`,
  `${KEY_LINE}\\n${KEY_LINE}\\n${KEY_LINE}\\n${KEY_LINE}\\n`,
  '-----END OPENSSH PRIVATE KEY-----',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefGHIJ',
  'sk-proj-abcdefghijklmnopqrstuvwxyz012345 ghp_abcdefghijklmnopqrstuvwxyz0123456789 AKIAABCDEFGHIJKLMNOP',
  'github_pat_abcdefghijklmnopqrstuv12 glpat-abcdefghijklmnopqrst xoxb-1234567890-abc AIzaSyA-abcdefghijklmnopqrstuvwxyz01234',
  'sk_live_abcdefghijklmnop1234 npm_abcdefghijklmnopqrstuvwxyz0123456789 SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq',
  'https://hooks.slack.com/services/T000/B000/XXXX and https://discord.com/api/webhooks/1/abc',
  'postgres://user:hunter2@db.example.com/x https://abcdefghijklmnopqrstuvwx@github.com/a',
  'Authorization: Bearer abcDEF123456789xyz.',
  'Authorization: BASIC dXNlcjpwYXNzd29yZA==',
  'Cookie: session=abc123def456; theme=dark',
  'set-cookie: sid=abc123; Path=/',
  '{"apiKey": "abc123def456"}',
  "password = 'hunter2'",
  'token: ghx123456789abcdefghi',
  'DB_PASSWORD=hunter2',
  'secret_key: "abc',
  '{"token": abc123def}',
  '--password hunter2 --api-key=abc123 -pass "x y"',
  'run --db-pass=xyz',
  'WEBHOOK_URL=https://x.example/y',
  'dsn: "postgres://a:b@c/d"',
  'signature="abc"',
  'credentials:\tabcdef12345678',
]

/** Pieces that make rules match, half-match or nearly match. */
const PIECES = [
  'password',
  'PASS',
  'pass',
  'token',
  'api_key',
  'apiKey',
  'secret',
  'Cookie',
  'set-cookie',
  'bearer',
  'Basic',
  'dsn',
  'webhook_url',
  'credentials',
  'signature',
  '--',
  '-',
  '=',
  ':',
  '"',
  "'",
  ' ',
  '\t',
  '\n',
  '\\n',
  '\\"',
  '://',
  '@',
  'https',
  'user',
  'hunter2',
  'abcDEF123456',
  'eyJ',
  'eyJabcdef.',
  'sk-',
  'ghp_',
  'AKIA',
  '_live_',
  'SG.',
  '-----BEGIN ',
  'RSA ',
  'PRIVATE KEY-----',
  '-----END ',
  KEY_LINE,
  'abc==',
  '[REDACTED:x]',
  '${VAR}',
  'x',
  '.',
  ',',
  ';',
  '{',
  '}',
  '/',
]

/** A small seeded generator, so a failure is the same every run. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    return state / 0x80000000
  }
}

describe('bundle redaction: each pattern rule needs what it says it needs', () => {
  it('on one sample of every shape (each sample is matched by some rule)', () => {
    for (const text of SAMPLES) {
      let matched = 0
      for (const rule of PATTERN_RULES) matched += assertNeeded(rule, text)
      assert.ok(matched > 0, `no rule matches the sample ${JSON.stringify(text)}`)
    }
  })

  it('on every rule at least once, and on 20,000 random texts of the pieces the rules look for', () => {
    const seen = new Set<PatternRule>()
    const next = random(20261203)
    for (const text of SAMPLES) for (const rule of PATTERN_RULES) if (assertNeeded(rule, text) > 0) seen.add(rule)
    assert.deepEqual(
      PATTERN_RULES.filter((r) => !seen.has(r)).map((r) => r.id),
      [],
      'every rule is exercised by a sample',
    )
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(next() * 12)
      let text = ''
      for (let j = 0; j < n; j++) text += PIECES[Math.floor(next() * PIECES.length)]
      for (const rule of PATTERN_RULES) assertNeeded(rule, text)
    }
  })
})
