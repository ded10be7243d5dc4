import type {CheckContext} from '../../context.js'
import type {DetectedTarget, TargetDefinition} from '../types.js'
import {CLI_DAEMON_PORT, SERVICE_PORT} from './paths.js'
import {loadExecutorState, manifestGeneration, manifestOf, observePort, probeHealth} from './state.js'
import './symptoms.js'
import './symptoms-dev.js'
import './symptoms-config.js'
import {detectCheckout} from './dev/checkout.js'

/**
 * Executor counts as present when its data dir or manifest exists, `EXECUTOR_DATA_DIR` names one,
 * or a process that *is* Executor listens on one of its ports. A server that merely answers on 4788
 * does not make Executor present: identity comes from the process, not the port.
 */
export const executorTarget: TargetDefinition = {
  id: 'executor',
  name: 'Executor',
  async detect(ctx: CheckContext): Promise<DetectedTarget> {
    const state = await loadExecutorState(ctx)
    const reasons: string[] = []
    if (state.dataDirState.kind !== 'missing') reasons.push(`data dir ${state.dataDir} exists`)
    else if (state.resolution.source !== 'default') reasons.push(`EXECUTOR_DATA_DIR names ${state.dataDir}`)
    if (state.manifest.kind !== 'missing') reasons.push('server-control/server.json exists')
    const checkout = await detectCheckout(ctx)
    if (checkout.found)
      reasons.push(
        `Executor monorepo checkout at ${checkout.checkout.root} (${checkout.checkout.source === 'flag' ? '--executor-checkout' : 'working directory'})`,
      )
    const executable = manifestOf(state)?.owner.executablePath
    let liveOrigin: string | null = null
    for (const port of [CLI_DAEMON_PORT, SERVICE_PORT]) {
      const owners = await observePort(ctx, port, executable)
      if (owners.some((o) => o.identity?.verdict === 'executor')) {
        reasons.push(`an Executor process listens on port ${port}`)
        liveOrigin ??= `http://localhost:${port}`
      }
    }
    let generation: string | null = null
    let generationReason = 'no manifest version and no running Executor daemon to ask'
    const fromManifest = manifestGeneration(state)
    if (fromManifest) {
      generation = fromManifest.generation
      generationReason = fromManifest.reason
    } else if (liveOrigin) {
      const answer = await probeHealth(ctx, liveOrigin, null)
      if (answer.kind === 'healthy') {
        generation = answer.rule.generation
        generationReason = `the daemon on ${liveOrigin} answers ${answer.rule.path} as the ${answer.rule.generation} generation does`
      }
    }
    return {
      id: 'executor',
      detected: reasons.length > 0,
      forced: false,
      generation,
      generationReason,
      dataDir: state.dataDir,
      reasons,
    }
  },
}

export function executorGeneration(target: DetectedTarget): 'legacy' | 'current' | null {
  return target.generation === 'legacy' || target.generation === 'current' ? target.generation : null
}
