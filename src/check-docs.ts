/**
 * Each check's page, docs/checks/<id>.md: what a finding's `docs` points at (`doctor checks <id>`
 * prints it), so the advice a user is pointed to is always at hand. The pages are embedded as a
 * module (scripts/embed.mjs), so a host's compiled binary carries them too.
 */
import {CHECK_PAGES} from './generated/check-pages.js'

/** docs/checks/<id>.md, relative to the package root. */
export const checkPagePath = (id: string): string => `docs/checks/${id}.md`

/** The page's text, or null when this build has no page for the check (a host's own check). */
export function readCheckPage(id: string): string | null {
  return Object.hasOwn(CHECK_PAGES, id) ? CHECK_PAGES[id]! : null
}
