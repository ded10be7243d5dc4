/**
 * Redaction stays linear in its input, whatever the input (a hostile log, a padded config): for
 * each pathological shape, redacting 4× the text may take about 4× the time, never 16× (what a
 * quadratic rule would take). A ratio of sizes, not a wall-clock bound, so a slow CI machine
 * cannot fail it and a fast one cannot hide a quadratic rule.
 */
import assert from 'node:assert/strict'
import {Redactor} from '../../src/bundle/redact/redactor.js'
import {OutputSafety} from '../../src/report/safety.js'

const SECRET = 'Zq7Rx2Lm9Pv4Tn8Wc3Ys'
const PERIODIC = 'abababababababababababababababab'
const redactor = new Redactor(
  [
    {value: SECRET, label: 'secret-1', foundIn: ['test']},
    {value: PERIODIC + 'X', label: 'secret-2', foundIn: ['test']},
  ],
  {
    homes: ['/home/alice'],
    users: ['alice'],
    hosts: ['web-1'],
  },
)

/** Best of a few runs (the least disturbed by other work on the machine), in ms. */
function cost(text: string): number {
  let best = Infinity
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint()
    redactor.redact(text)
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6)
  }
  return best
}

const SHAPES: Record<string, (n: number) => string> = {
  'secret words run together': (n) => 'token'.repeat(n),
  'assignments with no end, then a bracket': (n) => 'token='.repeat(n) + '[',
  'JSON keys opened, never closed': (n) => '"token": "'.repeat(n),
  'names before a JSON key': (n) => `"${'a'.repeat(n * 4)}token": "x"`,
  'flags without values': (n) => '--token '.repeat(n),
  'flag names growing': (n) => `--${'a'.repeat(n * 4)}token x`,
  'private key headers without an end': (n) => '-----BEGIN PRIVATE KEY-----\nAAAA\n'.repeat(n),
  'URL schemes': (n) => `${'a'.repeat(n * 4)}://`.repeat(4),
  'user:password@ runs': (n) => 'https://u:p'.repeat(n),
  'bearer runs': (n) => 'Bearer '.repeat(n),
  'cookie headers': (n) => 'Cookie: a=b; '.repeat(n),
  'JWT-like prefixes': (n) => 'eyJaaaaaaa.'.repeat(n),
  'base64 blob': (n) => 'QUJD'.repeat(n * 2),
  'one long line of word characters': (n) => 'a'.repeat(n * 8),
  'control characters': (n) => '\u001b]52;c;'.repeat(n),
  // Pieces of known values (split.ts) and key bodies without their header.
  'prefixes of a known value at line ends': (n) => `${SECRET.slice(0, 12)}\n`.repeat(n),
  'suffixes of a known value at line starts': (n) => `\n${SECRET.slice(-12)}`.repeat(n),
  'a known value run on into itself': (n) => SECRET.slice(0, 15).repeat(n),
  'line breaks, plain and JSON-escaped': (n) => 'a\nb\\nc\r\n'.repeat(n),
  'pieces of a periodic known value': (n) => 'ab'.repeat(n * 4),
  'key-length base64 lines, no END': (n) => `${'A'.repeat(64)}\n`.repeat(Math.ceil(n / 8)) + 'x',
  'short base64 lines before END lines': (n) => 'AAAA\n-----END PRIVATE KEY-----\n'.repeat(n),
  'END-looking runs': (n) => '-----END '.repeat(n),
}

/**
 * How much longer `large` (4× `small`) takes. A shard beside this one, or a collection of the
 * large text's garbage, can double one measurement; a quadratic rule is 16× every time. So a
 * ratio over the limit is measured again, up to five times, and the smallest counts (three were
 * once not enough on the 2-core CI machine: 9.0× for a linear rule, with both shards running).
 */
function growth(small: string, large: string, limit = 9): number {
  let ratio = Infinity
  for (let attempt = 0; attempt < 5 && ratio >= limit; attempt++) ratio = Math.min(ratio, cost(large) / Math.max(cost(small), 0.5))
  return ratio
}

describe('redaction is linear in its input', function () {
  this.timeout(120_000)
  const n = 5_000
  for (const [name, make] of Object.entries(SHAPES)) {
    it(name, () => {
      const small = make(n)
      const large = make(n * 4)
      cost(small) // warm up the regexes
      const ratio = growth(small, large)
      assert.ok(ratio < 9, `${name}: 4× the input took ${ratio.toFixed(1)}× the time (${small.length} → ${large.length} characters)`)
    })
  }

  it('1 MiB of each adversarial shape for the pieces and key-body rules costs a bounded multiple of 1 MiB of ordinary log', () => {
    const MiB = 1024 * 1024
    const fill = (unit: string) => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB)
    const baseline = fill('2024-05-01T10:00:00Z INFO request served in 12 ms from 127.0.0.1 (GET /v1/tools)\n')
    cost(baseline)
    const base = Math.max(cost(baseline), 1)
    const shapes = {
      'prefix anchors at line ends': fill(`${SECRET.slice(0, 11)}\n`),
      'suffix anchors at line starts': fill(`\n${SECRET.slice(-11)}`),
      'a periodic value': fill('ab'),
      'key lines without END': fill(`${'A'.repeat(64)}\n`),
      'END lines after short lines': fill('AAAA\n-----END PRIVATE KEY-----\n'),
      'JSON-escaped breaks': fill('\\n'),
    }
    for (const [name, text] of Object.entries(shapes)) {
      const ratio = cost(text) / base
      // Ordinary text is redacted by the same passes; an adversarial one may cost more, never by the input's size.
      assert.ok(ratio < 25, `${name}: 1 MiB took ${ratio.toFixed(1)}× the time of 1 MiB of ordinary log`)
    }
  })

  it('the output-safety step too (controls and secret flags on a long machine string)', () => {
    const time = (text: string) => {
      let best = Infinity
      for (let i = 0; i < 3; i++) {
        const started = process.hrtime.bigint()
        new OutputSafety().text(text)
        best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6)
      }
      return best
    }
    const make = (k: number) => '--password x \u001b[2J '.repeat(k)
    time(make(n))
    assert.ok(time(make(n * 4)) / Math.max(time(make(n)), 0.5) < 9)
  })
})
