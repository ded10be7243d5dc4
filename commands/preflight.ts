import {Command} from '@oclif/core'
import {PREFLIGHT_CHECK_IDS, preflightSetup} from '../src/api/preflight.js'
import {reportFlags, runFlags} from '../src/cli/flags.js'
import {runCommand} from '../src/cli/report-run.js'
import {exitOnUsageError} from '../src/cli/usage.js'
import type {Report} from '../src/types.js'

// The set and its --only rule are the library's (src/api/preflight.ts): a host's runPreflight runs the same.
export {PREFLIGHT_CHECK_IDS, preflightChecks} from '../src/api/preflight.js'

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
      return await runCommand(flags, preflightSetup(flags.only ?? [], {argv: this.argv, cwd: process.cwd(), env: process.env}))
    })
  }
}
