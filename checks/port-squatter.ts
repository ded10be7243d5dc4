import {defineCheck, Undetermined} from '../src/check.js'
import {finding} from '../src/catalogue.js'
import {processEvidence} from '../src/targets/executor/identity.js'
import {CLI_DAEMON_PORT, SERVICE_PORT} from '../src/targets/executor/paths.js'
import {loadExecutorState, manifestOf, observePort, portOf} from '../src/targets/executor/state.js'
import type {Finding} from '../src/types.js'

export default defineCheck({
  id: 'port-squatter',
  title: 'Check nothing else holds the daemon ports',
  description: 'Ports 4788 (CLI daemon), 4789 (service) and the registered port must be free or held by Executor itself.',
  targets: ['executor'],
  symptoms: ['executor/port-squatter'],
  fixable: false,
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    const manifest = manifestOf(state)
    const override = ctx.options.targetOptions.executor?.port
    const ports = [...new Set([override ?? CLI_DAEMON_PORT, SERVICE_PORT, ...(manifest ? [portOf(manifest.connection.origin)] : [])])]
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
              evidence: {port, address: owner.listener.address, owner: processEvidence(owner.proc), why: owner.identity.why},
            }),
          )
        } else if (!owner.proc) unknown.push(`port ${port} (${owner.listener.address}): ${owner.reason}`)
      }
    }
    if (unknown.length > 0 && findings.length === 0) throw new Undetermined(`cannot identify who holds ${unknown.join('; ')}`)
    return findings
  },
})
