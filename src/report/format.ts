/**
 * Choosing and producing the report's format. `--format` wins; `--json` is its shorthand; with
 * neither, GitHub Actions gets `github` and everything else `human`. Renderers load lazily, so a
 * JSON run never loads chalk and a human run never loads the CI formats.
 */
import {promises as fsp} from 'node:fs'
import {UsageError} from '../engine/doctor.js'
import {openDestination, OutputError, type Destination} from '../output/destination.js'
import type {Report} from '../types.js'
import {OutputSafety} from './safety.js'

export const FORMATS = ['human', 'json', 'junit', 'github', 'prometheus'] as const
export type Format = (typeof FORMATS)[number]

export function resolveFormat(flags: {format?: string; json?: boolean}, env: Readonly<Record<string, string | undefined>>): Format {
  if (flags.format !== undefined && !(FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format "${flags.format}" is not a format`, [`use one of ${FORMATS.join(', ')}`])
  }
  if (flags.json && flags.format !== undefined && flags.format !== 'json') {
    throw new UsageError(`--json and --format ${flags.format} ask for two different reports`, [
      '--json is short for --format json; pass only one of them',
    ])
  }
  if (flags.json) return 'json'
  if (flags.format) return flags.format as Format
  return env.GITHUB_ACTIONS === 'true' ? 'github' : 'human'
}

export interface RenderOptions {
  /** Name of the run, shown in CI views (`doctor`, `doctor preflight`). */
  name: string
  strict: boolean
  verbose: boolean
  /** $GITHUB_WORKSPACE, to point annotations at the config file. */
  workspace?: string
  /** The run's time budget (`--timeout`), for the Prometheus format's `doctorkit_run_completed`. */
  budgetMs?: number
  /** The output-safety step with this machine's known secrets; without one, patterns and controls only. */
  safety?: OutputSafety
}

/** Every format renders the report as the output-safety step left it: no renderer sees raw machine text. */
export async function renderReport(raw: Report, format: Format, options: RenderOptions): Promise<string> {
  const report = (options.safety ?? new OutputSafety()).value(raw)
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n'
    case 'junit':
      return (await import('./junit.js')).formatJunit(report, options)
    case 'github':
      return (await import('./github.js')).formatGithub(report, options)
    case 'prometheus':
      return (await import('./prometheus.js')).formatPrometheus(report, {budgetMs: options.budgetMs})
    case 'human': {
      const [{formatHuman}, {default: chalk}] = await Promise.all([import('./human.js'), import('chalk')])
      return formatHuman(report, {verbose: options.verbose, chalk}) + humanExtras(report, chalk)
    }
  }
}

/** What human.ts does not show: slow checks and the config's suppressions. */
function humanExtras(report: Report, chalk: import('chalk').ChalkInstance): string {
  const lines: string[] = []
  const slow = report.checks.filter((r) => r.slow)
  for (const r of slow)
    lines.push(chalk.yellow(`slow: ${r.id} [${r.target}] took ${r.durationMs} ms, over half of its ${r.slow!.timeoutMs} ms timeout`))
  for (const s of report.config?.suppressions ?? []) {
    const what = `${s.symptom ?? s.check}${s.target ? ` [${s.target}]` : ''}`
    if (s.state === 'expired')
      lines.push(
        chalk.red(`✖ the suppression of ${what} expired on ${s.expires} (${s.reason}); renew or remove it in ${report.config!.path}`),
      )
    else if (s.state === 'active') lines.push(chalk.gray(`suppressed until ${s.expires}: ${what} — ${s.reason}`))
    else
      lines.push(
        chalk.gray(
          `unused suppression of ${what} (nothing to suppress now); remove it from ${report.config!.path} once it is no longer needed`,
        ),
      )
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : ''
}

/**
 * Writes the report to FILE (parent dirs created) through the one `--output` writer: a regular
 * file is replaced atomically (a temp file beside it, then a rename, so a CI step never uploads
 * half a JUnit file); a terminal, a FIFO or /dev/stdout is written through; a link is refused.
 */
export async function writeReportFile(path: string, text: string): Promise<void> {
  let destination: Destination | undefined
  try {
    destination = await openDestination(path, {existing: 'replace', makeParents: true})
    await destination.write(Buffer.from(text))
    await destination.commit()
  } catch (error) {
    await destination?.abort()
    const suggestions = error instanceof OutputError ? error.suggestions : []
    throw new UsageError(`cannot write the report to ${path}: ${(error as Error).message}`, suggestions)
  }
}

/** Appends the Markdown summary to $GITHUB_STEP_SUMMARY. A failure to do so is said, not fatal. */
export async function appendStepSummary(path: string, report: Report, name: string, safety = new OutputSafety()): Promise<string | null> {
  const {formatMarkdown} = await import('./markdown.js')
  try {
    await fsp.appendFile(path, formatMarkdown(safety.value(report), {name}))
    return null
  } catch (error) {
    return `could not append the step summary to ${path}: ${(error as Error).message}`
  }
}
