import {conclude, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {processEvidence, redactCommand} from '../identity.js'
import {chosenPort, observePort, runwispFacts} from '../state.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * runwisp-facts §2.4–2.5: the port belongs to RunWisp when its identity endpoint (0.11+) says so
 * for the very process holding the port, or when that process is RunWisp. Anything else is the
 * "already in use by another process" of the daemon's own error.
 */
export const runwispPortSquatter: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/port-in-use'],
    async detect(ctx, _target) {
      const facts = await runwispFacts(ctx)
      const {port, source} = await chosenPort(ctx, facts)
      const findings: Finding[] = []
      const unknown: string[] = []
      for (const owner of await observePort(ctx, port)) {
        if (owner.verdict === 'foreign' && owner.proc) {
          findings.push(
            finding('runwisp/port-in-use', {
              vars: {
                port,
                address: owner.listener.address,
                pid: owner.proc.pid,
                command: redactCommand(owner.proc.cmdline),
                why: owner.why,
                freePort: port + 1,
              },
              evidence: {port, portSource: source, address: owner.listener.address, owner: processEvidence(owner.proc)},
            }),
          )
        } else if (owner.verdict === 'unknown') unknown.push(`${owner.listener.address}:${port}: ${owner.why}`)
      }
      return conclude(findings, unknown, 'cannot identify who holds')
    },
  }),
)
