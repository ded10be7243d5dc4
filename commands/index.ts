import {Command} from '@oclif/core'
import {fixFlags, reportFlags, runFlags} from '../src/cli/flags.js'
import {runRoot} from '../src/cli/root-run.js'
import {UsageError} from '../src/engine/doctor.js'
import type {Report} from '../src/types.js'

export default class Doctor extends Command {
  static description = `Find what is wrong with the local daemons and dev environments doctorkit knows (Executor, RunWisp), and say exactly how to fix it.

Progress goes to stderr; the report goes to stdout (--json: one JSON document).
Exit codes: 0 nothing failed, 1 a check failed or could not decide (or warned, with --strict), 2 the doctor could not run or was used wrongly.

Other commands:
  doctor checks     list every check
  doctor undo       revert the last --fix (doctor undo --list shows the runs)
  doctor explain    paste an error message, get the documented fix
  doctor bundle     write a redacted diagnostics bundle for a bug report
  doctor preflight  gate an e2e run in CI`
  static examples = ['<%= config.bin %>', '<%= config.bin %> --json', '<%= config.bin %> --only daemon-health,port-squatter', '<%= config.bin %> --target executor --strict', '<%= config.bin %> --format junit --output report.xml', '<%= config.bin %> --fix --dry-run', '<%= config.bin %> --fix']
  static flags = {...runFlags, ...reportFlags, ...fixFlags}
  static hidden = true
  static usage = "[FLAGS]"

  public async run(): Promise<Report | undefined> {
    const {flags} = await this.parse(Doctor)
    try {
      return await runRoot(flags, this.argv)
    } catch (error) {
      if (error instanceof UsageError) this.error(error.message, {exit: 2, suggestions: error.suggestions})
      throw error
    }
  }
}
