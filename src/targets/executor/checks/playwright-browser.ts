import {join} from 'node:path'
import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {Finding} from '../../../types.js'
import {browsersLocation, findPlaywrightCore, INSTALLED_MARKER} from '../dev/playwright.js'
import {isCheckout, requireCheckout} from '../dev/require.js'

export const executorPlaywrightBrowser: TargetCheck = {
  symptoms: ['executor/playwright-chromium-missing'],
  async detect(ctx, _target) {
    const checkout = await requireCheckout(ctx)
    if (!isCheckout(checkout)) return checkout
    const {root} = checkout
    const core = await findPlaywrightCore(ctx, root)
    if (core && 'invalid' in core) throw new Undetermined(core.invalid)
    const location = browsersLocation(ctx, core?.dir ?? null)
    const base = {
      root,
      browsersDir: location.dir,
      browsersDirSource: location.source,
      playwrightCore: core?.dir ?? null,
      playwrightVersion: core?.version ?? null,
    }
    const listing = await ctx.files.readdir(location.dir)
    if (!listing.ok && listing.code !== 'ENOENT' && listing.code !== 'ENOTDIR')
      throw new Undetermined(`cannot list ${location.dir} (${listing.code}): ${listing.message}`)
    const present = listing.ok ? listing.names : []
    const findings: Finding[] = []
    const expected = core && core.builds.length > 0 ? core.builds : null
    if (!expected) {
      // No playwright-core to ask (bootstrap's install did not run): any complete Chromium will do.
      const any = present.filter((n) => /^chromium-\d+$/.test(n))
      for (const folder of any) if ((await ctx.files.stat(join(location.dir, folder, INSTALLED_MARKER))).ok) return []
      const problem = !listing.ok
        ? `${location.dir} does not exist`
        : any.length === 0
          ? 'it holds no chromium-<revision> folder'
          : `${any.join(', ')} ${any.length === 1 ? 'has' : 'have'} no ${INSTALLED_MARKER} marker (an interrupted download)`
      findings.push(
        finding('executor/playwright-chromium-missing', {
          vars: {expected: 'Chromium', dir: location.dir, source: location.source, problem, root},
          evidence: {...base, present},
        }),
      )
      return findings
    }
    for (const build of expected) {
      const folder = join(location.dir, build.folder)
      const stat = await ctx.files.stat(folder)
      let problem: string | null = null
      if (!stat.ok || !stat.stat.isDirectory()) {
        const others = present.filter((n) => n.startsWith(`${build.folder.split('-')[0]}-`))
        problem = `there is no ${build.folder} folder${others.length > 0 ? ` (only ${others.join(', ')}, for another Playwright version)` : ''}`
      } else if (!(await ctx.files.stat(join(folder, INSTALLED_MARKER))).ok) {
        problem = `${build.folder} has no ${INSTALLED_MARKER} marker, so its download was interrupted`
      }
      if (!problem) continue
      const label = `${build.name} ${build.revision}${core?.version ? ` (for Playwright ${core.version})` : ''}`
      findings.push(
        finding('executor/playwright-chromium-missing', {
          vars: {expected: label, dir: location.dir, source: location.source, problem, root},
          evidence: {...base, expectedFolder: build.folder, present},
        }),
      )
    }
    return findings
  },
}
