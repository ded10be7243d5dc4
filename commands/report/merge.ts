import {Args, Command, Flags} from '@oclif/core'

export default class ReportMerge extends Command {
  static summary = "Merge many hosts' JSON reports into one fleet view."
  static description = `Reads the reports of \`doctor --json\` (or \`doctor preflight --json\`) from many hosts and prints which hosts fail or warn on which checks, the symptoms most hosts share with their fix, and the hosts that could not be judged (a check that could not decide, or nothing to check).

A report's host is its "host" field, or, in reports without one, the name of the directory the file is in: the layout of Ansible's fetch (<dest>/<inventory_hostname>/…). See docs/fleet.md.
Exit codes: 0 no host failed or could not decide (or warned, with --strict), 1 some did, 2 a report could not be read or used (each file is named with its problem; nothing is merged), or two reports name one host.`
  static examples = [
    '<%= config.bin %> report merge reports/*/doctor.json',
    '<%= config.bin %> report merge --format markdown reports/*/doctor.json > fleet.md',
    "<%= config.bin %> report merge --json reports/*/doctor.json | jq '.checks'",
  ]
  static args = {
    reports: Args.string({description: 'JSON report files (one per host).', required: false}),
  }
  static strict = false
  static flags = {
    format: Flags.string({
      description: 'human (default), markdown (for an issue or a wiki) or json.',
      options: ['human', 'markdown', 'json'],
    }),
    json: Flags.boolean({description: 'Short for --format json.'}),
    output: Flags.string({char: 'o', description: 'Write the fleet view to this file instead of stdout.'}),
    strict: Flags.boolean({description: 'Exit 1 when a host warns, too.'}),
  }

  public async run(): Promise<void> {
    const {argv, flags} = await this.parse(ReportMerge)
    if (flags.json && flags.format && flags.format !== 'json')
      this.error(`--json and --format ${flags.format} ask for two different views`, {
        exit: 2,
        suggestions: ['--json is short for --format json; pass only one of them'],
      })
    const {runMerge} = await import('../../src/fleet/command.js')
    process.exitCode = await runMerge({
      files: argv as string[],
      cwd: process.cwd(),
      format: flags.json ? 'json' : flags.format,
      output: flags.output,
      strict: flags.strict,
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    })
  }
}
