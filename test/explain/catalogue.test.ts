/**
 * The catalogue holds together: every symptom a check declares exists (and names that check),
 * every entry's `check` is a check id of DESIGN.md's public list, and every pattern compiles.
 */
import {strict as assert} from 'node:assert'
import {checks} from '../../checks/index.js'
import {allSymptoms, symptom} from '../../src/catalogue.js'
import {compilePattern} from '../../src/explain/index.js'
// DESIGN.md "Check ids (the public contract; add more, never rename)", committed with the reference table.
import {designCheckIds} from './reference-table.js'

describe('explain: the catalogue', () => {
  it('every symptom a check declares is a catalogue entry of that check', () => {
    assert.ok(checks.length > 0)
    for (const check of checks) {
      assert.ok(check.symptoms.length > 0, `${check.id} declares no symptom`)
      for (const id of check.symptoms) {
        const entry = symptom(id)
        assert.equal(entry.check, check.id, `${id} is declared by check ${check.id} but names ${entry.check ?? 'no check'}`)
      }
    }
  })

  it("every entry's check is one of DESIGN.md's check ids", () => {
    const ids = designCheckIds()
    assert.ok(ids.has('daemon-health') && ids.has('vite-cache'), `parsed ids: ${[...ids].join(', ')}`)
    for (const entry of allSymptoms()) {
      if (entry.check !== undefined)
        assert.ok(ids.has(entry.check), `${entry.id} names check ${entry.check}, which DESIGN.md does not list`)
    }
  })

  it('every entry has what explain prints, and every pattern compiles to a matcher of its own text', () => {
    for (const entry of allSymptoms()) {
      for (const field of ['title', 'cause'] as const) assert.ok(entry[field].trim().length > 0, `${entry.id} has no ${field}`)
      assert.ok(entry.check !== undefined || (entry.docs ?? '').trim().length > 0, `${entry.id} has nothing to point the user at`)
      assert.ok(entry.fix.summary.trim().length > 0, `${entry.id} has no fix`)
      for (const source of entry.patterns ?? []) {
        const p = compilePattern(source)
        // The pattern with its placeholders filled by plain values must match itself.
        const sample = source.replace(/\$\{[^}]*\}/g, '12345').replace(/%[sdqvw]/g, '12345')
        assert.ok(
          p.regex.test(sample),
          `${entry.id}: ${JSON.stringify(source)} does not match ${JSON.stringify(sample)} (${p.regex.source})`,
        )
      }
    }
  })

  it('every Executor entry has patterns or keywords, so explain can reach it', () => {
    for (const entry of allSymptoms().filter((e) => e.target === 'executor')) {
      assert.ok(
        (entry.patterns?.length ?? 0) + (entry.keywords?.length ?? 0) > 0 || entry.check !== undefined,
        `${entry.id} cannot be reached`,
      )
    }
  })
})
