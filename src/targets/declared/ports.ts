/**
 * Who holds a declared port, judged against the profile's process identity. One observation per
 * port and run (memoised), shared by daemon-health and port-squatter, so both name the same holder.
 */
import type {CheckContext} from '../../context.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {Listener} from '../../probes/sockets.js'
import type {TargetFacts} from '../profile.js'
import {identify, type Identity} from './identity.js'

export type Holder =
  | {listener: Listener; verdict: 'match' | 'other' | 'undeclared'; proc: ProcessInfo; identity: Identity}
  | {listener: Listener; verdict: 'unknown'; why: string}

export function observePort(ctx: CheckContext, profile: TargetFacts, port: number): Promise<Holder[]> {
  return ctx.memo(`declared:${profile.id}:port:${port}`, async () => {
    const holders: Holder[] = []
    for (const listener of await ctx.sockets.onPort(port)) {
      const owner = await ctx.sockets.owner(listener)
      if (owner.pid === null) {
        holders.push({listener, verdict: 'unknown', why: owner.reason})
        continue
      }
      const lookup = await ctx.processes.get(owner.pid)
      if (lookup.alive !== true) {
        holders.push({
          listener,
          verdict: 'unknown',
          why: lookup.alive === false ? `pid ${owner.pid} exited while it was inspected` : lookup.reason,
        })
        continue
      }
      const identity = await identify(ctx, profile, lookup.info)
      holders.push({listener, verdict: identity.verdict, proc: lookup.info, identity})
    }
    return holders
  })
}

/** The address to reach a listener at: a wildcard bind is reached on loopback. */
export function reachAt(listener: Listener): string {
  if (listener.address === '0.0.0.0') return '127.0.0.1'
  if (listener.address === '::') return '::1'
  return listener.address
}

/** Every port the profile declares (its `ports` and its health port), once each. */
export function declaredPorts(profile: TargetFacts): number[] {
  const health = profile.health?.port
  return [...new Set([...profile.ports, ...(typeof health === 'number' ? [health] : [])])]
}
