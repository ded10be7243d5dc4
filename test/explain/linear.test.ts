/**
 * `explain` is linear in its input (issue 13 §3): pathological pastes (64 KiB of quotes, of `${`,
 * of one word, of a repeated message) cost in proportion to their size. Measured as a ratio of
 * input sizes, never as a wall-clock bound: eight explains of 8 KiB against one of 64 KiB (the
 * same bytes) come out about equal when the work is linear and about 8× apart when it is quadratic.
 * Past the input cap the text is cut, and the CLI says so.
 */
import {strict as assert} from 'node:assert'
import {runCli} from '../helpers/cli.js'
import {catalogueExplainer, MAX_INPUT_CHARS_FOR_TESTS} from './explain-internals.js'

const PATHOLOGICAL: Record<string, string> = {
  quotes: '"',
  'quotes and spaces': '" ',
  'template openers': '${',
  'one word': 'a ',
  colons: 'a: ',
  'a repeated message': 'Port 4788 is in use. Starting daemon on available port 47912 instead.\n',
  'a unit name': 'x.service: ',
  'a Vite resolve error, unclosed': 'Failed to resolve entry for package "',
  'stack frames': '    at fn (/home/dev/x.js:1:2)\n',
  'the words of many messages': 'port in use failed to start daemon not reachable ',
}

const of = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size)

function fastest(run: () => void): number {
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint()
    run()
    best = Math.min(best, Number(process.hrtime.bigint() - start))
  }
  return best
}

describe('explain: linear time on any paste within its cap', function () {
  this.timeout(60_000)
  const explainer = catalogueExplainer()
  before(() => explainer.explain('warm up'))

  for (const [name, unit] of Object.entries(PATHOLOGICAL)) {
    it(`${name}: 64 KiB costs no more than 8 × 8 KiB (× 2.5 for noise)`, () => {
      const small = of(unit, 8 * 1024)
      const big = of(unit, 64 * 1024)
      const eightSmall = fastest(() => {
        for (let i = 0; i < 8; i++) explainer.explain(small)
      })
      const oneBig = fastest(() => explainer.explain(big))
      const ratio = oneBig / eightSmall
      assert.ok(
        ratio < 2.5,
        `64 KiB took ${(oneBig / 1e6).toFixed(1)} ms, 8 × 8 KiB ${(eightSmall / 1e6).toFixed(1)} ms: ratio ${ratio.toFixed(2)} (quadratic work gives about 8)`,
      )
    })
  }

  it('cuts a paste past the cap, and the CLI says so (human and JSON)', async () => {
    const huge = 'Port 4788 is in use. Starting daemon on available port 47912 instead.\n' + of('x ', MAX_INPUT_CHARS_FOR_TESTS * 2)
    assert.equal(explainer.explain(huge).truncated, true)
    const human = await runCli(['explain'], {input: huge})
    assert.equal(human.code, 0, human.stderr)
    assert.match(human.stdout, /only its first 64 KiB were read/)
    const json = await runCli(['explain', '--json'], {input: huge})
    const parsed = JSON.parse(json.stdout) as {matches: Array<{symptom: string}>; truncated?: boolean}
    assert.equal(parsed.matches[0]?.symptom, 'executor/port-squatter')
    assert.equal(parsed.truncated, true)
    const short = JSON.parse(
      (await runCli(['explain', '--json'], {input: 'Port 4788 is in use. Starting daemon on available port 47912 instead.'})).stdout,
    ) as Record<string, unknown>
    assert.equal('truncated' in short, false)
  })
})
