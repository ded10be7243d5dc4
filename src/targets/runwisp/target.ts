import type {CheckContext} from '../../context.js'
import type {DetectedTarget, TargetDefinition} from '../types.js'
import {loadConfig} from './config.js'
import {chosenPort, loadRunwispState, loadUnits, observePort, runningDaemons, runwispFacts} from './state.js'
import './symptoms.js'

/**
 * RunWisp counts as present when its config is where RunWisp looks (`runwisp.toml` in the working
 * directory, `RUNWISP_CONFIG`, the flag), one of its data dirs exists, a systemd unit runs it, or a
 * process that *is* RunWisp listens on its port. A server that merely answers on 9477 does not
 * make RunWisp present: identity comes from the identity endpoint or the process.
 */
export const runwispTarget: TargetDefinition = {
  id: 'runwisp',
  name: 'RunWisp',
  async detect(ctx: CheckContext): Promise<DetectedTarget> {
    const state = await loadRunwispState(ctx)
    const reasons: string[] = []
    const config = await loadConfig(ctx)
    if (config.kind !== 'missing') reasons.push(`config ${config.candidate.path} (${config.candidate.label})`)
    else if (config.explicit) reasons.push(`${config.candidate.label} names ${config.candidate.path}`)
    if (state.dataDirState.kind !== 'missing') reasons.push(`data dir ${state.dataDir} (${state.source.label})`)
    else if (state.source.source === 'flag' || state.source.source === 'env') reasons.push(`${state.source.label} names ${state.dataDir}`)
    if (!state.ownState && !state.adopted && state.notAdopted && (await runningDaemons(ctx)).length > 0)
      reasons.push(`RunWisp runs on this machine, but no daemon was adopted: ${state.notAdopted}`)
    for (const unit of await loadUnits(ctx)) reasons.push(`systemd unit ${unit.path}`)
    const port = await chosenPort(ctx, null)
    const owner = (await observePort(ctx, port.port)).find((o) => o.verdict === 'runwisp')
    if (owner) reasons.push(`RunWisp answers on port ${port.port} (${owner.why})`)
    const facts = await runwispFacts(ctx)
    return {
      id: 'runwisp',
      detected: reasons.length > 0,
      forced: false,
      generation: facts.version ? `${facts.generation}` : facts.generation,
      generationReason: facts.reason,
      dataDir: state.dataDir,
      reasons,
    }
  },
}
