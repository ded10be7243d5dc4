/**
 * Where a run's report goes: stdout, part by part as it is produced (a `--fix` run prints each
 * step as it is applied), or the `--output` file, written whole and atomically at the end while
 * the person watching sees the same step lines on stderr. Either way each line is printed once.
 */
import {UsageError} from '../engine/doctor.js'
import {checkDestination, OutputError} from '../output/destination.js'
import {writeReportFile} from '../report/format.js'
import {writeStdout} from './stdout.js'

export interface ReportOutput {
  /** The next part of the report. */
  write(text: string): void
  /** A line the person watching should see now; shown only when the report does not stream to stdout. */
  progress(line: string): void
  /** Ends the report: writes the `--output` file and says so on stderr. */
  close(): Promise<void>
}

/** Throws a UsageError at once when `--output` names something it would refuse (a link, a directory): before a --fix acts, not after. */
export function reportOutput(path: string | undefined, what: string): ReportOutput {
  if (!path) return {write: writeStdout, progress: () => undefined, close: async () => undefined}
  try {
    checkDestination(path, {existing: 'replace'})
  } catch (error) {
    if (error instanceof OutputError) throw new UsageError(`cannot write the report to ${path}: ${error.message}`, error.suggestions)
    throw error
  }
  const parts: string[] = []
  return {
    write: (text) => void parts.push(text),
    progress: (line) => void process.stderr.write(line + '\n'),
    async close() {
      await writeReportFile(path, parts.join(''))
      process.stderr.write(`${what} written to ${path}\n`)
    },
  }
}
