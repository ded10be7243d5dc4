/**
 * `doctor report merge`: read every report, refuse the lot if any cannot be read (each problem
 * named with its file), else print the fleet view. Exit 0: no host failed or could not decide
 * (warnings too, with --strict); 1: some did; 2: a report could not be used, or two name one host.
 */
import {writeReportFile} from '../report/format.js'
import {mergeReports} from './merge.js'
import {readHostReport, type HostReport} from './read.js'
import {MERGE_FORMATS, printable, renderFleet, type MergeFormat} from './render.js'

export interface MergeRun {
  files: string[]
  cwd: string
  format: string | undefined
  output?: string
  strict: boolean
  out: (text: string) => void
  err: (text: string) => void
}

/** Reports read at once: enough to overlap slow disks, few enough to bound memory. */
const CONCURRENCY = 8

export async function runMerge(run: MergeRun): Promise<0 | 1 | 2> {
  const usage = (message: string, hint?: string): 2 => {
    run.err(`Error: ${message}\n${hint ? `  ${hint}\n` : ''}`)
    return 2
  }
  const format = (run.format ?? 'human') as MergeFormat
  if (!MERGE_FORMATS.includes(format))
    return usage(`--format "${run.format}" is not a format of report merge`, `use one of ${MERGE_FORMATS.join(', ')}`)
  if (run.files.length === 0)
    return usage('no report to merge', 'pass the JSON reports, for example: doctor report merge reports/*/doctor.json')

  const outcomes = new Array<Awaited<ReturnType<typeof readHostReport>>>(run.files.length)
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(CONCURRENCY, run.files.length)}, async () => {
      while (next < run.files.length) {
        const i = next++
        outcomes[i] = await readHostReport(run.files[i]!, run.cwd)
      }
    }),
  )
  const problems = outcomes.flatMap((o) => (o.ok ? [] : [`${printable(o.file)}: ${printable(o.problem)}`]))
  if (problems.length > 0) {
    run.err(
      `Error: ${problems.length === 1 ? 'a report cannot be merged' : `${problems.length} reports cannot be merged`}:\n${problems.map((p) => `  ${p}\n`).join('')}  Nothing was merged; fix or leave out these files.\n`,
    )
    return 2
  }
  const reports = outcomes.flatMap((o) => (o.ok ? [o.report] : []))
  const clash = duplicateHost(reports)
  if (clash) return usage(clash.message, clash.hint)

  const view = mergeReports(reports)
  const text = renderFleet(view, format)
  if (run.output) {
    try {
      await writeReportFile(run.output, text)
    } catch (error) {
      return usage((error as Error).message)
    }
    run.err(`doctor report merge: ${format} fleet view written to ${run.output}\n`)
  } else run.out(text)
  const judged = view.hosts.some((h) => h.status === 'fail' || h.status === 'error' || (run.strict && h.status === 'warn'))
  return judged ? 1 : 0
}

/** Two reports for one host: which one is the host's state is not for the merge to guess. */
function duplicateHost(reports: HostReport[]): {message: string; hint: string} | null {
  const seen = new Map<string, HostReport>()
  for (const r of reports) {
    const first = seen.get(r.host)
    if (!first) {
      seen.set(r.host, r)
      continue
    }
    const from = (x: HostReport) =>
      `${printable(x.file)} (${x.hostFrom === 'report' ? `its "host" field, started ${x.startedAt}` : `its directory's name, started ${x.startedAt}`})`
    const fromDirs = first.hostFrom === 'directory' || r.hostFrom === 'directory'
    return {
      message: `two reports name the host "${printable(r.host)}": ${from(first)} and ${from(r)}`,
      hint: fromDirs
        ? 'put each host\'s report in a directory named after the host (as Ansible\'s fetch does), or write reports with a doctorkit that records "host"'
        : 'pass one report per host; reports from one machine under several names need `doctor --hostname NAME` (a sweep passes the inventory name)',
    }
  }
  return null
}
