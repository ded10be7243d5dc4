import {Command} from '@oclif/core'
import {finishRun, prepareRun, reportFlags, wantsLiveView} from '../src/cli/report-run.js'
import {runFlags, toRunOptions} from '../src/cli/run-flags.js'
import {runDoctor, UsageError} from '../src/engine/doctor.js'
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
  static examples = ['<%= config.bin %>', '<%= config.bin %> --json', '<%= config.bin %> --only daemon-health,port-squatter', '<%= config.bin %> --target executor --strict', '<%= config.bin %> --format junit --output report.xml', '<%= config.bin %> --fix --dry-run', '<%= config.bin %> --fix']
  static flags = {...runFlags, ...reportFlags, ...fixFlags}
  static hidden = true
  static usage = "[FLAGS]"

  public async run(): Promise<Report | undefined> {
    const {flags} = await this.parse(Doctor)
    try {
      if (flags.fix || flags['dry-run'] || flags.yes) {
        // Repairs report in human or JSON form only: a CI format has no place for consent or undo.
        if (flags.format && flags.format !== 'human' && flags.format !== 'json') throw new UsageError(`--format ${flags.format} does not apply to --fix`, ['use --json, or run the diagnosis without --fix'])
        const json = flags.json || flags.format === 'json'
        return await runDoctorWithFix({flags: {...flags, json}, options: toRunOptions(flags), argv: this.argv, startView: (planned) => this.startView(planned), viewDone: () => this.view?.done})
      }
      const run = await prepareRun(flags, {cwd: process.cwd(), env: process.env})
      const raw = await runDoctor({
        ...run.init,
        onPlan: wantsLiveView(run.format) ? (planned) => this.startView(planned) : undefined,
      })
      await this.view?.done
      const {report, exitCode} = await finishRun(run, raw, flags, {name: 'doctor', env: process.env})
      process.exitCode = exitCode
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
