/**
 * Fix plans shared by the dev-checkout checks: stopping a verified orphan dev server (the reaper's
 * job, executor-facts §6, done only on proof), and telling which dev servers of a checkout are
 * alive (a cache must not be pulled from under a running Vite without a confirm).
 */
import type {CheckContext} from '../../../context.js'
import {processFingerprint} from '../../../fix/process-control.js'
import {manualStep, terminateStep} from '../../../fix/steps.js'
import type {FixStep} from '../../../fix/types.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import {DEV_PATTERN, locateProcessCheckout, processGroup, readDevState, recordedInstance, type ProcessCheckout} from './processes.js'

const short = (text: string, max = 100) => (text.length > max ? `${text.slice(0, max)}…` : text)

/** Dev servers (the reaper's pattern) running from `root`, which exists: someone's running session. */
export function liveDevServers(ctx: CheckContext, root: string): Promise<ProcessInfo[]> {
  return ctx.memo(`executor:live-dev-servers:${root}`, async () => {
    const out: ProcessInfo[] = []
    for (const proc of await ctx.processes.list()) {
      if (proc.pid === process.pid || proc.state === 'Z' || !DEV_PATTERN.test(proc.cmdline)) continue
      const located = await locateProcessCheckout(ctx, proc)
      if (located.checkout === root && !located.gone) out.push(proc)
    }
    return out
  })
}

/**
 * Whether the whole process group of `proc` may be signalled with it: `proc` leads the group and
 * every other member descends from it and is recorded by no e2e instance. Otherwise only `proc`
 * itself is signalled (its children then lose their parent, and a later run sees them).
 */
async function groupIsItsOwn(ctx: CheckContext, proc: ProcessInfo, root: string | null): Promise<boolean> {
  if ((await processGroup(ctx, proc.pid)) !== proc.pid) return false
  const all = await ctx.processes.list()
  const byPid = new Map(all.map((p) => [p.pid, p]))
  const descends = (p: ProcessInfo) => {
    for (let current: ProcessInfo | undefined = p, depth = 0; current && depth < 64; current = byPid.get(current.ppid), depth++) {
      if (current.ppid === proc.pid) return true
    }
    return false
  }
  const states = root ? (await readDevState(ctx, root)).instances : []
  for (const member of all) {
    if (member.pid === proc.pid || member.pgrp !== proc.pid) continue
    if (!descends(member) || (await recordedInstance(ctx, member, states)) !== null) return false
  }
  return true
}

export interface OrphanInit {
  proc: ProcessInfo
  located: ProcessCheckout
  /** The checkout being checked: its e2e/.dev records are consulted for the process group. */
  root: string | null
  /** What the orphan is doing wrong here (squatting a port, serving deleted code). */
  why: string
}

/**
 * SIGTERM after a confirm to a dev server verified as an orphan: it matches the reaper's pattern,
 * its checkout no longer exists, and no e2e/.dev state file records it (the caller has checked).
 * Its identity is pinned: pid, start time, executable, command line and working dir. Without a
 * readable working dir the identity is incomplete, and the step is manual.
 */
export function orphanTerminatePlan(ctx: CheckContext, init: OrphanInit): Promise<FixStep[]> {
  return ctx.memo(`executor:orphan-plan:${init.proc.pid}:${init.proc.startedAtMs}`, async () => {
    const {proc, located} = init
    const checkout = located.checkout ?? 'a removed checkout'
    if (located.cwd === null) {
      return [
        manualStep({
          title: `Stop the orphaned dev server pid ${proc.pid} yourself`,
          why: `${init.why} Its working directory cannot be read (another user's process?), so its identity cannot be pinned and the doctor does not signal it.`,
          instructions: [
            `ps -o pid,pgid,lstart,args -p ${proc.pid}`,
            `kill -TERM -- -${proc.pid}   # its process group, as the reaper does, if it leads one`,
          ],
        }),
      ]
    }
    const fp = processFingerprint(proc, {
      envKeys: [],
      environ: null,
      cwd: located.cwd,
      dataDir: located.checkout,
      verifiedBecause: `it matches the reaper's dev-server pattern, runs from ${checkout}, which no longer exists (told by its ${located.via ?? 'command line'}), and no e2e/.dev state file records it`,
    })
    const group = await groupIsItsOwn(ctx, proc, init.root)
    return [
      terminateStep({
        process: fp,
        group,
        title: `Stop the orphaned dev server pid ${proc.pid}${group ? ' and its process group' : ''} (${short(proc.cmdline)})`,
        // Source: executor-facts §6
        why: `${init.why} Nobody can reach it through its checkout any more; \`bun run reap\` would stop it too if its command line named the path.`,
      }),
    ]
  })
}

/** Before a cache of a running checkout is moved: stop its dev servers (RUNNING.md: "Kill the server, clear …, reboot"). */
export function stopLiveServersStep(root: string, live: ProcessInfo[]): FixStep {
  return manualStep({
    title: `Stop the ${live.length} dev server${live.length === 1 ? '' : 's'} of ${root} before the cache is moved`,
    // Source: executor-facts §7.2
    why: 'A running Vite keeps serving what it loaded and may write into the cache while it is being moved: stop it (Ctrl-C in its terminal), let the doctor move the cache, then start it again the way you started it.',
    instructions: live.map((p) => `kill -TERM ${p.pid}   # ${short(p.cmdline, 80)}`),
  })
}
