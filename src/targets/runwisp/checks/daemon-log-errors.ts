import {logFindings, type LogRule} from '../../../log-findings.js'
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {chosenPort, loadRunwispState, ourDaemon, runwispFacts} from '../state.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * Fatal lines of `daemon.log` (runwisp-facts §2.3, §6.1, §7), most specific first. The generic rule
 * is the CLI's own: FATA, "Fatal error", "Server failed", or an ERROR badge/level.
 */
const LOG_RULES: readonly LogRule[] = [
  {symptom: 'runwisp/log-address-in-use', test: /address already in use/i},
  {symptom: 'runwisp/log-bind-permission-denied', test: /bind: permission denied/i},
  {symptom: 'runwisp/log-health-timeout', test: /health check timed out/i},
  {symptom: 'runwisp/log-crash-recovery-failed', test: /crash recovery failed|Failed to mark crashed runs/},
  {symptom: 'runwisp/log-fatal', test: /\bFATA\b|Fatal error|Server failed|\[ERROR\]|level=ERROR|^\s*ERROR\b|daemon failed to start/},
]

/** daemon.log is truncated on every self-spawn, so it only ever holds the last start: 256 KiB is plenty. */
const TAIL_BYTES = 256 * 1024

export const runwispDaemonLogErrors: TargetCheck = noActingThroughLinks({
  symptoms: [
    'runwisp/log-address-in-use',
    'runwisp/log-bind-permission-denied',
    'runwisp/log-health-timeout',
    'runwisp/log-crash-recovery-failed',
    'runwisp/log-fatal',
  ],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    const path = state.paths.log
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const tail = await ctx.files.tail(path, TAIL_BYTES)
    if (!tail.ok) {
      if (tail.code === 'ENOENT')
        return skip(`no ${path}: only a daemon self-spawned by bare \`runwisp\` writes one (services log to the journal)`)
      if (tail.code === 'ELOOP') return skip(`${path} is a symlink; the doctor does not follow it`)
      throw new Undetermined(`cannot read ${path} (${tail.code}): ${tail.message}`, {path, error: tail.code})
    }
    if (tail.lines.some((l) => l.includes('\u0000'))) throw new Undetermined(`${path} holds binary data, not daemon log lines`, {path})
    const daemon = await ourDaemon(ctx)
    const {port} = await chosenPort(ctx, await runwispFacts(ctx))
    return logFindings(path, tail, LOG_RULES, {
      vars: {port, freePort: port + 1, dataDir: state.dataDir},
      runningSinceMs: daemon?.startedAtMs ?? null,
    })
  },
})
