/**
 * `explain`: pasted error text → the documented symptoms that account for it, best first, over the
 * built-in catalogue, the targets doctor.config.json declares and the targets a host defined.
 * `renderExplanation` prints it as `doctor explain` does.
 */
import {homedir} from 'node:os'
import type {ExplainMatch, ExplainResult} from '../explain/index.js'
import {knownSecretsOf} from '../bundle/known-secrets.js'
import {createContext} from '../context.js'
import {OutputSafety} from '../report/safety.js'
import {declaredTargets} from '../targets/declared/target.js'
import type {TargetProfile} from '../targets/profile.js'
import {loadRunConfig, type ConfigSource} from './config.js'
import {definitionOf, type DoctorTarget} from './targets.js'

export interface ExplainOptions {
  cwd?: string
  env?: Readonly<Record<string, string | undefined>>
  home?: string
  /** doctor.config.json (path, object or null), as for runDoctor: its declared symptoms are explained too. */
  config?: ConfigSource
  /** Targets a host defined: their symptoms are explained too. */
  targets?: readonly DoctorTarget[]
}

/** Throws UsageError (exit 2) for a bad config. An empty text matches nothing. */
export async function explain(text: string, options: ExplainOptions = {}): Promise<ExplainResult> {
  const env = options.env ?? process.env
  const loaded = await loadRunConfig({
    cwd: options.cwd ?? process.cwd(),
    env,
    home: options.home ?? env.HOME ?? homedir(),
    config: options.config,
    extraChecks: (options.targets ?? []).flatMap((t) => t.checks),
    hostTargets: (options.targets ?? []).map((t) => t.profile),
  })
  // Making the definitions registers their symptoms in the catalogue the explainer is built from;
  // the explainer answers for these targets (and the built-ins) only, not for any declared before.
  const declared = declaredTargets(loaded?.config.targets ?? [])
  const hosted = (options.targets ?? []).map(definitionOf)
  const {catalogueExplainer} = await import('../explain/index.js')
  const raw = catalogueExplainer([...declared, ...hosted].map((t) => t.id)).explain(text)
  // What explain answers holds values read from the pasted text (a path, a port, a command line):
  // it goes through the report's output-safety step, redacted of this machine's known secrets.
  const safety = new OutputSafety(
    await secretsOf(
      {...options, env},
      [...declared, ...hosted].flatMap((t) => (t.profile ? [t.profile] : [])),
    ),
  )
  const result = safety.value(raw)
  safeties.set(result, safety)
  return result
}

/** The output-safety step each result was made with, for renderExplanation to apply again. */
const safeties = new WeakMap<ExplainResult, OutputSafety>()

/** The secrets this machine holds, as the report learns them; none when they cannot be read. */
async function secretsOf(options: ExplainOptions & {env: Readonly<Record<string, string | undefined>>}, profiles: TargetProfile[]) {
  const ctx = createContext({
    env: {...options.env},
    cwd: options.cwd ?? process.cwd(),
    home: options.home ?? options.env.HOME ?? homedir(),
  })
  try {
    return await knownSecretsOf(ctx, profiles)
  } catch {
    return []
  } finally {
    await ctx.close()
  }
}

export interface RenderExplanationOptions {
  /** How the user runs the doctor, in the "confirm:" hint; default "doctor" (a host: "acme doctor"). */
  command?: string
}

/** `doctor explain` (human) or `doctor explain --json`. */
export async function renderExplanation(
  result: ExplainResult,
  format: 'human' | 'json' = 'human',
  options: RenderExplanationOptions = {},
): Promise<string> {
  const {MAX_INPUT_CHARS} = await import('../explain/index.js')
  // A result read back from JSON or built by hand still gets the pattern redaction and the control neutralising.
  result = (safeties.get(result) ?? new OutputSafety()).value(result)
  if (format === 'json')
    return (
      JSON.stringify({matches: result.matches, ...(result.truncated ? {truncated: true, readChars: MAX_INPUT_CHARS} : {})}, null, 2) + '\n'
    )
  return formatExplanation(result, MAX_INPUT_CHARS, options.command ?? 'doctor')
}

async function formatExplanation(result: ExplainResult, cap: number, command: string): Promise<string> {
  const {default: chalk} = await import('chalk')
  const cut = `(the text is longer than ${cap / 1024} KiB: only its first ${cap / 1024} KiB were read; paste the lines around the error instead)`
  if (result.matches.length === 0) {
    return [
      'No documented symptom matches this text.',
      `  Run \`${command}\` to check this machine, or \`${command} bundle\` to attach the details to a bug report.`,
      ...(result.truncated ? [chalk.gray(cut)] : []),
      '',
    ].join('\n')
  }
  const out: string[] = []
  const [best, ...others] = result.matches
  const how = result.via === 'description' ? 'closest description' : 'matches the message'
  out.push(...formatMatch(best!, chalk, `${how}, score ${best!.score}`, command))
  if (others.length > 0) {
    out.push(chalk.bold('Also possible:'), '')
    for (const m of others) out.push(...formatMatch(m, chalk, `score ${m.score}`, command).map((l) => (l === '' ? l : `  ${l}`)))
  }
  if (result.truncated) out.push(chalk.gray(cut), '')
  return out.join('\n')
}

function formatMatch(m: ExplainMatch, chalk: typeof import('chalk').default, note: string, command: string): string[] {
  const lines = [`${chalk.bold(m.title)}`, chalk.gray(`  ${m.symptom} (${note})`), `  cause: ${m.cause}`, `  fix: ${m.fix.summary}`]
  for (const c of m.fix.commands) lines.push(chalk.cyan(`    $ ${c}`))
  lines.push(
    m.check
      ? `  confirm: ${chalk.cyan(`${command} --only ${m.check} --target ${m.target}`)}`
      : chalk.gray('  confirm: no check detects this; the fix above is the documented one'),
  )
  lines.push(chalk.gray(`  docs: ${m.fix.docs}`), '')
  return lines
}
