/**
 * `doctor explain` over the whole catalogue. Loading the targets registers every entry; the
 * explainer is compiled once, on first use, and reused.
 */
import {allSymptoms} from '../catalogue.js'
import '../targets/index.js'
import {Explainer} from './explain.js'

export {Explainer, CREDIBILITY, type ExplainMatch, type ExplainResult, type ExplainOptions} from './explain.js'
export {MAX_INPUT_CHARS, normalise, stripAnsi} from './normalise.js'
export {compilePattern} from './patterns.js'

let shared: {explainer: Explainer; size: number} | null = null

/** The explainer for every registered entry; rebuilt if entries were registered since (tests, plugins). */
export function catalogueExplainer(): Explainer {
  const entries = allSymptoms()
  if (!shared || shared.size !== entries.length) shared = {explainer: new Explainer(entries), size: entries.length}
  return shared.explainer
}
