/**
 * RunWisp as a target profile: the facts the generic checks read, produced from its resolved
 * state (state.ts), and the hooks for what only RunWisp has (a port chosen by flag, environment,
 * unit or generation; an identity endpoint that vouches for the process on the port; a health
 * answer over its Unix socket).
 */
import type {CheckContext} from '../../context.js'
import type {BuiltInProfile, LogSymptom, PortHolder, SecretFileSpec, SecretOwner, TargetFacts} from '../profile.js'
import {runwispHealth, runwispHungDaemon} from './checks/daemon-health.js'
import {runwispServingDaemons} from './checks/duplicate-daemon.js'
import {runwispSecretLinkPlan} from './checks/symlinked-secret.js'
import {isTable, loadConfig} from './config.js'
import {guardFindings} from './data-dir-links.js'
import {formatBytes, parsePidFile, parseSize} from './formats.js'
import {hasSocket, pidFileLocked} from './generations.js'
import {isDaemonProcess, processIdentity} from './identity.js'
import {RECORD_SYMPTOMS, runwispRecords} from './pid-record.js'
import {secretPaths, type SecretPath} from './secrets.js'
import {
  chosenPort,
  daemonAccount,
  daemonAccountWithGroups,
  loadRunwispState,
  observePort,
  ourDaemon,
  restartCommand,
  runwispFacts,
  type RunwispState,
} from './state.js'

/**
 * Fatal lines of `daemon.log` (runwisp-facts §2.3, §6.1, §7), most specific first. The generic rule
 * is the CLI's own: FATA, "Fatal error", "Server failed", or an ERROR badge/level.
 */
const LOG_LINES: readonly LogSymptom[] = [
  {id: 'runwisp/log-address-in-use', patterns: [/address already in use/i]},
  {id: 'runwisp/log-bind-permission-denied', patterns: [/bind: permission denied/i]},
  {id: 'runwisp/log-health-timeout', patterns: [/health check timed out/i]},
  {id: 'runwisp/log-crash-recovery-failed', patterns: [/crash recovery failed|Failed to mark crashed runs/]},
  {id: 'runwisp/log-fatal', patterns: [/\bFATA\b|Fatal error|Server failed|\[ERROR\]|level=ERROR|^\s*ERROR\b|daemon failed to start/]},
]

/**
 * Cron has minute resolution: past 60 s of skew a task fires in the wrong minute. (Client skew
 * never explains "Invalid or expired challenge": runwisp-facts §4.)
 */
const CLOCK_SKEW_FAIL_S = 60

export const runwispProfile: BuiltInProfile = {
  id: 'runwisp',
  symptomIds: {
    'clock-skew': 'runwisp/clock-skew',
    // A daemon of its own that does not answer is hung (the plan stops it); both are health-no-answer.
    'not-answering': 'runwisp/health-no-answer',
    hung: 'runwisp/health-no-answer',
    unhealthy: 'runwisp/health-wrong-answer',
    impostor: 'runwisp/health-not-runwisp',
    'port-squatter': 'runwisp/port-in-use',
    'duplicate-daemon': 'runwisp/two-daemons-one-data-dir',
    'disk-low': 'runwisp/disk-below-min-free',
    'secret-mode': 'runwisp/secret-mode',
    'secret-symlink': 'runwisp/symlinked-secret',
    'data-dir-missing': 'runwisp/data-dir-not-dir',
    'data-dir-mode': 'runwisp/data-dir-mode',
    'data-dir-owner': 'runwisp/data-dir-foreign-owner',
    'pid-file-locked': 'runwisp/data-dir-locked',
    'pid-file-mismatch': 'runwisp/pid-file-mismatch',
  },
  logSymptomIds: LOG_LINES.map((line) => line.id),
  hookSymptomIds: {records: RECORD_SYMPTOMS},
  facts: (ctx) => ctx.memo('runwisp:profile', () => runwispFactsOf(ctx)),
}

async function runwispFactsOf(ctx: CheckContext): Promise<TargetFacts> {
  const state = await loadRunwispState(ctx)
  const facts = await runwispFacts(ctx)
  const {port, source} = await chosenPort(ctx, facts)
  const sock = await ctx.files.lstat(state.socket.path)
  const useSocket = sock.ok && sock.stat.isSocket() && hasSocket(facts) !== 'no'
  return {
    id: 'runwisp',
    name: 'RunWisp',
    ports: [port],
    portSources: {[port]: source},
    health: runwispHealth(state, facts, port, useSocket),
    dataDir: {
      path: state.dataDir,
      // Source: runwisp-facts §1.3 (MkdirAll 0700 since 0.3, re-tightened at start since 0.15; the
      // 0755 of 0.1–0.2 is older than any generation the doctor knows).
      mode: 0o700,
      modeWhy: 'Run logs, the database and the socket are in it; RunWisp keeps it 0700 and re-tightens it at start when it owns it.',
      // Source: runwisp-facts §1.1 (every command creates it), §1.3 (MkdirAll and chmod follow a link).
      createdAtStart: true,
      followsLink: true,
      ...(await minFreeSpace(ctx)),
    },
    // Source: runwisp-facts §1.2, §1.6: 0.16+ holds an exclusive flock on daemon.pid for the daemon's
    // life; the pid in it is a daemon record (stale-manifest), its lock stale-lock's.
    pidFile: {
      path: state.paths.pidFile,
      locked: pidFileLocked(facts) !== 'no',
      lockKind: 'flock',
      recordedElsewhere: true,
      unlockedWhy: 'before 0.16 RunWisp does not lock daemon.pid',
    },
    ...(await secretsOf(ctx, state)),
    // Source: runwisp-facts §3 (the password flag and variable the daemon reads).
    env: ['RUNWISP_PASSWORD'],
    secretFlags: /--password[= ]/,
    configs: [],
    logs: [state.paths.log],
    logsAbsent: 'only a daemon self-spawned by bare `runwisp` writes one (services log to the journal)',
    symptoms: LOG_LINES,
    clockSkewFailS: CLOCK_SKEW_FAIL_S,
    symptomIds: runwispProfile.symptomIds,
    hooks: {
      async portHolders(ctx, port) {
        return (await observePort(ctx, port)).map((owner): PortHolder => {
          if (owner.verdict === 'runwisp') return {listener: owner.listener, verdict: 'ours'}
          if (owner.verdict === 'foreign' && owner.proc)
            return {listener: owner.listener, verdict: 'other', proc: owner.proc, why: owner.why}
          return {listener: owner.listener, verdict: 'unknown', why: owner.why}
        })
      },
      liveDaemon: (ctx) => ourDaemon(ctx),
      messageVars: () => Promise.resolve({port, freePort: port + 1, dataDir: state.dataDir, restart: restartCommand(facts, state.dataDir)}),
      // Nothing acts in or on a data dir reached through a symlink (data-dir-links.ts).
      guardPlans: guardFindings,
      secretLinkPlan: runwispSecretLinkPlan,
      dataDirAccount: (ctx) => daemonAccountWithGroups(ctx),
      records: runwispRecords,
      // A serving RunWisp holds the lock; a one-shot `runwisp status` or any other program holding it blocks every start.
      lockHolder(_ctx, proc) {
        const identity = processIdentity(proc)
        return Promise.resolve(
          identity.verdict === 'runwisp' && isDaemonProcess(proc) ? {daemon: true} : {daemon: false, why: identity.why},
        )
      },
      parsePid: parsePidFile,
      hungDaemon: runwispHungDaemon,
      servingDaemons: runwispServingDaemons,
    },
  }
}

/**
 * The files RunWisp keeps private (secrets.ts), 0600 and owned by the daemon's user
 * (runwisp-facts §1.2, §1.3): a looser password is a failure, a looser pid file, log or socket a
 * warning. Only what the symlink-refusing writer writes (and a service's password drop-in) must
 * not be a link; the socket and the log are not judged as links. None without a data dir.
 */
async function secretsOf(
  ctx: CheckContext,
  state: RunwispState,
): Promise<Pick<TargetFacts, 'secrets' | 'secretsAbsent' | 'secretsUnknown'>> {
  const s = state.dataDirState
  if (s.kind === 'unreadable') return {secrets: [], secretsUnknown: [`the data dir ${state.dataDir} (${s.error.code}): ${s.error.message}`]}
  if (s.kind !== 'dir') return {secrets: [], secretsAbsent: `no data dir at ${state.dataDir}`}
  const account = await daemonAccount(ctx)
  const daemon: SecretOwner = {uid: account.uid, name: account.name, group: account.group, how: account.how}
  const root: SecretOwner = {uid: 0, name: 'root', group: 'root', how: 'a unit drop-in, written as root'}
  const spec = (secret: SecretPath): SecretFileSpec => ({
    path: secret.path,
    mode: 0o600,
    exposure: {group: secret.exposure, others: secret.exposure},
    owner: secret.kind === 'drop-in' ? root : daemon,
    why: WHY[secret.kind],
    evidence: {kind: secret.kind},
    linkMatters: secret.guarded || secret.kind === 'drop-in',
  })
  return {secrets: (await secretPaths(ctx, state, await runwispFacts(ctx))).map(spec)}
}

// Source: runwisp-facts §0, §1.2, §1.3, §8.1
const WHY: Record<SecretPath['kind'], string> = {
  password: 'It is a password; RunWisp creates it 0600 in a 0700 data dir.',
  'leftover-password': 'It is a password left over from RunWisp 0.3–0.4, which created it 0600 in a 0700 data dir.',
  'drop-in': 'It is a password; `runwisp service install` writes it 0600.',
  pid: "It is the daemon's pid file; RunWisp creates it 0600 in a 0700 data dir.",
  log: "It is the daemon's log; RunWisp creates it 0600 in a 0700 data dir.",
  socket: "It is the daemon's socket; RunWisp creates it 0600 at every start.",
}

/** runwisp-facts §5.1, §6: `[storage] min_free_space` (0 = no check), as `disk-space` reads it. */
async function minFreeSpace(ctx: CheckContext): Promise<{minFree: number; minFreeAsWritten: string} | {minFreeUnset: string}> {
  const config = await loadConfig(ctx)
  if (config.kind !== 'ok') return {minFreeUnset: 'no readable runwisp.toml to read [storage] min_free_space from (config-valid says why)'}
  const written = isTable(config.data.storage) ? config.data.storage.min_free_space : undefined
  const min = written !== undefined ? parseSize(written) : null
  if (!min?.ok || min.value === 0) return {minFreeUnset: '[storage] sets no min_free_space, so RunWisp checks no free space'}
  return {minFree: min.value, minFreeAsWritten: `${String(written)} (${formatBytes(min.value)})`}
}
