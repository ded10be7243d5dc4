/**
 * Redaction stays linear in its input, whatever the input (a hostile log, a padded config): for
 * each pathological shape, redacting 4× the text may take about 4× the time, never 16× (what a
 * quadratic rule would take). A ratio of sizes, not a wall-clock bound, so a slow CI machine
 * cannot fail it and a fast one cannot hide a quadratic rule.
 */
import assert from 'node:assert/strict'
import {Redactor} from '../../src/bundle/redact/redactor.js'
import {OutputSafety} from '../../src/report/safety.js'

const redactor = new Redactor([{value: 'Zq7Rx2Lm9Pv4Tn8Wc3Ys', label: 'secret-1', foundIn: ['test']}], {
  homes: ['/home/alice'],
  users: ['alice'],
  hosts: ['web-1'],
})

/** Best of a few runs (the least disturbed by other work on the machine), in ms. */
function cost(text: string): number {
  let best = Infinity
  for (let i = 0; i < 3; i++) {
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
}

describe('redaction is linear in its input', function () {
  this.timeout(120_000)
  const n = 5_000
  for (const [name, make] of Object.entries(SHAPES)) {
    it(name, () => {
      const small = make(n)
      const large = make(n * 4)
      cost(small) // warm up the regexes
      const ratio = cost(large) / Math.max(cost(small), 0.5)
      assert.ok(ratio < 9, `${name}: 4× the input took ${ratio.toFixed(1)}× the time (${small.length} → ${large.length} characters)`)
    })
  }

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
