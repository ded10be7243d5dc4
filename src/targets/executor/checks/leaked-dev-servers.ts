import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {Finding} from '../../../types.js'
import {processEvidence} from '../identity.js'
import {DEV_PATTERN, locateProcessCheckout, readDevState, recordedInstance, type DevInstance} from '../dev/processes.js'
import {humanAge, isCheckout, requireCheckout} from '../dev/require.js'
import {orphanTerminatePlan} from '../dev/fix-plans.js'
import {documentedStep} from '../../../fix/documented.js'
import {excerpt} from '../../../text.js'

/**
 * `bun run reap`'s view of the machine (executor-facts §6), with what it lacks: the working
 * directory when the command line names no path, a deleted cwd as proof of a removed worktree,
 * and the `e2e/.dev/<target>.json` records RUNNING.md says to check before reaping. Live-checkout
 * servers are someone's running session (the reaper keeps them too): never a finding.
 */
export const executorLeakedDevServers: TargetCheck = {
  symptoms: ['executor/orphan-dev-server', 'executor/dev-instance-stale'],
  async detect(ctx, _target) {
    const checkout = await requireCheckout(ctx)
    if (!isCheckout(checkout)) return checkout
    const all = await ctx.processes.list()
    const candidates = all.filter((p) => p.pid !== process.pid && p.state !== 'Z' && DEV_PATTERN.test(p.cmdline))
    const findings: Finding[] = []
    const unknown: string[] = []
    const ownState = await readDevState(ctx, checkout.root)
    for (const proc of candidates) {
      const located = await locateProcessCheckout(ctx, proc)
      const states: DevInstance[] = [...ownState.instances]
      if (located.checkout && !located.gone && located.checkout !== checkout.root)
        states.push(...(await readDevState(ctx, located.checkout)).instances)
      const instance = await recordedInstance(ctx, proc, states)
      const age = humanAge(ctx.now() - proc.startedAtMs)
      const evidence = {
        ...processEvidence(proc),
        checkout: located.checkout,
        checkoutFoundVia: located.via,
        cwd: located.cwd,
        ageS: Math.round((ctx.now() - proc.startedAtMs) / 1000),
      }
      if (instance) {
        // A deliberate long-lived instance: fine while its runner lives.
        if (!instance.runnerAlive) {
          // Recorded by the e2e CLI: its own `down` tears it down; the doctor never signals it.
          const f = finding('executor/dev-instance-stale', {
            vars: {
              path: instance.path,
              target: instance.target,
              runnerPid: instance.runnerPid,
              pid: proc.pid,
              command: excerpt(proc.cmdline, 160),
              root: checkoutOf(instance.path),
            },
            evidence: {
              ...evidence,
              stateFile: instance.path,
              runnerPid: instance.runnerPid,
              childPids: instance.childPids,
              recordedStatus: instance.status,
            },
          })
          // Source: executor-facts §3.4
          findings.push({
            ...f,
            plan: [
              documentedStep(
                f,
                `${f.message} It is recorded in ${instance.path}, so only the e2e CLI's own \`down\` tears it down (it also removes the state file); the doctor never signals a recorded instance.`,
              ),
            ],
          })
        }
        continue
      }
      if (located.checkout === null) {
        unknown.push(`pid ${proc.pid} (${excerpt(proc.cmdline, 160)}): ${located.unknown}`)
        continue
      }
      if (!located.gone) continue
      findings.push(
        finding('executor/orphan-dev-server', {
          vars: {pid: proc.pid, command: excerpt(proc.cmdline, 160), checkout: located.checkout, via: located.via ?? 'command line', age},
          evidence,
          plan: await orphanTerminatePlan(ctx, {
            proc,
            located,
            root: checkout.root,
            why: `It has served deleted code from ${located.checkout} for ${age}, holding its ports.`,
          }),
        }),
      )
    }
    if (unknown.length > 0 && findings.length === 0)
      throw new Undetermined(
        `cannot tell which checkout ${unknown.length === 1 ? 'a dev process runs' : 'some dev processes run'} from: ${unknown.join('; ')}`,
      )
    return findings
  },
}

/** `<root>/e2e/.dev/<target>.json` → `<root>` */
const checkoutOf = (statePath: string) => statePath.replace(/\/e2e\/\.dev\/[^/]+$/, '')
