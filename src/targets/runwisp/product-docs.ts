/**
 * RunWisp's own documentation, as a user can open it: the site its service unit names
 * (`Documentation=`, runwisp-facts.md §8.1), whose troubleshooting page the catalogue's advice
 * comes from (runwisp-troubleshooting.md).
 */
import {productDocs} from '../../catalogue.js'

const URL = 'https://docs.runwisp.com/'

/** A section of RunWisp's troubleshooting page. */
export const troubleshooting = (section: string): string => productDocs('RunWisp', URL, `Troubleshooting › ${section}`)

/** RunWisp's documentation, for a message its troubleshooting page does not cover. */
export const DOCS_HOME = productDocs('RunWisp', URL)
