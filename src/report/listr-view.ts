/**
 * The live task list on stderr. The runner does the work; this view only mirrors it, so JSON and
 * CI runs never load listr2. stdout not a TTY, or `CI` set: listr2's simple renderer (no animation).
 */
import type {PlannedCheck, RunHooks} from '../engine/run-checks.js'
import type {CheckResult} from '../types.js'

export interface ListrView {
  hooks: RunHooks
  done: Promise<void>
}

export async function createListrView(planned: PlannedCheck[], env: Record<string, string | undefined>): Promise<ListrView> {
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
  const waiting = new Map<string, (result: CheckResult) => void>()
  const settled = new Map<string, Promise<CheckResult>>()
  const key = (p: PlannedCheck) => `${p.target.id}:${p.check.id}`
  for (const p of planned) settled.set(key(p), new Promise((resolve) => waiting.set(key(p), resolve)))
  const processOutput = new ProcessOutput(process.stderr, process.stderr)
  // The spec's rule: animate only for a person at a terminal (stdout a TTY, not CI); the frames
  // themselves go to stderr so stdout stays clean for the report.
  const plain = !process.stdout.isTTY || !process.stderr.isTTY || Boolean(env.CI)
  const list = new Listr(
    planned.map((p) => ({
      title:
        `${p.check.title} ${p.target.id === 'executor' && planned.every((q) => q.target.id === p.target.id) ? '' : `[${p.target.id}]`}`.trim(),
      task: async (_ctx: unknown, task: {skip(reason: string): void; title: string}) => {
        const result = await settled.get(key(p))!
        const ms = `${result.durationMs} ms`
        // The animated list collapses a skip into its message, so that one carries the title; the
        // plain one prints "title [SKIPPED: message]". Not the reason: it is machine text learned
        // before the run's secrets are, and the report that follows gives it (--verbose) redacted.
        if (result.status === 'skip') task.skip(plain ? 'not applicable' : `${task.title} (skipped)`)
        else if (result.status === 'fail')
          throw new Error(`${task.title}: ${result.findings.length} problem${result.findings.length === 1 ? '' : 's'} (${ms})`)
        else if (result.status === 'error') throw new Error(`${task.title}: could not decide (${ms})`)
        else if (result.status === 'warn') task.title = `${task.title} — warning (${ms})`
        else task.title = `${task.title} (${ms})`
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: plain ? 'simple' : 'default',
      fallbackRenderer: 'simple',
      rendererOptions: {logger: new ListrLogger({processOutput}), collapseSkips: true, showErrorMessage: true},
      fallbackRendererOptions: {logger: new ListrLogger({processOutput})},
    } as never,
  )
  // A blank line on stderr separates the live list from the report that follows on stdout.
  const done = list.run().then(
    () => void process.stderr.write('\n'),
    () => void process.stderr.write('\n'),
  )
  return {
    hooks: {onEnd: (p, result) => waiting.get(key(p))?.(result)},
    done,
  }
}
