import {isAbsolute, join, resolve} from 'node:path'
import {skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import {executorIdentity, isDaemonCommand, processEvidence} from '../identity.js'
import {loadExecutorState, manifestOf} from '../state.js'
import type {Finding} from '../../../types.js'

/**
 * Executor's running daemons (executor-facts §1.1, §2): only executables named executor, or node/bun
 * running the CLI from a dev checkout, can be Executor daemons, so the full details of those alone
 * are read; each with the data dir it serves (null: its environment cannot be read). One census per
 * run, for duplicate-daemon's generic half (the profile's `servingDaemons`) and its companion.
 */
export function executorDaemons(ctx: CheckContext): Promise<Array<{proc: ProcessInfo; dataDir: string | null}>> {
  return ctx.memo('executor:daemons', async () => {
    const state = await loadExecutorState(ctx)
    const manifest = manifestOf(state)
    const daemons: Array<{proc: ProcessInfo; dataDir: string | null}> = []
    const candidates = (await ctx.processes.listBrief()).filter((p) => p.state !== 'Z' && DAEMON_COMMS.has(p.comm))
    for (const brief of candidates) {
      const lookup = await ctx.processes.get(brief.pid)
      if (lookup.alive !== true) continue
      const proc = lookup.info
      if (!isDaemonCommand(proc)) continue
      if ((await executorIdentity(ctx, proc, manifest?.owner.executablePath)).verdict !== 'executor') continue
      daemons.push({proc, dataDir: await dataDirOf(ctx, proc)})
    }
    return daemons
  })
}

/**
 * duplicate-daemon's Executor-only companion: a daemon of this data dir that answers on a port but
 * is not the one server.json registers, so the CLI and clients never reach it. With a registration
 * and several daemons, the generic two-daemons finding already names them all.
 */
export const executorUnregisteredDaemon: TargetCheck = {
  symptoms: ['executor/unregistered-daemon'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const manifest = manifestOf(state)
    const ours = (await executorDaemons(ctx)).filter((d) => d.dataDir === state.dataDir)
    const findings: Finding[] = []
    for (const daemon of ours) {
      if (manifest?.pid === daemon.proc.pid) continue
      const ports = await listeningPorts(ctx, daemon.proc.pid)
      if (ports.length === 0 || (manifest && ours.length > 1)) continue
      findings.push(
        finding('executor/unregistered-daemon', {
          vars: {pid: daemon.proc.pid, port: ports.join(', '), scope: manifest ? ` (server.json names pid ${manifest.pid})` : ''},
          evidence: {...processEvidence(daemon.proc), ports, dataDir: daemon.dataDir},
        }),
      )
    }
    return findings.length > 0 ? findings : skip('no daemon of this data dir answers unregistered')
  },
}

const DAEMON_COMMS = new Set(['executor', 'executor.exe', 'node', 'bun'])

/** The data dir a daemon serves: its EXECUTOR_DATA_DIR, else ~/.executor of its HOME (executor-facts §1.1). */
async function dataDirOf(ctx: CheckContext, proc: ProcessInfo): Promise<string | null> {
  const env = await ctx.processes.environ(proc.pid)
  if (!env) return null
  const raw = env.EXECUTOR_DATA_DIR
  if (raw) {
    if (isAbsolute(raw)) return resolve(raw)
    const cwd = await ctx.processes.cwd(proc.pid)
    return cwd ? resolve(cwd, raw) : null
  }
  return env.HOME ? join(env.HOME, '.executor') : null
}

async function listeningPorts(ctx: CheckContext, pid: number): Promise<number[]> {
  const ports = new Set<number>()
  for (const listener of await ctx.sockets.listeners()) {
    if (listener.protocol === 'unix') continue
    const owner = await ctx.sockets.owner(listener)
    if (owner.pid === pid) ports.add(listener.port)
  }
  return [...ports].sort((a, b) => a - b)
}
