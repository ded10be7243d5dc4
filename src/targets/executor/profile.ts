/**
 * Executor as a target profile: the facts the generic checks read, produced from its resolved
 * state (state.ts), and the hooks for what only Executor has (a port it registers in server.json,
 * an identity judged by the manifest's executable, health rules that change with its generation).
 */
import type {CheckContext} from '../../context.js'
import {executorDaemons} from './checks/duplicate-daemon.js'
import type {BuiltInProfile, LogSymptom, PortHolder, ProductHealth, ProductHealthAnswer, SecretFileSpec, TargetFacts} from '../profile.js'
import type {DetectedTarget} from '../types.js'
import {checkRecordedPid, processEvidence} from './identity.js'
import {executorLockFiles, LOCK_FILE_SYMPTOMS} from './lock-files.js'
import {executorRecords, RECORD_SYMPTOMS} from './records.js'
import {CLI_DAEMON_PORT, SERVICE_PORT} from './paths.js'
import {inspectSecrets} from './secret-files.js'
import type {ExecutorGeneration} from './generations.js'
import {executorGeneration} from './target.js'
import {
  expectedOrigin,
  loadExecutorState,
  manifestGeneration,
  manifestOf,
  observePort,
  portOf,
  probeHealth,
  requireReadableDataDir,
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
    'not-answering': 'executor/health-no-answer',
    unhealthy: 'executor/health-wrong-answer',
    impostor: 'executor/health-not-executor',
    'port-squatter': 'executor/port-squatter',
    'duplicate-daemon': 'executor/duplicate-daemon',
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

/**
 * Executor's health as daemon-health and clock-skew read it: its generation's probe (executor-facts
 * §2: `/api/health` from 1.5.10, the 1.5.9 rules before), on the origin server.json registers or
 * the default. Nothing on the port is no finding when no registered daemon is alive: the CLI
 * starts one on demand, and stale-manifest reports a dead registration.
 */
function executorHealth(
  state: ExecutorState,
  origin: string,
  generation: ExecutorGeneration | null,
  executable: string | null | undefined,
): ProductHealth {
  const port = portOf(origin)
  const manifest = manifestOf(state)
  return {
    kind: 'product',
    port,
    precheck(_ctx) {
      requireReadableDataDir(state)
      return Promise.resolve(null)
    },
    async answer(ctx) {
      const owners = await observePort(ctx, port, executable)
      if (owners.length === 0) {
        const absent = (why: string): ProductHealthAnswer => ({
          kind: 'not-healthy',
          why: 'the daemon did not answer',
          fault: {kind: 'absent', why},
        })
        if (!manifest) return absent(`no daemon is registered or listening on port ${port}; the CLI starts one on demand`)
        const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, executable)
        if (pid.state !== 'alive')
          return absent(
            `the registered daemon (pid ${manifest.pid}) is not running and nothing listens on port ${port}; stale-manifest reports the leftover manifest`,
          )
      }
      const answer = await probeHealth(ctx, origin, generation)
      if (answer.kind === 'no-answer') {
        return {
          kind: 'not-healthy',
          why: 'the daemon did not answer',
          fault: {
            kind: 'not-answering',
            vars: {url: answer.url, timeoutMs: ctx.options.httpTimeoutMs, error: answer.error.message, origin, port},
            evidence: {
              url: answer.url,
              error: answer.error.error,
              durationMs: answer.error.durationMs,
              listeners: owners.map((o) => o.pid),
            },
          },
        }
      }
      if (answer.kind === 'wrong-answer') {
        const last = answer.tried.at(-1)!
        return {
          kind: 'not-healthy',
          why: 'the daemon did not answer',
          fault: {
            kind: 'unhealthy',
            vars: {
              origin,
              port,
              path: last.rule.path,
              status: last.status,
              body: last.body,
              cut: last.cut ? ` (its body ${last.cut})` : '',
              expected: last.rule.expected,
            },
            evidence: {
              origin,
              generation,
              answers: answer.tried.map((t) => ({url: t.url, status: t.status, body: t.body, ...(t.cut ? {bodyCut: t.cut} : {})})),
            },
          },
        }
      }
      const date = answer.response.headers.date
      return {kind: 'healthy', ...(date ? {date} : {}), receivedAtMs: answer.response.receivedAtMs, evidence: {via: answer.url}}
    },
    wording: {
      impostor: (proc, why) => ({
        vars: {origin, port, pid: proc.pid, command: proc.cmdline},
        evidence: {origin, port, owner: processEvidence(proc), why},
      }),
      unidentified: (why) => ({
        reason: `${origin} answers as Executor, but the process holding port ${port} cannot be identified: ${why}`,
        evidence: {origin, port},
      }),
    },
  }
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
    health: executorHealth(state, origin, generation, executable),
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
      // Source: executor-facts §1.1 (EXECUTOR_DATA_DIR, else ~/.executor of its HOME)
      async servingDaemons(ctx) {
        return {
          daemons: (await executorDaemons(ctx)).map((d) => ({proc: d.proc, serves: d.dataDir === null ? null : {path: d.dataDir}})),
        }
      },
      messageVars: () => Promise.resolve({port: manifest ? portOf(manifest.connection.origin) : CLI_DAEMON_PORT, dataDir: state.dataDir}),
      // Its start locks and legacy startup.lock (stale-lock), its manifest, records and pointers (stale-manifest).
      lockFiles: executorLockFiles,
      records: executorRecords,
    },
  }
}
