import {skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {basename} from 'node:path'
import type {CheckContext} from '../../../context.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {findExecutable, manualStep, quarantineStep, runStep} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import type {HungDaemonPlan, ProductHealth, ProductHealthAnswer} from '../../profile.js'
import {since, type RunwispFacts} from '../generations.js'
import {describeDaemon, sameDir} from '../daemon-facts.js'
import {isDaemonProcess, processEvidence, redactCommand} from '../identity.js'
import {
  loadPidFile,
  logsCommand,
  observePort,
  ourDaemon,
  probeHealth,
  loadRunwispState,
  requireReadableDataDir,
  restartCommand,
  runwispFacts,
  type HealthAnswer,
  type RunwispState,
} from '../state.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * RunWisp's health as daemon-health (checks/daemon-health.ts) and clock-skew read it
 * (runwisp-facts §2.2): `GET /health` answers 200 `OK` in every generation, over the socket (0.5+,
 * what the CLI uses) or TCP. No daemon of this data dir with nothing answering is no finding:
 * RunWisp starts one on demand. A daemon of its own that does not answer is hung, and gets
 * `runwispHungDaemon`'s plan. The port's holder is judged by the generic check (its identity
 * endpoint, through the profile's `portHolders`), over TCP only: the socket is the daemon's own.
 */
export function runwispHealth(state: RunwispState, facts: RunwispFacts, port: number, useSocket: boolean): ProductHealth {
  const probe = (ctx: CheckContext): Promise<HealthAnswer> =>
    useSocket ? probeHealth(ctx, {socketPath: state.socket.path}) : probeHealth(ctx, {host: '127.0.0.1', port})
  const notHealthy = (fault: NonNullable<Extract<ProductHealthAnswer, {kind: 'not-healthy'}>['fault']>): ProductHealthAnswer => ({
    kind: 'not-healthy',
    why: 'the daemon did not answer its health check',
    fault,
  })
  return {
    kind: 'product',
    port: useSocket ? null : port,
    async precheck(ctx) {
      requireReadableDataDir(state)
      const sock = await ctx.files.lstat(state.socket.path)
      // Something else at the socket path is runwispSocketNotSocket's finding, and nothing can bind or answer there.
      return sock.ok && !sock.stat.isSocket() ? `${state.socket.path} is not a socket (socket-not-socket)` : null
    },
    async answer(ctx) {
      const daemon = await ourDaemon(ctx)
      const owners = await observePort(ctx, port)
      if (!daemon && !useSocket && owners.length === 0)
        return notHealthy({
          kind: 'absent',
          why: `no RunWisp daemon runs for ${state.dataDir} and nothing listens on port ${port}; RunWisp starts one on demand`,
        })
      if (!daemon && useSocket) {
        // A socket file with no daemon behind it is what a killed daemon leaves; the next start replaces it.
        const answer = await probe(ctx)
        if (answer.kind === 'no-answer' && answer.error.error === 'refused' && owners.length === 0)
          return notHealthy({
            kind: 'absent',
            why: `no RunWisp daemon runs for ${state.dataDir} (its socket ${state.socket.path} is left over and refuses connections)`,
          })
      }
      const answer = await probe(ctx)
      if (answer.kind === 'no-answer') {
        if (!daemon)
          return notHealthy({
            kind: 'absent',
            why: `no RunWisp daemon runs for ${state.dataDir}; ${answer.via} does not answer (${answer.error.message})`,
          })
        return notHealthy({
          kind: 'hung',
          daemon,
          vars: {pid: daemon.pid, via: answer.via, error: answer.error.message, logs: await logsCommand(ctx)},
          evidence: {
            url: answer.url,
            via: answer.via,
            error: answer.error.error,
            durationMs: answer.error.durationMs,
            daemon: processEvidence(daemon),
          },
        })
      }
      if (answer.kind === 'wrong-answer') {
        return notHealthy({
          kind: 'unhealthy',
          vars: {
            via: answer.via,
            status: answer.status,
            body: answer.body,
            cut: answer.cut ? ` (its body ${answer.cut})` : '',
            url: useSocket ? `--unix-socket ${state.socket.path} http://runwisp/health` : answer.url,
            port,
          },
          evidence: {
            url: answer.url,
            via: answer.via,
            status: answer.status,
            body: answer.body,
            ...(answer.cut ? {bodyCut: answer.cut} : {}),
          },
        })
      }
      const date = answer.response.headers.date
      return {kind: 'healthy', ...(date ? {date} : {}), receivedAtMs: answer.response.receivedAtMs, evidence: {via: answer.via}}
    },
    wording: {
      impostor: (proc, why) => ({
        vars: {url: `http://127.0.0.1:${port}/health`, port, pid: proc.pid, command: redactCommand(proc.cmdline), freePort: port + 1},
        evidence: {port, owner: processEvidence(proc), why},
      }),
      unidentified: (why) => ({
        reason: `port ${port} answers /health with OK, but the process holding it cannot be identified: ${why}`,
        evidence: {port},
      }),
    },
  }
}

/**
 * daemon-health's RunWisp-only companion: the socket path holds something that is not a socket
 * (runwisp-facts §1.2, §2.3). The generic check skips then (its profile's precheck), so this is
 * the check's one finding, as before.
 */
export const runwispSocketNotSocket: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/socket-not-socket'],
    async detect(ctx, _target) {
      const state = await loadRunwispState(ctx)
      const sock = await ctx.files.lstat(state.socket.path)
      if (!sock.ok || sock.stat.isSocket()) return skip(`${state.socket.path} is a socket or absent`)
      const facts = await runwispFacts(ctx)
      const what = sock.stat.isFile()
        ? `a regular file of ${sock.stat.size} bytes`
        : sock.stat.isDirectory()
          ? 'a directory'
          : sock.stat.isSymbolicLink()
            ? 'a symlink'
            : 'not a socket'
      // "Move the file out of the way" (the documented fix), into the quarantine, after a confirm: it may be something of yours.
      const plan: FixStep[] = [
        // Source: runwisp-facts §1.2, §2.3
        quarantineStep({
          path: state.socket.path,
          stat: sock.stat,
          risk: 'confirm',
          why: `The CLI, the TUI and \`runwisp status\` talk to the daemon over this path, and the daemon cannot bind its socket while ${what} sits there. It is moved aside, not deleted.`,
        }),
        // Source: runwisp-facts §1.2
        manualStep({
          title: 'Restart RunWisp so it creates its socket',
          why: 'The daemon binds <data>/runwisp.sock (0600) when it starts.',
          instructions: [restartCommand(facts, state.dataDir)],
        }),
      ]
      return [
        finding('runwisp/socket-not-socket', {
          vars: {path: state.socket.path, what},
          evidence: {path: state.socket.path, kind: what, source: state.socket.source},
          plan,
        }),
      ]
    },
  }),
)

/** runwisp-facts §2.3: `stop` waits 3 s + 2 × shutdown_timeout (10 s by default) + 5 s. */
const STOP_BUDGET_MS = 40_000
/** runwisp-facts §2.3: shutdownDaemon gives the daemon 15 s after SIGTERM. */
const SHUTDOWN_GRACE_MS = 15_000

/**
 * A hung daemon verified as RunWisp's own for this data dir (the profile's `hungDaemon` hook;
 * daemon-health adds the terminate step): its own `runwisp stop --data` first (0.8+,
 * runwisp-facts §0, §2.4), then, after a confirm, SIGTERM (what `stop` sends; the daemon releases
 * its pid file and socket), SIGKILL only after a second confirm, then the pid file it may leave
 * behind — only once that pid is dead and nobody holds the file's lock.
 */
export async function runwispHungDaemon(ctx: CheckContext, daemon: ProcessInfo): Promise<HungDaemonPlan> {
  const state = await loadRunwispState(ctx)
  const facts = await runwispFacts(ctx)
  const before: FixStep[] = []
  const stopArgs = ['stop', '--data', state.dataDir]
  const hasStop = since(facts, '0.8.0')
  if (hasStop !== 'no') {
    const runwisp = daemon.exe && /^runwisp(\.exe)?$/i.test(basename(daemon.exe)) ? daemon.exe : findExecutable('runwisp', ctx.env.PATH)
    const why = `RunWisp pid ${daemon.pid} does not answer /health; its own stop command is the documented first step${hasStop === 'unknown' ? ' (it exists from 0.8)' : ''}.`
    before.push(
      runwisp
        ? runStep({
            command: [runwisp, ...stopArgs],
            cwd: ctx.cwd,
            timeoutMs: STOP_BUDGET_MS,
            title: `Run \`runwisp ${stopArgs.join(' ')}\` (RunWisp's own stop)`,
            why,
            undo: `cannot be undone by the doctor: start the daemon again (\`runwisp daemon --data ${state.dataDir}\`, or its service)`,
          })
        : manualStep({
            title: `Run \`runwisp ${stopArgs.join(' ')}\``,
            why: `${why} The runwisp command is not on PATH, so the doctor cannot run it itself.`,
            instructions: [`runwisp ${stopArgs.join(' ')}`],
          }),
    )
  }
  const [described, environ, cwd] = await Promise.all([
    describeDaemon(ctx, daemon),
    ctx.processes.environ(daemon.pid),
    ctx.processes.cwd(daemon.pid),
  ])
  const served = described.dataDir
  const refusal = !isDaemonProcess(daemon)
    ? 'it is not a RunWisp daemon process (a one-shot command?)'
    : !served || !(await sameDir(ctx, served.path, state.dataDir))
      ? `the data dir it serves is ${served ? `${served.path} (${served.how})` : `unknown (${described.dataDirUnknown})`}, not ${state.dataDir}`
      : environ === null || cwd === null
        ? 'its environment or working directory cannot be read, so its identity cannot be pinned'
        : redactCommand(daemon.cmdline) !== daemon.cmdline
          ? 'its command line carries a password, which the doctor does not copy into a plan'
          : null
  if (refusal) {
    const instead = manualStep({
      title: `Stop pid ${daemon.pid} yourself if \`runwisp stop\` did not`,
      why: `The doctor does not signal it: ${refusal}.`,
      instructions: [`ps -o pid,lstart,args -p ${daemon.pid}`, `kill ${daemon.pid}`],
    })
    return {before, terminate: {refused: refusal, instead: [instead]}, after: []}
  }
  const after: FixStep[] = []
  const pidFile = await loadPidFile(ctx)
  const st = await ctx.files.lstat(state.paths.pidFile)
  if (pidFile.kind === 'ok' && pidFile.pid === daemon.pid && st.ok && st.stat.isFile()) {
    // Source: runwisp-facts §1.6
    after.push(
      quarantineStep({
        path: state.paths.pidFile,
        stat: st.stat,
        guard: {pid: daemon.pid, mustBe: 'dead'},
        unlocked: true,
        why: `A daemon killed with SIGKILL leaves daemon.pid naming pid ${daemon.pid}; it is moved only once that pid is dead and nobody holds the file's lock.`,
      }),
    )
  }
  return {
    before,
    terminate: {
      envKeys: ['RUNWISP_DATA'],
      environ,
      cwd,
      dataDir: state.dataDir,
      verifiedBecause: `its process is RunWisp's (${daemon.comm}, ${daemon.exe ?? 'executable unknown'}) running as a daemon, and it serves ${state.dataDir} (${served!.how})`,
      graceMs: SHUTDOWN_GRACE_MS,
      title: `Stop the hung RunWisp daemon pid ${daemon.pid}`,
      why: `${hasStop === 'no' ? 'This generation has no stop command; ' : 'If its stop command did not end it, '}it is stopped with SIGTERM, as \`runwisp stop\` does (SIGKILL only after a second confirm).`,
    },
    after,
  }
}
