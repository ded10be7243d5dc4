/**
 * RUNWISP (to finish after merging the RunWisp target): the RunWisp catalogue is written in
 * parallel (src/targets/runwisp/symptoms.ts). Once src/targets/index.ts registers the RunWisp
 * target, its entries arrive with the rest of the catalogue and this loader does nothing. Until then
 * it loads the file itself when it exists, and otherwise returns why the RunWisp rows must fail.
 */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {allSymptoms} from '../../src/catalogue.js'
import {REPO} from '../helpers/processes.js'

const FILE = join(REPO, 'src/targets/runwisp/symptoms.ts')
const registered = () => allSymptoms().some((e) => e.target === 'runwisp')

/** Returns null when RunWisp entries are registered, else the reason they are not. */
export async function loadRunwispCatalogue(): Promise<string | null> {
  if (registered()) return null
  if (!existsSync(FILE))
    return 'the RunWisp catalogue is not there yet: src/targets/runwisp/symptoms.ts does not exist (the RunWisp target issue writes it)'
  // Mocha loads these tests through tsx's CommonJS hook, so `require` reaches the same catalogue
  // module instance as the tests; `import()` is the fallback for an ESM loader.
  try {
    createRequire(import.meta.url)(FILE)
  } catch {
    await import(FILE)
  }
  return registered()
    ? null
    : 'src/targets/runwisp/symptoms.ts loaded but registered no runwisp/* entry (is it imported from src/targets/index.ts?)'
}
