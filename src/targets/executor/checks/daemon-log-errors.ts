import {logFindings, type LogRule} from '../../../log-findings.js'
import {describeFileError} from '../../../probes/files.js'
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {checkRecordedPid} from '../identity.js'
import {CLI_DAEMON_PORT} from '../paths.js'
import {loadExecutorState, manifestOf, portOf} from '../state.js'

/** Known failure lines of daemon.error.log (executor-facts §5, §9.2), most specific first. */
const LOG_RULES: readonly LogRule[] = [
  {symptom: 'executor/log-data-dir-owned', test: /already owned by another process|owned by another live process/i},
  {symptom: 'executor/log-sqlite-open', test: /Failed to open local SQLite data/},
  {
    symptom: 'executor/log-boot-migration',
    test: /has no specHash; serving state cannot be migrated|Migration journal has an unrecognized shape/,
  },
  {symptom: 'executor/log-address-in-use', test: /EADDRINUSE|address already in use/i},
  // A bare "Unknown error" (optionally behind a timestamp or level) is the pre-1.5.33 boot failure.
  {
    symptom: 'executor/log-unknown-error',
    test: /^\W*(?:\[[^\]]*\]\s*)?(?:\d{4}-\d\d-\d\d\S*\s+)?(?:(?:error|fatal)\W*\s*)?Unknown error\.?\s*$/i,
  },
]

/** Read at most this much of the log's end: enough for the last boots, bounded for a 2 GB log. */
const TAIL_BYTES = 256 * 1024

export const executorDaemonLogErrors: TargetCheck = {
  symptoms: [
    'executor/log-unknown-error',
    'executor/log-address-in-use',
    'executor/log-data-dir-owned',
    'executor/log-sqlite-open',
    'executor/log-boot-migration',
  ],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const path = state.paths.errorLog
    const tail = await ctx.files.tail(path, TAIL_BYTES)
    if (!tail.ok) {
      if (tail.code === 'ENOENT' || tail.code === 'ENOTDIR')
        return skip(`no ${path}: only the OS service writes one (a detached auto-started daemon logs nowhere)`)
      throw new Undetermined(`cannot read ${path}: ${describeFileError(tail)}`, {path, error: tail.code})
    }
    const manifest = manifestOf(state)
    let runningSinceMs: number | null = null
    if (manifest) {
      const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
      if (pid.state === 'alive') runningSinceMs = pid.proc.startedAtMs
    }
    const port = manifest ? portOf(manifest.connection.origin) : CLI_DAEMON_PORT
    return logFindings(path, tail, LOG_RULES, {vars: {port, dataDir: state.dataDir}, runningSinceMs})
  },
}
