import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {chosenPort, excerpt, loadRunwispState, ourDaemon, runwispFacts} from '../state.js'
import type {Finding} from '../../../types.js'

/**
 * Fatal lines of `daemon.log` (runwisp-facts §2.3, §6.1, §7), most specific first. The generic rule
 * is the CLI's own: FATA, "Fatal error", "Server failed", or an ERROR badge/level.
 */
const LOG_RULES: Array<{symptom: string; test: RegExp}> = [
  {symptom: 'runwisp/log-address-in-use', test: /address already in use/i},
  {symptom: 'runwisp/log-bind-permission-denied', test: /bind: permission denied/i},
  {symptom: 'runwisp/log-health-timeout', test: /health check timed out/i},
  {symptom: 'runwisp/log-crash-recovery-failed', test: /crash recovery failed|Failed to mark crashed runs/},
  {symptom: 'runwisp/log-fatal', test: /\bFATA\b|Fatal error|Server failed|\[ERROR\]|level=ERROR|^\s*ERROR\b|daemon failed to start/},
]

/** daemon.log is truncated on every self-spawn, so it only ever holds the last start: 256 KiB is plenty. */
const TAIL_BYTES = 256 * 1024

export const runwispDaemonLogErrors: TargetCheck = {
  symptoms: ['runwisp/log-address-in-use', 'runwisp/log-bind-permission-denied', 'runwisp/log-health-timeout', 'runwisp/log-crash-recovery-failed', 'runwisp/log-fatal'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    const path = state.paths.log
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const tail = await ctx.files.tail(path, TAIL_BYTES)
    if (!tail.ok) {
      if (tail.code === 'ENOENT') return skip(`no ${path}: only a daemon self-spawned by bare \`runwisp\` writes one (services log to the journal)`)
      if (tail.code === 'ELOOP') return skip(`${path} is a symlink; the doctor does not follow it`)
      throw new Undetermined(`cannot read ${path} (${tail.code}): ${tail.message}`, {path, error: tail.code})
    }
    if (tail.lines.some((l) => l.includes('\u0000'))) throw new Undetermined(`${path} holds binary data, not daemon log lines`, {path})
    const daemon = await ourDaemon(ctx)
    // A log older than the running daemon belongs to an earlier start: worth a look, not a failure now.
    const stale = daemon !== null && tail.stat.mtimeMs < daemon.startedAtMs
    const {port} = await chosenPort(ctx, await runwispFacts(ctx))
    const hits = new Map<string, {line: number; text: string; count: number}>()
    tail.lines.forEach((text, index) => {
      const rule = LOG_RULES.find((r) => r.test.test(text))
      if (!rule) return
      const prior = hits.get(rule.symptom)
      hits.set(rule.symptom, {line: prior?.line ?? index + 1, text: prior?.text ?? text, count: (prior?.count ?? 0) + 1})
    })
    const findings: Finding[] = []
    for (const [symptom, hit] of hits) {
      const line = tail.truncated ? `${hit.line} of the last ${tail.lines.length}` : String(hit.line)
      findings.push(
        finding(symptom, {
          vars: {path, line, excerpt: excerpt(hit.text, 200), port, freePort: port + 1, dataDir: state.dataDir},
          ...(stale ? {severity: 'warn' as const, detail: 'It was logged before the running daemon started, so it is from an earlier start.'} : {}),
          evidence: {path, line: hit.line, occurrences: hit.count, text: excerpt(hit.text, 300), logModifiedAt: new Date(tail.stat.mtimeMs).toISOString(), tailTruncated: tail.truncated},
        }),
      )
    }
    return findings
  },
}
