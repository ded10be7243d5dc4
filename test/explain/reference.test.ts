/**
 * Every message the reference pages quote leads `explain` to its own entry: as printed, with other
 * ports, pids, paths, URLs and versions, with ANSI colours, and behind the prefixes loggers add.
 * The table is generated from the pages (reference-table.ts); owners come from the entries'
 * declarations (owners.ts).
 *
 * RunWisp: its catalogue (src/targets/runwisp/symptoms.ts) is written in parallel by the RunWisp
 * target's issue. It is loaded dynamically (runwisp-catalogue.ts); until it exists, every RunWisp
 * row fails with a message saying so, and the Executor rows are unaffected.
 */
import {strict as assert} from 'node:assert'
import {catalogueExplainer, type Explainer} from '../../src/explain/index.js'
import {ownersOf} from './owners.js'
import {loadRunwispCatalogue} from './runwisp-catalogue.js'
import {
  DEFAULT_SAMPLES,
  elisionOf,
  OTHER_SAMPLES,
  referenceRows,
  render,
  variantsOf,
  type ReferenceRow,
  type Samples,
} from './reference-table.js'

/** How a message reaches the user: bare, coloured, or behind what a logger or CLI adds to each line. */
const DRESSINGS: Array<{name: string; dress(lines: string[]): string}> = [
  {name: 'as printed', dress: (lines) => lines.join('\n')},
  {
    name: 'ANSI colours',
    dress: (lines) => lines.map((l, i) => (i === 0 ? `\u001b[1m\u001b[31m${l}\u001b[39m\u001b[22m` : `\u001b[2m${l}\u001b[0m`)).join('\n'),
  },
  {name: '`Error:` prefix', dress: (lines) => lines.map((l) => `Error: ${l}`).join('\n')},
  {name: 'ERROR badge', dress: (lines) => lines.map((l) => `\u001b[41m\u001b[97m ERROR \u001b[0m ${l}`).join('\n')},
  {name: 'timestamp and level', dress: (lines) => lines.map((l) => `2026-07-20T10:11:12.345Z ERROR ${l}`).join('\n')},
  {name: 'journald', dress: (lines) => lines.map((l) => `Jul 20 10:11:12 devbox daemon[4242]: ${l}`).join('\n')},
  {
    name: 'logfmt',
    dress: (lines) => lines.map((l) => `time=2026-07-20T10:11:12Z level=ERROR msg="${l.replace(/["\\]/g, '\\$&')}"`).join('\n'),
  },
  {name: 'cause chain', dress: (lines) => `Error: command failed\ncaused by: ${lines.join('\n')}`},
]

const rows = referenceRows()

function label(row: ReferenceRow): string {
  return `${row.file} › ${row.section} › ${row.template.join(' ⏎ ').slice(0, 110)}`
}

function check(explainer: Explainer, row: ReferenceRow, samples: Samples, dressings = DRESSINGS): void {
  for (const variant of variantsOf(row)) {
    const lines = variant.map((l) => render(l, samples, elisionOf(row)))
    const owners = ownersOf(
      row,
      variant.map((l) => render(l, DEFAULT_SAMPLES, elisionOf(row))),
      explainer.entries,
    )
    assert.ok(
      owners.length > 0,
      `no ${row.product} entry declares this message (add it to an entry's patterns, or name the row in its docs or keywords): ${lines.join(' ⏎ ')}`,
    )
    for (const dressing of dressings) {
      const text = dressing.dress(lines)
      const result = explainer.explain(text)
      const best = result.matches[0]?.symptom ?? '(no match)'
      assert.ok(
        owners.includes(best),
        `${dressing.name}: ${JSON.stringify(text)}\n  expected ${owners.join(' or ')}, got ${best} (${result.matches.map((m) => `${m.symptom} ${m.score}`).join(', ')})`,
      )
    }
  }
}

describe('explain: the generated reference table', () => {
  it('finds the messages of every reference page', () => {
    const count = (file: string) => rows.filter((r) => r.file === file).length
    // Floors, not exact counts: the pages may grow, but a parser that silently loses a section fails.
    assert.ok(count('executor-facts.md') >= 130, `executor-facts.md: ${count('executor-facts.md')} messages`)
    assert.ok(count('executor-troubleshooting.md') >= 15, `executor-troubleshooting.md: ${count('executor-troubleshooting.md')} messages`)
    assert.ok(count('runwisp-facts.md') >= 70, `runwisp-facts.md: ${count('runwisp-facts.md')} messages`)
    assert.ok(count('runwisp-troubleshooting.md') >= 20, `runwisp-troubleshooting.md: ${count('runwisp-troubleshooting.md')} rows`)
    const texts = rows.map((r) => r.template.join('\n'))
    for (const expected of [
      'Another daemon startup is already in progress for ${canonicalHost} (${scopeId}).',
      'Unknown error',
      'Invalid login state',
      'Dev server serves old code while tests pass',
      'Invalid or expired challenge',
      'A scheduled task never fires',
      'task already running, skipping (policy: skip)',
    ]) {
      assert.ok(texts.includes(expected), `the table lacks ${JSON.stringify(expected)}`)
    }
  })

  describe('Executor', () => {
    const explainer = catalogueExplainer()
    for (const row of rows.filter((r) => r.product === 'executor')) {
      it(label(row), () => {
        check(explainer, row, DEFAULT_SAMPLES)
        check(explainer, row, OTHER_SAMPLES, DRESSINGS.slice(0, 1))
      })
    }
  })

  // RUNWISP (to finish after merging the RunWisp target): these rows fail until the RunWisp
  // catalogue is registered (runwisp-catalogue.ts says why).
  describe('RunWisp', () => {
    let explainer: Explainer | null = null
    let missing: string | null = null
    before(async () => {
      missing = await loadRunwispCatalogue()
      if (missing === null) explainer = catalogueExplainer()
    })
    for (const row of rows.filter((r) => r.product === 'runwisp')) {
      it(label(row), () => {
        if (!explainer) assert.fail(missing ?? 'RunWisp catalogue missing')
        check(explainer, row, {...DEFAULT_SAMPLES, port: '9478', url: 'http://127.0.0.1:9478'})
        check(explainer, row, OTHER_SAMPLES, DRESSINGS.slice(0, 1))
      })
    }
  })
})
