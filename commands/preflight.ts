import {Command} from '@oclif/core'
import {checks} from '../checks/index.js'
import type {CheckDefinition} from '../src/check.js'
import {reportFlags, runFlags} from '../src/cli/flags.js'
import {runCommand} from '../src/cli/report-run.js'
import {exitOnUsageError} from '../src/cli/usage.js'
import {UsageError} from '../src/engine/doctor.js'
import type {Report} from '../src/types.js'

/**
 * What decides whether e2e can start in this checkout (executor-troubleshooting, "E2e and
 * multi-checkout port collisions", "Missing bootstrap builds", "Stale Vite caches"): the dev
 * checkout checks, then the daemon checks whose failures surface as baffling e2e errors. Ids not
 * in this build's registry are left out, so the list can name checks that land later.
 */
export const PREFLIGHT_CHECK_IDS = [
  'bootstrap-build',
  'vite-cache',
  'e2e-ports',
  'leaked-dev-servers',
  'playwright-browser',
  'port-squatter',
  'daemon-health',
  'stale-manifest',
  'stale-lock',
] as const

/** Preflight's checks that this build has, in PREFLIGHT_CHECK_IDS order (dev checkout first). */
export function preflightChecks(): CheckDefinition[] {
  return PREFLIGHT_CHECK_IDS.flatMap((id) => checks.filter((c) => c.id === id))
}

export default class Preflight extends Command {
  static summary = 'Gate an e2e run in CI on this checkout and its daemon.'
  static description = `Runs the checks that decide whether e2e can start in this checkout: ${PREFLIGHT_CHECK_IDS.join(', ')} (those this build has). Executor is checked even when no daemon state is found. Never prompts.

Formats: human, json, junit (one testcase per check result), github (annotations; a Markdown table appended to $GITHUB_STEP_SUMMARY). The default is github when GITHUB_ACTIONS=true, else human.
doctor.config.json (from the working directory up to the repository root, or --config) can skip checks, suppress a check or symptom with a reason and an expiry date, set per-check timeouts and add ports to watch. See docs/preflight.md.
Exit codes: 0 nothing failed, 1 a check failed or could not decide, a suppression expired (or a check warned, with --strict), 2 the doctor could not run or was used wrongly (bad flag, bad config).`
  static examples = [
    '<%= config.bin %> preflight',
    '<%= config.bin %> preflight --format junit --output reports/preflight.xml',
    '<%= config.bin %> preflight --config ci/doctor.config.json --strict',
  ]
  static flags = {...runFlags, ...reportFlags}

  public async run(): Promise<Report | undefined> {
    const {flags} = await this.parse(Preflight)
    return exitOnUsageError(this, async () => {
      const pool = preflightChecks()
      const outside = [...(flags.only ?? [])]
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((id) => id && checks.some((c) => c.id === id) && !pool.some((c) => c.id === id))
      if (outside.length > 0)
        throw new UsageError(`--only ${outside.join(', ')}: not a preflight check`, [
          `preflight runs ${pool.map((c) => c.id).join(', ')}; use \`doctor --only …\` for the others`,
        ])
      return await runCommand(flags, {
        name: 'doctor preflight',
        argv: this.argv,
        cwd: process.cwd(),
        env: process.env,
        checks: pool,
        defaultTargets: ['executor'],
      })
    })
  }
}
