import {basename, isAbsolute, join, resolve} from 'node:path'
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import type {CheckContext} from '../../../context.js'
import {processFingerprint} from '../../../fix/process-control.js'
import {findExecutable, manualStep, quarantineStep, runStep, terminateStep} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import type {ExecutorState} from '../state.js'
import {finding} from '../../../catalogue.js'
import {checkRecordedPid} from '../identity.js'
import {executorGeneration} from '../target.js'
import {loadExecutorState, manifestGeneration, manifestOf, portOf, probeHealth, requireReadableDataDir} from '../state.js'

export const executorUnreachableDaemon: TargetCheck = {
  symptoms: ['executor/registered-unreachable'],
  async detect(ctx, target) {
    const state = await loadExecutorState(ctx)
    requireReadableDataDir(state)
    const manifest = manifestOf(state)
    if (!manifest) return skip('no daemon is registered in server.json')
    const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
    if (pid.state === 'unknown') throw new Undetermined(`cannot tell whether registered pid ${manifest.pid} is alive: ${pid.reason}`)
    if (pid.state !== 'alive') return skip(`the registered pid ${manifest.pid} is not a running Executor (stale-manifest reports it)`)
    const origin = manifest.connection.origin
    const generation = manifestGeneration(state)?.generation ?? executorGeneration(target)
    const answer = await probeHealth(ctx, origin, generation)
    if (answer.kind === 'healthy') return []
    const error =
      answer.kind === 'no-answer'
        ? answer.error.message
        : `it answered ${answer.tried.map((t) => `${t.rule.path} with ${t.status}`).join(', ')}`
    const plan = await hungDaemonPlan(ctx, state, pid.proc, pid.identity.why, origin)
    return [
      finding('executor/registered-unreachable', {
        vars: {kind: manifest.kind, origin, pid: manifest.pid, error, port: portOf(origin)},
        evidence: {
          origin,
          pid: manifest.pid,
          kind: manifest.kind,
          probe:
            answer.kind === 'no-answer'
              ? {url: answer.url, error: answer.error.error, durationMs: answer.error.durationMs}
              : {answers: answer.tried.map((t) => `${t.url} → ${t.status}`)},
        },
        plan,
      }),
    ]
  },
}

/** executor-facts §2.1: Executor's own takeover gives a SIGTERMed daemon 10 s to stop answering. */
const STOP_GRACE_MS = 10_000

/**
 * A hung daemon that is verified as Executor's own (process identity, and the data dir it serves
 * is this one): its own stop command first, then SIGTERM after a confirm (SIGKILL only after a
 * second one), then the manifest it leaves behind, once its pid is dead.
 */
async function hungDaemonPlan(
  ctx: CheckContext,
  state: ExecutorState,
  proc: ProcessInfo,
  verifiedBecause: string,
  origin: string,
): Promise<FixStep[]> {
  const [environ, cwd, manifestStat] = await Promise.all([
    ctx.processes.environ(proc.pid),
    ctx.processes.cwd(proc.pid),
    ctx.files.lstat(state.paths.manifest),
  ])
  const servedDir = environ ? dataDirOf(environ, cwd) : null
  const stopArgs = ['daemon', 'stop', '--base-url', origin]
  const executor = proc.exe && basename(proc.exe) === 'executor' ? proc.exe : findExecutable('executor', ctx.env.PATH)
  const steps: FixStep[] = []
  steps.push(
    executor
      ? runStep({
          command: [executor, ...stopArgs],
          cwd: ctx.home,
          env: {EXECUTOR_DATA_DIR: state.dataDir},
          timeoutMs: 30_000,
          title: `Run \`executor ${stopArgs.join(' ')}\` (Executor's own stop)`,
          why: `The daemon (pid ${proc.pid}) is registered but does not answer; its own stop command is the documented first step.`,
          undo: 'cannot be undone by the doctor: start the daemon again with `executor daemon run`',
        })
      : manualStep({
          title: `Run \`executor ${stopArgs.join(' ')}\``,
          why: 'The executor command is not on PATH, so the doctor cannot run the stop command itself.',
          instructions: [`executor ${stopArgs.join(' ')}`],
        }),
  )
  if (servedDir === state.dataDir) {
    const fp = processFingerprint(proc, {
      envKeys: ['EXECUTOR_DATA_DIR', 'HOME'],
      environ,
      cwd,
      dataDir: servedDir,
      verifiedBecause: `${verifiedBecause}, and it serves ${servedDir}`,
    })
    steps.push(
      terminateStep({
        process: fp,
        graceMs: STOP_GRACE_MS,
        why: `If the stop command did not end it, the hung daemon is stopped with SIGTERM (SIGKILL only after a second confirm).`,
      }),
    )
  } else {
    steps.push(
      manualStep({
        title: `Stop pid ${proc.pid} yourself if the stop command did not`,
        why: environ
          ? `It serves ${servedDir ?? 'an unknown data dir'}, not ${state.dataDir}, so the doctor does not signal it.`
          : 'Its environment cannot be read, so the data dir it serves cannot be verified; the doctor does not signal it.',
        instructions: [`ps -o pid,lstart,args -p ${proc.pid}`, `kill ${proc.pid}`],
      }),
    )
  }
  if (manifestStat.ok) {
    steps.push(
      quarantineStep({
        path: state.paths.manifest,
        stat: manifestStat.stat,
        guard: {pid: proc.pid, mustBe: 'dead'},
        why: `Once pid ${proc.pid} has exited, the manifest naming it is stale; it only runs after the daemon is gone.`,
      }),
    )
  }
  return steps
}

/** The data dir a daemon serves: its EXECUTOR_DATA_DIR, else ~/.executor of its HOME (executor-facts §1.1). */
function dataDirOf(env: Record<string, string>, cwd: string | null): string | null {
  const raw = env.EXECUTOR_DATA_DIR
  if (raw) return isAbsolute(raw) ? resolve(raw) : cwd ? resolve(cwd, raw) : null
  return env.HOME ? join(env.HOME, '.executor') : null
}
