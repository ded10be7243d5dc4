/**
 * `renderReport`: a report in any format the CLI prints, through the same output-safety step, so
 * a host prints exactly what `doctor` prints. The exit code `doctor` would use goes with it.
 */
import {exitCodeFor as engineExitCode} from '../engine/doctor.js'
import {FORMATS, renderReport as render} from '../report/format.js'
import {OutputSafety} from '../report/safety.js'
import type {Report} from '../types.js'
import {metaOf} from './meta.js'

/** `doctor --format …`, and `markdown`: the summary `doctor` appends to $GITHUB_STEP_SUMMARY. */
export const REPORT_FORMATS = [...FORMATS, 'markdown'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface RenderReportOptions {
  /** Name of the run in CI views and the Markdown heading; default "doctor" (a host: "acme doctor"). */
  name?: string
  /** Warnings count as failures in CI views (`--strict`). */
  strict?: boolean
  /** Also show passing checks and their evidence (`--verbose`). */
  verbose?: boolean
  /** $GITHUB_WORKSPACE, to point annotations at the config file. */
  workspace?: string
}

export async function renderReport(report: Report, format: ReportFormat, options: RenderReportOptions = {}): Promise<string> {
  const meta = metaOf(report)
  const safety = meta?.safety ?? new OutputSafety()
  const name = options.name ?? 'doctor'
  if (format === 'markdown') return (await import('../report/markdown.js')).formatMarkdown(safety.value(report), {name})
  return render(report, format, {
    name,
    strict: Boolean(options.strict),
    verbose: Boolean(options.verbose),
    ...(options.workspace === undefined ? {} : {workspace: options.workspace}),
    ...(meta ? {budgetMs: meta.budgetMs} : {}),
    safety,
  })
}

/** 0: nothing failed. 1: a check failed or could not decide (or warned, with strict), or a suppression expired. */
export function exitCodeFor(report: Report, options: {strict?: boolean} = {}): 0 | 1 {
  return engineExitCode(report, Boolean(options.strict))
}
