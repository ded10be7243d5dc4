import {Args, Command, Flags} from '@oclif/core'
import {configFlag} from '../src/cli/flags.js'
import {exitOnUsageError} from '../src/cli/usage.js'
import {configFor} from '../src/config/load.js'
import type {ExplainMatch, ExplainResult} from '../src/explain/index.js'

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
    const [{catalogueExplainer, MAX_INPUT_CHARS}, {declaredTargets}] = await Promise.all([
      import('../src/explain/index.js'),
      import('../src/targets/declared/target.js'),
    ])
    // The targets the config declares join the catalogue, so a line their daemons print is explained by their declared symptoms.
    const config = await exitOnUsageError(this, () => configFor({cwd: process.cwd(), env: process.env, explicit: flags.config}))
    declaredTargets(config?.config.targets ?? [])
    const result = catalogueExplainer().explain(text)
    // `truncated` only when the text was cut, so the usual answer keeps its shape.
    if (flags.json)
      process.stdout.write(
        JSON.stringify({matches: result.matches, ...(result.truncated ? {truncated: true, readChars: MAX_INPUT_CHARS} : {})}, null, 2) +
          '\n',
      )
    else process.stdout.write(await formatExplanation(result, MAX_INPUT_CHARS))
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

async function formatExplanation(result: ExplainResult, cap: number): Promise<string> {
  const {default: chalk} = await import('chalk')
  const cut = `(the text is longer than ${cap / 1024} KiB: only its first ${cap / 1024} KiB were read; paste the lines around the error instead)`
  if (result.matches.length === 0) {
    return [
      'No documented symptom matches this text.',
      '  Run `doctor` to check this machine, or `doctor bundle` to attach the details to a bug report.',
      ...(result.truncated ? [chalk.gray(cut)] : []),
      '',
    ].join('\n')
  }
  const out: string[] = []
  const [best, ...others] = result.matches
  const how = result.via === 'description' ? 'closest description' : 'matches the message'
  out.push(...formatMatch(best!, chalk, `${how}, score ${best!.score}`))
  if (others.length > 0) {
    out.push(chalk.bold('Also possible:'), '')
    for (const m of others) out.push(...formatMatch(m, chalk, `score ${m.score}`).map((l) => (l === '' ? l : `  ${l}`)))
  }
  if (result.truncated) out.push(chalk.gray(cut), '')
  return out.join('\n')
}

function formatMatch(m: ExplainMatch, chalk: typeof import('chalk').default, note: string): string[] {
  const lines = [`${chalk.bold(m.title)}`, chalk.gray(`  ${m.symptom} (${note})`), `  cause: ${m.cause}`, `  fix: ${m.fix.summary}`]
  for (const c of m.fix.commands) lines.push(chalk.cyan(`    $ ${c}`))
  lines.push(
    m.check
      ? `  confirm: ${chalk.cyan(`doctor --only ${m.check} --target ${m.target}`)}`
      : chalk.gray('  confirm: no check detects this; the fix above is the documented one'),
  )
  lines.push(chalk.gray(`  docs: ${m.fix.docs}`), '')
  return lines
}
