import {describeFileError} from '../../../probes/files.js'
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {checkRecordedPid} from '../identity.js'
import {CLI_DAEMON_PORT} from '../paths.js'
import {excerpt, loadExecutorState, manifestOf, portOf} from '../state.js'
import type {Finding} from '../../../types.js'

/** Known failure lines of daemon.error.log (executor-facts §5, §9.2), most specific first. */
const LOG_RULES: Array<{symptom: string; test: RegExp}> = [
  {symptom: 'executor/log-data-dir-owned', test: /already owned by another process|owned by another live process/i},
  {symptom: 'executor/log-sqlite-open', test: /Failed to open local SQLite data/},
  {symptom: 'executor/log-boot-migration', test: /has no specHash; serving state cannot be migrated|Migration journal has an unrecognized shape/},
  {symptom: 'executor/log-address-in-use', test: /EADDRINUSE|address already in use/i},
  // A bare "Unknown error" (optionally behind a timestamp or level) is the pre-1.5.33 boot failure.
  {symptom: 'executor/log-unknown-error', test: /^\W*(?:\[[^\]]*\]\s*)?(?:\d{4}-\d\d-\d\d\S*\s+)?(?:(?:error|fatal)\W*\s*)?Unknown error\.?\s*$/i},
]

/** Read at most this much of the log's end: enough for the last boots, bounded for a 2 GB log. */
const TAIL_BYTES = 256 * 1024

export const executorDaemonLogErrors: TargetCheck = {
  symptoms: ['executor/log-unknown-error', 'executor/log-address-in-use', 'executor/log-data-dir-owned', 'executor/log-sqlite-open', 'executor/log-boot-migration'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const path = state.paths.errorLog
    const tail = await ctx.files.tail(path, TAIL_BYTES)
    if (!tail.ok) {
      if (tail.code === 'ENOENT' || tail.code === 'ENOTDIR') return skip(`no ${path}: only the OS service writes one (a detached auto-started daemon logs nowhere)`)
      throw new Undetermined(`cannot read ${path}: ${describeFileError(tail)}`, {path, error: tail.code})
    }
    const manifest = manifestOf(state)
    // Errors logged before the running daemon started belong to an earlier boot: still worth a
    // look, but not a failure of the daemon that is running now.
    let runningSinceMs: number | null = null
    if (manifest) {
      const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
      if (pid.state === 'alive') runningSinceMs = pid.proc.startedAtMs
    }
    const stale = runningSinceMs !== null && tail.stat.mtimeMs < runningSinceMs
    const port = manifest ? portOf(manifest.connection.origin) : CLI_DAEMON_PORT
    const hits = new Map<string, {line: number; text: string; count: number}>()
    const firstLine = tail.truncated ? null : 1
    tail.lines.forEach((text, index) => {
      const rule = LOG_RULES.find((r) => r.test.test(text))
      if (!rule) return
      const prior = hits.get(rule.symptom)
      hits.set(rule.symptom, {line: index + 1, text, count: (prior?.count ?? 0) + 1})
    })
    const findings: Finding[] = []
    for (const [symptom, hit] of hits) {
      const line = firstLine === null ? `${hit.line} of the last ${tail.lines.length}` : String(hit.line)
      findings.push(
        finding(symptom, {
          vars: {path, line, excerpt: excerpt(hit.text, 200), port, dataDir: state.dataDir},
          ...(stale ? {severity: 'warn' as const, detail: 'It was logged before the running daemon started, so it is from an earlier boot.'} : {}),
          evidence: {path, line: hit.line, occurrences: hit.count, text: excerpt(hit.text, 300), logModifiedAt: new Date(tail.stat.mtimeMs).toISOString(), tailTruncated: tail.truncated},
        }),
      )
    }
    return findings
  },
}
