/**
 * The explain corpus (data/corpus.json): the released CLI's messages and systemd and RunWisp lines
 * in the log formats users paste, and negatives that must match nothing. The test prints the score
 * and holds the floor: every positive ranked to its entry, no negative answered.
 */
import {strict as assert} from 'node:assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {catalogueExplainer} from '../../src/explain/index.js'
import {REPO} from '../helpers/processes.js'

interface Corpus {
  positives: Array<{text: string; expect: string; format: string; source: string}>
  negatives: Array<{text: string}>
}

export const CORPUS = JSON.parse(readFileSync(join(REPO, 'test/explain/data/corpus.json'), 'utf8')) as Corpus

/** Scores the corpus: positives ranked to their entry, negatives that got an answer. */
export function scoreCorpus(explain: (text: string) => string | undefined = (t) => catalogueExplainer().explain(t).matches[0]?.symptom) {
  const missed = CORPUS.positives.filter((p) => explain(p.text) !== p.expect)
  const falsePositives = CORPUS.negatives.filter((n) => explain(n.text) !== undefined)
  return {
    positives: CORPUS.positives.length,
    hit: CORPUS.positives.length - missed.length,
    missed,
    negatives: CORPUS.negatives.length,
    falsePositives,
  }
}

describe('explain: the corpus', () => {
  it('ranks every positive to its entry and answers no negative (score printed)', () => {
    const explainer = catalogueExplainer()
    const s = scoreCorpus((t) => explainer.explain(t).matches[0]?.symptom)
    console.log(
      `      corpus: ${s.hit}/${s.positives} positives (${((100 * s.hit) / s.positives).toFixed(1)}%), ${s.falsePositives.length}/${s.negatives} false positives`,
    )
    assert.ok(s.positives >= 300 && s.negatives >= 20, 'the corpus lost its cases')
    assert.deepEqual(
      s.missed.map(
        (m) =>
          `${m.format}: ${JSON.stringify(m.text.slice(0, 100))} → ${explainer.explain(m.text).matches[0]?.symptom ?? 'nothing'}, expected ${m.expect}`,
      ),
      [],
    )
    assert.deepEqual(
      s.falsePositives.map((n) => `${JSON.stringify(n.text.slice(0, 100))} → ${explainer.explain(n.text).matches[0]?.symptom}`),
      [],
    )
  })
})
