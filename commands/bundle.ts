import {Command, Flags} from '@oclif/core'
import {configFlag, runFlags} from '../src/cli/flags.js'
import {toRunOptions} from '../src/cli/run-flags.js'
import {UsageError} from '../src/engine/doctor.js'
import {DEFAULT_BUNDLE_OPTIONS} from '../src/bundle/options.js'

export default class Bundle extends Command {
  static summary = 'Write a redacted diagnostics bundle for a bug report.'
  static description = `Write a redacted diagnostics bundle (.tar.gz) for a bug report.

It holds the doctor's JSON report, environment facts, redacted copies of the products' manifests, records, configs and service units, bounded tails of their logs, the relevant processes and listening ports, a manifest.json (sha256, size, source and redactions of every file) and a report.md to paste into an issue. Secret files are described, never copied. Secrets this machine knows are replaced wherever they appear (also base64 and URL-encoded), then secret-shaped values, then the home dir, user and host names.

The archive is mode 0600 and appears whole or not at all. Check it with \`doctor bundle verify FILE\`.`
  static examples = [
    '<%= config.bin %> bundle',
    '<%= config.bin %> bundle --list',
    '<%= config.bin %> bundle --output issue-123.tar.gz --log-lines 500',
    '<%= config.bin %> bundle verify issue-123.tar.gz',
  ]
  static flags = {
    output: Flags.string({char: 'o', description: 'Where to write the bundle (default ./doctorkit-bundle-<timestamp>.tar.gz).'}),
    list: Flags.boolean({description: 'Print every file the bundle would hold, with its source and size, and write nothing.'}),
    force: Flags.boolean({description: 'Replace --output if it exists.'}),
    'log-bytes': Flags.string({description: 'Keep at most this much of the end of each log ("1MiB", "256k", bytes).', default: '1MiB'}),
    'log-lines': Flags.integer({
      description: 'Keep at most this many lines of the end of each log.',
      default: DEFAULT_BUNDLE_OPTIONS.maxLogLines,
      min: 1,
    }),
    'run-logs': Flags.integer({
      description: 'How many of the most recent RunWisp run logs to include.',
      default: DEFAULT_BUNDLE_OPTIONS.runLogs,
      min: 0,
    }),
    timeout: runFlags.timeout,
    config: configFlag,
    'executor-data-dir': runFlags['executor-data-dir'],
    'executor-port': runFlags['executor-port'],
    'runwisp-data-dir': runFlags['runwisp-data-dir'],
    'runwisp-config': runFlags['runwisp-config'],
    'runwisp-port': runFlags['runwisp-port'],
    set: runFlags.set,
  }

  public async run(): Promise<void> {
    const {flags} = await this.parse(Bundle)
    const {createBundle, BundleError} = await import('../src/api/bundle.js')
    try {
      // The same flags mean the same thing as for `doctor`: they reach the checks and the sources through ctx.options.
      const result = await createBundle(
        {
          output: flags.output,
          overwrite: flags.force,
          list: flags.list,
          logBytes: flags['log-bytes'],
          logLines: flags['log-lines'],
          runLogs: flags['run-logs'],
          config: flags.config,
          ...(flags.set ? {set: flags.set} : {}),
        },
        toRunOptions(flags),
      )
      process.stdout.write(result.text)
    } catch (error) {
      if (error instanceof UsageError) this.error(error.message, {exit: 2, suggestions: error.suggestions})
      if (!(error instanceof BundleError)) throw error
      process.stderr.write(`Error: ${error.message}\n`)
      process.exitCode = error.exitCode
    }
  }
}
