import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {hasSocket} from '../generations.js'
import {processEvidence, redactCommand} from '../identity.js'
import {chosenPort, logsCommand, observePort, ourDaemon, probeHealth, runwispFacts, loadRunwispState, requireReadableDataDir} from '../state.js'

/**
 * runwisp-facts §2.2: `GET /health` answers 200 `OK` in every generation, over the socket (0.5+,
 * what the CLI uses) or TCP. The answer alone proves nothing, so the port's owner is identified too.
 */
export const runwispDaemonHealth: TargetCheck = {
  symptoms: ['runwisp/health-no-answer', 'runwisp/health-wrong-answer', 'runwisp/health-not-runwisp', 'runwisp/socket-not-socket'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    requireReadableDataDir(state)
    const facts = await runwispFacts(ctx)
    const {port} = await chosenPort(ctx, facts)
    const sock = await ctx.files.lstat(state.socket.path)
    if (sock.ok && !sock.stat.isSocket()) {
      const what = sock.stat.isFile() ? `a regular file of ${sock.stat.size} bytes` : sock.stat.isDirectory() ? 'a directory' : sock.stat.isSymbolicLink() ? 'a symlink' : 'not a socket'
      return [finding('runwisp/socket-not-socket', {vars: {path: state.socket.path, what}, evidence: {path: state.socket.path, kind: what, source: state.socket.source}})]
    }
    const daemon = await ourDaemon(ctx)
    const owners = await observePort(ctx, port)
    const foreign = owners.find((o) => o.verdict === 'foreign' && o.proc)
    const useSocket = sock.ok && hasSocket(facts) !== 'no'
    if (!daemon && !useSocket && owners.length === 0) return skip(`no RunWisp daemon runs for ${state.dataDir} and nothing listens on port ${port}; RunWisp starts one on demand`)
    if (!daemon && useSocket) {
      // A socket file with no daemon behind it is what a killed daemon leaves; the next start replaces it.
      const answer = await probeHealth(ctx, {socketPath: state.socket.path})
      if (answer.kind === 'no-answer' && answer.error.error === 'refused' && owners.length === 0) return skip(`no RunWisp daemon runs for ${state.dataDir} (its socket ${state.socket.path} is left over and refuses connections)`)
    }
    if (!useSocket && foreign?.proc) {
      return [
        finding('runwisp/health-not-runwisp', {
          vars: {url: `http://127.0.0.1:${port}/health`, port, pid: foreign.proc.pid, command: redactCommand(foreign.proc.cmdline), freePort: port + 1},
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
          evidence: {url: answer.url, via: answer.via, error: answer.error.error, durationMs: answer.error.durationMs, daemon: processEvidence(daemon)},
        }),
      ]
    }
    if (answer.kind === 'wrong-answer') {
      return [
        finding('runwisp/health-wrong-answer', {
          vars: {via: answer.via, status: answer.status, body: answer.body, url: useSocket ? `--unix-socket ${state.socket.path} http://runwisp/health` : answer.url, port},
          evidence: {url: answer.url, via: answer.via, status: answer.status, body: answer.body},
        }),
      ]
    }
    if (!useSocket && owners.some((o) => o.verdict === 'unknown')) {
      throw new Undetermined(`port ${port} answers /health with OK, but the process holding it cannot be identified: ${owners.find((o) => o.verdict === 'unknown')!.why}`, {port})
    }
    return []
  },
}
