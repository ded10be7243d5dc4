/**
 * `doctor explain` over the catalogue: the built-in targets' entries and the run's declared
 * targets'. Loading the targets registers every built-in entry; an explainer is compiled on first
 * use and reused until the catalogue changes.
 */
import {allSymptoms, catalogueGeneration} from '../catalogue.js'
import {TARGET_IDS, type TargetId} from '../types.js'
import '../targets/index.js'
import {Explainer} from './explain.js'

export {Explainer, CREDIBILITY, type ExplainMatch, type ExplainResult, type ExplainOptions} from './explain.js'
export {MAX_INPUT_CHARS, normalise, stripAnsi} from './normalise.js'
export {compilePattern} from './patterns.js'

/** Explainers by the declared targets they cover, for the catalogue as it was when they were built. */
let built: {generation: number; byTargets: Map<string, Explainer>} = {generation: -1, byTargets: new Map()}

/**
 * The explainer for the built-in targets' entries and those of the declared targets named: the
 * targets of this run (its config's, its host's). A target declared by another run in the same
 * process (a config read before, a test file before) is not among its answers, so what explain
 * says does not depend on what ran earlier. Rebuilt when the catalogue changed since.
 */
export function catalogueExplainer(declared: readonly TargetId[] = []): Explainer {
  if (built.generation !== catalogueGeneration()) built = {generation: catalogueGeneration(), byTargets: new Map()}
  const wanted = new Set<string>([...TARGET_IDS, ...declared])
  const key = [...wanted].sort().join(',')
  let explainer = built.byTargets.get(key)
  if (!explainer) {
    explainer = new Explainer(allSymptoms().filter((e) => wanted.has(e.target)))
    built.byTargets.set(key, explainer)
  }
  return explainer
}
