import {Args, Command, Flags} from '@oclif/core'
import {configFlag} from '../src/cli/flags.js'
import type {ExplainResult} from '../src/explain/index.js'

export default class Explain extends Command {
  static args = {
    text: Args.string({description: 'The error text (quote it, or pass it on stdin).', required: false}),
  }
  static summary = 'Paste an error message, get the documented fix.'
  static description = `Paste an error message, get the documented fix and the check that confirms it.

Reads the text from the arguments, or from stdin when there are none. Colours, timestamps, log levels, \`Error:\` prefixes and \`caused by:\` chains are ignored.
Exit codes: 0 a documented symptom matches, 1 nothing credible matches, 2 no text was given or doctor.config.json is bad.`
  static examples = [
    `<%= config.bin %> <%= command.id %> "Port 4788 is in use. Starting daemon on available port 47912 instead."`,
    '<%= config.bin %> <%= command.id %> the dev server keeps serving old code after a rebase',
    'tail -n 50 ~/.executor/logs/daemon.error.log | <%= config.bin %> <%= command.id %> --json',
    'tail -n 50 ~/kv/log/kv.log | <%= config.bin %> <%= command.id %> --config ops/doctor.config.json',
  ]
  static flags = {
    json: Flags.boolean({
      description:
        'Print {matches: [{symptom, target, check, title, cause, fix, score}]}, best first (and truncated: true when the text was cut at 64 KiB).',
    }),
    config: configFlag,
  }
  static strict = false

  public async run(): Promise<ExplainResult> {
    const {argv, flags} = await this.parse(Explain)
    const words = (argv as string[]).join(' ').trim()
    const text = words !== '' ? words : await readStdin()
    if (text.trim() === '') {
      this.error('Give the error text as arguments or on stdin, for example: doctor explain "Port 4788 is in use"', {exit: 2})
    }
    const [{explain, renderExplanation}, {UsageError}] = await Promise.all([
      import('../src/api/explain.js'),
      import('../src/engine/doctor.js'),
    ])
    let result: ExplainResult
    try {
      // The targets doctor.config.json declares (found as `doctor` finds it) join the catalogue.
      result = await explain(text, {config: flags.config})
    } catch (error) {
      if (error instanceof UsageError) this.error(error.message, {exit: 2, suggestions: error.suggestions})
      throw error
    }
    process.stdout.write(await renderExplanation(result, flags.json ? 'json' : 'human'))
    process.exitCode = result.matches.length > 0 ? 0 : 1
    return result
  }
}

/** stdin when it is a pipe or a file; nothing when it is a terminal (nobody is typing into us). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return ''
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
