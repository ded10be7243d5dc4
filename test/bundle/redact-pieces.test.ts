/**
 * Secrets that reach a text in pieces (issue 13 §2): a known value split across a line break (a
 * log wrapped at 80 columns, `\r\n`, a JSON-escaped `\n`), a piece of one cut at a line end or by
 * an excerpt's ellipsis, and a private key whose BEGIN line is above the log-tail window. Real
 * keys, generated here; the over-redaction guard on each rule.
 */
import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import type {KnownSecret} from '../../src/bundle/redact/known.js'
import {Redactor} from '../../src/bundle/redact/redactor.js'
import {fragmentMin} from '../../src/bundle/redact/split.js'

const TOKEN = 'Tq8vX2mLp9Rz4Wn7Yb3Kc6Hd1Fs5Gj0AeU2xQ' // 37 characters
const PASSWORD = 'pa ss/w+rd="Secret"!42'
const secrets: KnownSecret[] = [
  {value: TOKEN, label: 'secret-1', foundIn: ['test']},
  {value: PASSWORD, label: 'secret-2', foundIn: ['test']},
]
const redactor = new Redactor(secrets, {homes: [], users: [], hosts: []})
const clean = (text: string) => redactor.clean(text)

/** No run of `min` characters of `secret` is left in `text`. */
function assertNoPiece(text: string, secret: string, min = 4): void {
  for (let i = 0; i + min <= secret.length; i++)
    assert.ok(!text.includes(secret.slice(i, i + min)), `"${secret.slice(i, i + min)}" (at ${i}) is left in:\n${text}`)
}

function pkcs8(type: 'rsa' | 'ec'): string {
  const {privateKey} = type === 'rsa' ? generateKeyPairSync('rsa', {modulusLength: 2048}) : generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
}

describe('bundle redaction: secrets in pieces', () => {
  describe('a known value split across a line break', () => {
    for (const at of [1, 3, 10, 20, 34, 36]) {
      it(`split after ${at} characters, LF`, () => {
        const out = clean(`auth with ${TOKEN.slice(0, at)}\n${TOKEN.slice(at)} failed\n`)
        assert.equal(out, 'auth with [REDACTED:secret-1]\n failed\n')
      })
    }

    it('a log wrapped at 80 columns (the value over three lines), CRLF', () => {
      const line = `2024-05-01T10:00:00Z ERROR upstream rejected the bearer token ${TOKEN} for /v1/tools (401) `.repeat(3)
      const wrapped = line.match(/.{1,80}/g)!.join('\r\n')
      const out = clean(wrapped)
      assertNoPiece(out, TOKEN)
      assert.equal(out.split('\n').length, wrapped.split('\n').length, 'line numbers moved')
      assert.match(out, /upstream rejected the bearer token/)
    })

    it('a JSON-escaped line break inside a string, \\n and \\r\\n', () => {
      for (const br of ['\\n', '\\r\\n']) {
        const out = clean(`{"msg":"token ${TOKEN.slice(0, 5)}${br}${TOKEN.slice(5)} expired"}`)
        assert.equal(out, '{"msg":"token [REDACTED:secret-1] expired"}')
      }
    })

    it('the JSON-escaped form of a value with quotes and spaces, split', () => {
      const escaped = JSON.stringify(PASSWORD).slice(1, -1)
      const out = clean(`{"m":"${escaped.slice(0, 9)}\\n${escaped.slice(9)}"}`)
      assert.equal(out, '{"m":"[REDACTED:secret-2]"}')
    })
  })

  describe('a piece of a known value on its own', () => {
    const min = fragmentMin(TOKEN.length)
    it(`a prefix of at least ${min} characters at a line end, a suffix at a line start`, () => {
      const head = TOKEN.slice(0, 20)
      const tail = TOKEN.slice(-19)
      const out = clean(`first ${head}\nother line\n${tail} last\n`)
      assert.equal(out, 'first [REDACTED:secret-1]\nother line\n[REDACTED:secret-1] last\n')
    })

    it('a prefix cut by an excerpt (…) or a quote, and at the end of a cut-off file', () => {
      assert.equal(clean(`line 5: "login ${TOKEN.slice(0, 22)}…".`), 'line 5: "login [REDACTED:secret-1]…".')
      assert.equal(clean(`{"token":"${TOKEN.slice(0, 18)}`), '{"token":"[REDACTED:secret-1]')
    })

    it(`leaves shorter pieces, and pieces that run on into other characters (a different token)`, () => {
      const short = TOKEN.slice(0, min - 1)
      assert.equal(clean(`x ${short}\n`), `x ${short}\n`)
      const other = `${TOKEN.slice(0, 20)}ZZZZ`
      assert.equal(clean(`x ${other}\n`), `x ${other}\n`)
      assert.equal(clean(`x Z${TOKEN.slice(-19)}\n`), `x Z${TOKEN.slice(-19)}\n`)
    })

    it('a short value is not searched for in pieces (its pieces are ordinary words)', () => {
      const r = new Redactor([{value: 'password1', label: 'secret-1', foundIn: ['t']}], {homes: [], users: [], hosts: []})
      assert.equal(r.clean('reset the password\n1 more'), 'reset the password\n1 more')
      assert.equal(r.clean('reset the password1\n'), 'reset the [REDACTED:secret-1]\n')
    })

    it('is idempotent and counts its hits as known-value pieces', () => {
      const result = redactor.redact(`a ${TOKEN.slice(0, 10)}\n${TOKEN.slice(10)}\nb ${TOKEN.slice(0, 25)}`)
      assert.equal(redactor.clean(result.text), result.text)
      assert.deepEqual(result.counts, {'known-value-split': 1, 'known-value-fragment': 1})
    })
  })

  describe('a private key body without its BEGIN line', () => {
    for (const type of ['rsa', 'ec'] as const) {
      it(`${type}: the window starts below BEGIN (and below the first body lines)`, () => {
        const pem = pkcs8(type)
        const lines = pem.trimEnd().split('\n')
        for (const cut of [1, 2]) {
          const body = lines.slice(cut).join('\n')
          const out = clean(`2024-05-01 dumping key\n${body}\n2024-05-01 next\n`)
          assert.equal(out.split('\n').length, body.split('\n').length + 3, 'line numbers moved')
          assert.match(out, /^2024-05-01 dumping key\n\[REDACTED:private-key\]\n+2024-05-01 next\n$/)
          for (const line of lines.slice(1, -1)) assert.ok(!out.includes(line.slice(0, 24)), `${type}: a body line is left`)
        }
      })
    }

    it('a key body JSON-escaped inside a log line', () => {
      const body = pkcs8('rsa').split('\n').slice(4).join('\n')
      const out = clean(JSON.stringify({level: 'error', key: body}))
      assert.equal(out, '{"level":"error","key":"[REDACTED:private-key]\\n"}')
    })

    it('four or more key-length base64 lines with neither BEGIN nor END (a key cut at both ends)', () => {
      const lines = pkcs8('rsa').split('\n')
      const middle = lines.slice(5, 10).join('\n')
      assert.equal(clean(`x\n${middle}\ny\n`), 'x\n[REDACTED:private-key]\n\n\n\n\ny\n')
    })

    it('an END line alone', () => {
      assert.equal(clean('end of dump\n-----END RSA PRIVATE KEY-----\n'), 'end of dump\n[REDACTED:private-key]\n')
    })

    it('leaves three base64 lines, a checksum list, and 76-column MIME base64', () => {
      const lines = pkcs8('rsa').split('\n')
      const three = `x\n${lines.slice(5, 8).join('\n')}\ny\n`
      assert.equal(clean(three), three)
      const sums = Array.from({length: 6}, (_, i) =>
        `${String(i).repeat(64)}`.replace(/./g, (c, j: number) => 'abcdef0123456789'[(j + i) % 16]!),
      )
      const list = `${sums.join('\n')}\n`
      assert.equal(clean(list), list)
      const mime =
        Buffer.alloc(400, 'doctorkit mime body ')
          .toString('base64')
          .match(/.{1,76}/g)!
          .join('\n') + '\n'
      assert.equal(clean(mime), mime)
    })
  })
})
