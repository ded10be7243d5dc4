/**
 * Executor as a target profile: the facts the generic checks read, produced from its resolved
 * state (state.ts), and the hooks for what only Executor has (a port it registers in server.json,
 * an identity judged by the manifest's executable, health rules that change with its generation).
 */
import type {CheckContext} from '../../context.js'
import type {BuiltInProfile, LogSymptom, PortHolder, SecretFileSpec, TargetFacts} from '../profile.js'
import type {DetectedTarget} from '../types.js'
import {checkRecordedPid} from './identity.js'
import {executorLockFiles, LOCK_FILE_SYMPTOMS} from './lock-files.js'
import {executorRecords, RECORD_SYMPTOMS} from './records.js'
import {CLI_DAEMON_PORT, SERVICE_PORT} from './paths.js'
import {inspectSecrets} from './secret-files.js'
import {executorGeneration} from './target.js'
import {
  expectedOrigin,
  loadExecutorState,
  manifestGeneration,
  manifestOf,
  observePort,
  portOf,
  probeHealth,
  type ExecutorState,
} from './state.js'

/** Known failure lines of daemon.error.log (executor-facts §5, §9.2), most specific first. */
const LOG_LINES: readonly LogSymptom[] = [
  {id: 'executor/log-data-dir-owned', patterns: [/already owned by another process|owned by another live process/i]},
  {id: 'executor/log-sqlite-open', patterns: [/Failed to open local SQLite data/]},
  {
    id: 'executor/log-boot-migration',
    patterns: [/has no specHash; serving state cannot be migrated|Migration journal has an unrecognized shape/],
  },
  {id: 'executor/log-address-in-use', patterns: [/EADDRINUSE|address already in use/i]},
  // A bare "Unknown error" (optionally behind a timestamp or level) is the pre-1.5.33 boot failure.
  {
    id: 'executor/log-unknown-error',
    patterns: [/^\W*(?:\[[^\]]*\]\s*)?(?:\d{4}-\d\d-\d\d\S*\s+)?(?:(?:error|fatal)\W*\s*)?Unknown error\.?\s*$/i],
  },
]

/**
 * Past 5 minutes of skew OAuth state cookies (10 min Max-Age) and token expiries (epoch seconds)
 * start to fail, so it is a failure, not a warning.
 */
const CLOCK_SKEW_FAIL_S = 300

export const executorProfile: BuiltInProfile = {
  id: 'executor',
  symptomIds: {
    'clock-skew': 'executor/clock-skew',
    'port-squatter': 'executor/port-squatter',
    'secret-mode': 'executor/secret-mode',
    'secret-symlink': 'executor/secret-symlink',
  },
  logSymptomIds: LOG_LINES.map((line) => line.id),
  hookSymptomIds: {'lock-files': LOCK_FILE_SYMPTOMS, records: RECORD_SYMPTOMS},
  facts: (ctx, target) => ctx.memo('executor:profile', () => executorFacts(ctx, target)),
}

/**
 * The files that hold a secret on this install (secret-files.ts: the bearer and the file-secrets
 * stores always, server.json and server-connections.json when they carry a credential), each
 * judged as Executor writes it: 0600, readable by others a failure, by the group only a warning
 * (often a private group). Behind a link the mode of the file it leads to counts.
 */
async function secretsOf(ctx: CheckContext, state: ExecutorState): Promise<Pick<TargetFacts, 'secrets' | 'secretsUnknown'>> {
  const {inspected, unknown} = await inspectSecrets(ctx, state)
  const secrets = inspected
    // A missing bearer or store is still one of its secrets (nothing to judge yet); a file judged by content only when it carries a credential.
    .filter(
      ({candidate, seen}) =>
        seen.kind === 'secret' || seen.kind === 'dangling' || (seen.kind === 'absent' && candidate.secret === 'always'),
    )
    .map(({candidate: {path, what}}): SecretFileSpec => ({
      path,
      mode: 0o600,
      what,
      exposure: {group: 'warn', others: 'fail'},
      // Source: executor-facts §1.3, §9.1 (4)
      why: `It holds ${what}; Executor creates it 0600 and re-applies that mode on every write, so taking group and other access away takes nothing from Executor.`,
      // Source: executor-facts §1.3, §1.4
      linkWhy: `Executor writes ${what} in place through the link (the secret lands where it leads) or replaces the link on a rename, silently cutting it. Whoever shared the link stops seeing later changes.`,
      // Source: executor-facts §1.3, §2.3
      whenMissing: 'Executor cannot read it (a missing bearer is replaced by a new token)',
      evidence: {what},
      modeThroughLink: true,
    }))
  return {secrets, ...(unknown.length > 0 ? {secretsUnknown: unknown} : {})}
}

async function executorFacts(ctx: CheckContext, target: DetectedTarget): Promise<TargetFacts> {
  const state = await loadExecutorState(ctx)
  const manifest = manifestOf(state)
  const override = ctx.options.targetOptions.executor?.port
  const ownPorts = [override ?? CLI_DAEMON_PORT, SERVICE_PORT]
  const watchPorts = ctx.options.watchPorts ?? []
  const origin = expectedOrigin(state, ctx)
  const generation = manifestGeneration(state)?.generation ?? executorGeneration(target)
  const executable = manifest?.owner.executablePath
  return {
    id: 'executor',
    name: 'Executor',
    // The CLI's port (or --executor-port), the service's, the one server.json registers, and those
    // the project's doctor.config.json asks to watch (docs/preflight.md): one identity rule for all.
    ports: [...new Set([...ownPorts, ...(manifest ? [portOf(manifest.connection.origin)] : []), ...watchPorts])],
    watchedPorts: watchPorts.filter((p) => !ownPorts.includes(p)),
    health: {
      kind: 'product',
      port: portOf(origin),
      async answer(ctx) {
        const answer = await probeHealth(ctx, origin, generation)
        if (answer.kind !== 'healthy') return {kind: 'not-healthy', why: 'the daemon did not answer'}
        const date = answer.response.headers.date
        return {kind: 'healthy', ...(date ? {date} : {}), receivedAtMs: answer.response.receivedAtMs, evidence: {via: answer.url}}
      },
    },
    dataDir: {path: state.dataDir},
    ...(await secretsOf(ctx, state)),
    env: [],
    configs: [],
    logs: [state.paths.errorLog],
    // A crash can leave junk in the service's log; the failure lines around it still count.
    tolerateBinaryLog: true,
    logsAbsent: 'only the OS service writes one (a detached auto-started daemon logs nowhere)',
    symptoms: LOG_LINES,
    // Its --auth-token is a known secret the report's redaction labels; masking it here would hide which one.
    secretFlags: null,
    clockSkewFailS: CLOCK_SKEW_FAIL_S,
    symptomIds: executorProfile.symptomIds,
    hooks: {
      async portHolders(ctx, port) {
        return (await observePort(ctx, port, executable)).map((owner): PortHolder => {
          if (!owner.proc || !owner.identity) return {listener: owner.listener, verdict: 'unknown', why: owner.reason ?? 'not visible'}
          if (owner.identity.verdict === 'executor') return {listener: owner.listener, verdict: 'ours'}
          return {listener: owner.listener, verdict: 'other', proc: owner.proc, why: owner.identity.why}
        })
      },
      async liveDaemon(ctx) {
        if (!manifest) return null
        const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, executable)
        return pid.state === 'alive' ? pid.proc : null
      },
      messageVars: () => Promise.resolve({port: manifest ? portOf(manifest.connection.origin) : CLI_DAEMON_PORT, dataDir: state.dataDir}),
      // Its start locks and legacy startup.lock (stale-lock), its manifest, records and pointers (stale-manifest).
      lockFiles: executorLockFiles,
      records: executorRecords,
    },
  }
}
