import {Command} from '@oclif/core'
import {fixFlags, reportFlags, runFlags} from '../src/cli/flags.js'
import {runRoot} from '../src/cli/root-run.js'
import {exitOnUsageError} from '../src/cli/usage.js'
import type {Report} from '../src/types.js'

export default class Doctor extends Command {
  static summary =
    'Find what is wrong with the local daemons and dev environments doctorkit knows (Executor, RunWisp), and say exactly how to fix it.'
  static description = `Runs every check that applies here.

Progress goes to stderr; the report goes to stdout (--json: one JSON document).
Exit codes: 0 nothing failed, 1 a check failed or could not decide (or warned, with --strict), 2 the doctor could not run or was used wrongly.`
  static examples = [
    '<%= config.bin %>',
    '<%= config.bin %> --json',
    '<%= config.bin %> --only daemon-health,port-squatter',
    '<%= config.bin %> --target executor --strict',
    '<%= config.bin %> --format junit --output report.xml',
    '<%= config.bin %> --fix --dry-run',
    '<%= config.bin %> --fix',
  ]
  static flags = {...runFlags, ...reportFlags, ...fixFlags}
  static hidden = true
  static usage = '[FLAGS]'

  public async run(): Promise<Report | undefined> {
    const {flags} = await this.parse(Doctor)
    return exitOnUsageError(this, () => runRoot(flags, this.argv))
  }
}
