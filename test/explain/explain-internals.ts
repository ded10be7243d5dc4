// What the explain tests reach into: the public module plus the input bound.
export {catalogueExplainer, compilePattern, normalise} from '../../src/explain/index.js'
export {MAX_INPUT_CHARS as MAX_INPUT_CHARS_FOR_TESTS} from '../../src/explain/normalise.js'
