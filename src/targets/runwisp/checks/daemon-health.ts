import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {basename} from 'node:path'
import type {CheckContext} from '../../../context.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {processFingerprint} from '../../../fix/process-control.js'
import {findExecutable, manualStep, quarantineStep, runStep, terminateStep} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import {hasSocket, since, type RunwispFacts} from '../generations.js'
import {describeDaemon, sameDir} from '../daemon-facts.js'
import {isDaemonProcess, processEvidence, redactCommand} from '../identity.js'
import {
  chosenPort,
  loadPidFile,
  logsCommand,
  observePort,
  ourDaemon,
  probeHealth,
  runwispFacts,
  loadRunwispState,
  requireReadableDataDir,
  restartCommand,
  type RunwispState,
} from '../state.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * runwisp-facts §2.2: `GET /health` answers 200 `OK` in every generation, over the socket (0.5+,
 * what the CLI uses) or TCP. The answer alone proves nothing, so the port's owner is identified too.
 */
export const runwispDaemonHealth: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/health-no-answer', 'runwisp/health-wrong-answer', 'runwisp/health-not-runwisp', 'runwisp/socket-not-socket'],
    async detect(ctx, _target) {
      const state = await loadRunwispState(ctx)
      requireReadableDataDir(state)
      const facts = await runwispFacts(ctx)
      const {port} = await chosenPort(ctx, facts)
      const sock = await ctx.files.lstat(state.socket.path)
      if (sock.ok && !sock.stat.isSocket()) {
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
      }
      const daemon = await ourDaemon(ctx)
      const owners = await observePort(ctx, port)
      const foreign = owners.find((o) => o.verdict === 'foreign' && o.proc)
      const useSocket = sock.ok && hasSocket(facts) !== 'no'
      if (!daemon && !useSocket && owners.length === 0)
        return skip(`no RunWisp daemon runs for ${state.dataDir} and nothing listens on port ${port}; RunWisp starts one on demand`)
      if (!daemon && useSocket) {
        // A socket file with no daemon behind it is what a killed daemon leaves; the next start replaces it.
        const answer = await probeHealth(ctx, {socketPath: state.socket.path})
        if (answer.kind === 'no-answer' && answer.error.error === 'refused' && owners.length === 0)
          return skip(`no RunWisp daemon runs for ${state.dataDir} (its socket ${state.socket.path} is left over and refuses connections)`)
      }
      if (!useSocket && foreign?.proc) {
        return [
          finding('runwisp/health-not-runwisp', {
            vars: {
              url: `http://127.0.0.1:${port}/health`,
              port,
              pid: foreign.proc.pid,
              command: redactCommand(foreign.proc.cmdline),
              freePort: port + 1,
            },
            evidence: {port, owner: processEvidence(foreign.proc), why: foreign.why},
          }),
        ]
      }
      const answer = useSocket ? await probeHealth(ctx, {socketPath: state.socket.path}) : await probeHealth(ctx, {host: '127.0.0.1', port})
      if (answer.kind === 'no-answer') {
        if (!daemon) return skip(`no RunWisp daemon runs for ${state.dataDir}; ${answer.via} does not answer (${answer.error.message})`)
        return [
          finding('runwisp/health-no-answer', {
            vars: {pid: daemon.pid, via: answer.via, error: answer.error.message, logs: await logsCommand(ctx)},
            evidence: {
              url: answer.url,
              via: answer.via,
              error: answer.error.error,
              durationMs: answer.error.durationMs,
              daemon: processEvidence(daemon),
            },
            plan: await hungDaemonPlan(ctx, state, facts, daemon),
          }),
        ]
      }
      if (answer.kind === 'wrong-answer') {
        return [
          finding('runwisp/health-wrong-answer', {
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
          }),
        ]
      }
      if (!useSocket && owners.some((o) => o.verdict === 'unknown')) {
        throw new Undetermined(
          `port ${port} answers /health with OK, but the process holding it cannot be identified: ${owners.find((o) => o.verdict === 'unknown')!.why}`,
          {port},
        )
      }
      return []
    },
  }),
)

/** runwisp-facts §2.3: `stop` waits 3 s + 2 × shutdown_timeout (10 s by default) + 5 s. */
const STOP_BUDGET_MS = 40_000
/** runwisp-facts §2.3: shutdownDaemon gives the daemon 15 s after SIGTERM. */
const SHUTDOWN_GRACE_MS = 15_000

/**
 * A hung daemon verified as RunWisp's own for this data dir: its own `runwisp stop --data` first
 * (0.8+, runwisp-facts §0, §2.4), then, after a confirm, SIGTERM (what `stop` sends; the daemon
 * releases its pid file and socket), SIGKILL only after a second confirm, then the pid file it may
 * leave behind — only once that pid is dead and nobody holds the file's lock.
 */
async function hungDaemonPlan(ctx: CheckContext, state: RunwispState, facts: RunwispFacts, daemon: ProcessInfo): Promise<FixStep[]> {
  const steps: FixStep[] = []
  const stopArgs = ['stop', '--data', state.dataDir]
  const hasStop = since(facts, '0.8.0')
  if (hasStop !== 'no') {
    const runwisp = daemon.exe && /^runwisp(\.exe)?$/i.test(basename(daemon.exe)) ? daemon.exe : findExecutable('runwisp', ctx.env.PATH)
    const why = `RunWisp pid ${daemon.pid} does not answer /health; its own stop command is the documented first step${hasStop === 'unknown' ? ' (it exists from 0.8)' : ''}.`
    steps.push(
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
    steps.push(
      manualStep({
        title: `Stop pid ${daemon.pid} yourself if \`runwisp stop\` did not`,
        why: `The doctor does not signal it: ${refusal}.`,
        instructions: [`ps -o pid,lstart,args -p ${daemon.pid}`, `kill ${daemon.pid}`],
      }),
    )
    return steps
  }
  const fp = processFingerprint(daemon, {
    envKeys: ['RUNWISP_DATA'],
    environ,
    cwd,
    dataDir: state.dataDir,
    verifiedBecause: `its process is RunWisp's (${daemon.comm}, ${daemon.exe ?? 'executable unknown'}) running as a daemon, and it serves ${state.dataDir} (${served!.how})`,
  })
  steps.push(
    terminateStep({
      process: fp,
      graceMs: SHUTDOWN_GRACE_MS,
      title: `Stop the hung RunWisp daemon pid ${daemon.pid}`,
      why: `${hasStop === 'no' ? 'This generation has no stop command; ' : 'If its stop command did not end it, '}it is stopped with SIGTERM, as \`runwisp stop\` does (SIGKILL only after a second confirm).`,
    }),
  )
  const pidFile = await loadPidFile(ctx)
  const st = await ctx.files.lstat(state.paths.pidFile)
  if (pidFile.kind === 'ok' && pidFile.pid === daemon.pid && st.ok && st.stat.isFile()) {
    // Source: runwisp-facts §1.6
    steps.push(
      quarantineStep({
        path: state.paths.pidFile,
        stat: st.stat,
        guard: {pid: daemon.pid, mustBe: 'dead'},
        unlocked: true,
        why: `A daemon killed with SIGKILL leaves daemon.pid naming pid ${daemon.pid}; it is moved only once that pid is dead and nobody holds the file's lock.`,
      }),
    )
  }
  return steps
}
