/**
 * Each check's page, docs/checks/<id>.md, shipped in the package: what a finding's `docs` points
 * at (`doctor checks <id>` prints it), so the advice a user is pointed to is always at hand.
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The package root: the nearest directory above this module with doctorkit's package.json (from src/ under tsx, or dist/src/ when built). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === 'doctorkit') return dir
    const up = dirname(dir)
    if (up === dir) throw new Error('doctorkit: cannot find its own package.json above its modules')
    dir = up
  }
}

/** docs/checks/<id>.md, relative to the package root. */
export const checkPagePath = (id: string): string => `docs/checks/${id}.md`

/** The page's text, or null when this install has no page for the check. */
export function readCheckPage(id: string): string | null {
  try {
    return readFileSync(join(packageRoot(), checkPagePath(id)), 'utf8')
  } catch {
    return null
  }
}
