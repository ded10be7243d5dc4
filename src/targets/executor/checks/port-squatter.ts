import {conclude, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {manualStep} from '../../../fix/steps.js'
import {processEvidence} from '../identity.js'
import {CLI_DAEMON_PORT, SERVICE_PORT} from '../paths.js'
import {loadExecutorState, manifestOf, observePort, portOf} from '../state.js'
import type {Finding} from '../../../types.js'

export const executorPortSquatter: TargetCheck = {
  symptoms: ['executor/port-squatter'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const manifest = manifestOf(state)
    const override = ctx.options.targetOptions.executor?.port
    const ports = [
      ...new Set([
        override ?? CLI_DAEMON_PORT,
        SERVICE_PORT,
        ...(manifest ? [portOf(manifest.connection.origin)] : []),
        ...(ctx.options.watchPorts ?? []),
      ]),
    ]
    // Ports the project's doctor.config.json asks to watch (docs/preflight.md): same identity rule.
    const watched = new Set((ctx.options.watchPorts ?? []).filter((p) => p !== (override ?? CLI_DAEMON_PORT) && p !== SERVICE_PORT))
    const findings: Finding[] = []
    const unknown: string[] = []
    const seen = new Set<string>()
    for (const port of ports) {
      for (const owner of await observePort(ctx, port, manifest?.owner.executablePath)) {
        // One finding per (port, process): a squatter bound to both 127.0.0.1 and ::1 is one squatter.
        const key = `${port}:${owner.pid ?? owner.listener.inode}`
        if (seen.has(key)) continue
        seen.add(key)
        if (owner.proc && owner.identity?.verdict === 'foreign') {
          findings.push(
            finding('executor/port-squatter', {
              vars: {port, pid: owner.proc.pid, command: owner.proc.cmdline},
              evidence: {
                port,
                address: owner.listener.address,
                owner: processEvidence(owner.proc),
                why: owner.identity.why,
                ...(watched.has(port) ? {watched: 'doctor.config.json watchPorts'} : {}),
              },
              ...(watched.has(port) ? {detail: 'The port is watched in doctor.config.json.'} : {}),
              // A squatter is not Executor's: the doctor never signals it, it only says how to find and stop it.
              plan: [
                manualStep({
                  title: `Stop whatever holds port ${port} (pid ${owner.proc.pid}) yourself, or run Executor on another port`,
                  why: `pid ${owner.proc.pid} (${owner.proc.cmdline}) is not Executor: ${owner.identity.why}. The doctor never signals a process it cannot verify as the target's own.`,
                  instructions: [
                    `ss -ltnp 'sport = :${port}'`,
                    `ps -o pid,user,lstart,args -p ${owner.proc.pid}`,
                    `kill ${owner.proc.pid}   # only if it is yours and you no longer need it`,
                    'executor daemon run --foreground --port <free port> --hostname 127.0.0.1',
                  ],
                }),
              ],
            }),
          )
        } else if (!owner.proc) unknown.push(`port ${port} (${owner.listener.address}): ${owner.reason}`)
      }
    }
    return conclude(findings, unknown, 'cannot identify who holds')
  },
}
