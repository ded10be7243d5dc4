/**
 * Executor's own documentation, as a user can open it. The troubleshooting page the catalogue's
 * advice comes from is published there (executor-troubleshooting.md, "Human docs"), so a
 * finding can point at its section by name.
 */
import {productDocs} from '../../catalogue.js'

const URL = 'https://grok-wiki.com/public/docs/rhyssullivan-executor-564383868052'

/** A section of Executor's troubleshooting page. */
export const troubleshooting = (section: string): string => productDocs('Executor', URL, `Troubleshooting › ${section}`)

/** Executor's documentation, for a message its troubleshooting page does not cover. */
export const DOCS_HOME = productDocs('Executor', URL)
