import {Command} from '@oclif/core'
import {runFlags, toRunOptions} from '../src/cli/run-flags.js'
import {exitCodeFor, runDoctor, UsageError} from '../src/engine/doctor.js'
import {fixFlags, runDoctorWithFix} from '../src/fix/cli.js'
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
  static examples = ['<%= config.bin %>', '<%= config.bin %> --json', '<%= config.bin %> --only daemon-health,port-squatter', '<%= config.bin %> --target executor --strict', '<%= config.bin %> --fix --dry-run', '<%= config.bin %> --fix']
  static flags = {...runFlags, ...fixFlags}
  static hidden = true
  static usage = "[FLAGS]"

  public async run(): Promise<Report | undefined> {
    const {flags} = await this.parse(Doctor)
    try {
      const options = toRunOptions(flags)
      const json = flags.json
      if (flags.fix || flags['dry-run'] || flags.yes) {
        return await runDoctorWithFix({flags, options, argv: this.argv, startView: (planned) => this.startView(planned), viewDone: () => this.view?.done})
      }
      const report = await runDoctor({
        options,
        verbose: flags.verbose,
        onPlan: json ? undefined : (planned) => this.startView(planned),
      })
      await this.view?.done
      if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
      else {
        const [{formatHuman}, {default: chalk}] = await Promise.all([import('../src/report/human.js'), import('chalk')])
        process.stdout.write(formatHuman(report, {verbose: flags.verbose, chalk}))
      }
      process.exitCode = exitCodeFor(report, flags.strict)
      return report
    } catch (error) {
      if (error instanceof UsageError) this.error(error.message, {exit: 2, suggestions: error.suggestions})
      throw error
    }
  }

  private view?: {done: Promise<void>}

  private startView(planned: Parameters<typeof import('../src/report/listr-view.js').createListrView>[0]) {
    if (planned.length === 0) return
    const pending = import('../src/report/listr-view.js').then((m) => m.createListrView(planned, process.env))
    const hooks = {
      onEnd: (...args: Parameters<NonNullable<import('../src/engine/run-checks.js').RunHooks['onEnd']>>) => void pending.then((v) => v.hooks.onEnd?.(...args)),
    }
    this.view = {done: pending.then((v) => v.done)}
    return hooks
  }
}
