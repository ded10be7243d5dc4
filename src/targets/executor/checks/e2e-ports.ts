import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {bindProbe, connectProbe, socketsOnLocalPort} from '../../../probes/ports.js'
import type {Listener} from '../../../probes/sockets.js'
import type {Evidence, Finding} from '../../../types.js'
import {processEvidence} from '../identity.js'
import {BLOCK_SIZE, LOCK_OFFSET, PORT_CLAIMS, pinnedClaims, portBlock} from '../dev/ports.js'
import {DEV_PATTERN, locateProcessCheckout, readDevState, recordedInstance, type ProcessCheckout} from '../dev/processes.js'
import {orphanTerminatePlan} from '../dev/fix-plans.js'
import {documentedStep} from '../../../fix/documented.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import {isCheckout, requireCheckout} from '../dev/require.js'
import {excerpt} from '../../../text.js'

type PortState = 'free' | 'busy'

/**
 * `bindProbe` of e2e/src/ports.ts (1.5.35): connect to 127.0.0.1 and ::1 (either answering means
 * busy), then bind 0.0.0.0, then bind :: with ipv6Only. Outbound sockets with that local port make
 * the binds fail although nothing listens: that is a squatter too.
 */
async function probePort(port: number): Promise<PortState> {
  const [v4, v6] = await Promise.all([connectProbe('127.0.0.1', port), connectProbe('::1', port)])
  if (v4 === 'accepted' || v6 === 'accepted') return 'busy'
  if ((await bindProbe('0.0.0.0', port)) === 'in-use') return 'busy'
  if ((await bindProbe('::', port, {ipv6Only: true})) === 'in-use') return 'busy'
  return 'free'
}

interface Holder {
  /** "pid 123 (vite dev) running from checkout /x, working directory /x/apps/cloud" */
  description: string
  pid: number | null
  /** True when the holder is this checkout's own: its suite (or a process it started), or recorded in e2e/.dev. */
  ours: boolean
  evidence: Evidence
  /** Set when the holder is a verified orphan: a dev server of a removed checkout that no e2e/.dev file records. */
  orphan?: {proc: ProcessInfo; located: ProcessCheckout}
}

/**
 * What makes a holder this checkout's own. Running from inside the checkout proves nothing: a
 * server left by an earlier crashed run, or any program started there, runs from it too, and the
 * suite treats it as a squatter (it keeps the lock of a half-busy block and walks on, executor-facts
 * §3.3 step 5). So a holder is ours only when it is recorded in `e2e/.dev/<target>.json` (the pid
 * verified to be the recorded process), or when it is this checkout's suite: the process holding
 * the block's lock, or one it started (its descendant; the suite boots its servers as children).
 */
type Ownership = {kind: 'lock'} | {kind: 'claim'; suitePids: ReadonlySet<number>}

/** Whether `proc` is one of `pids` or descends from one (its parent chain, as it is now). */
async function descendsFrom(ctx: CheckContext, proc: ProcessInfo, pids: ReadonlySet<number>): Promise<boolean> {
  if (pids.size === 0) return false
  let current: ProcessInfo | null = proc
  for (let depth = 0; current && depth < 64; depth++) {
    if (pids.has(current.pid)) return true
    if (current.ppid <= 1) return false
    const parent = await ctx.processes.get(current.ppid)
    current = parent.alive === true ? parent.info : null
  }
  return false
}

/** Who holds `port`: its listeners, or else the sockets using it as their local port. */
async function holdersOf(ctx: CheckContext, root: string, port: number, ownership: Ownership): Promise<Holder[]> {
  let sockets: Array<{listener: Listener; outbound: string | null}> = (await ctx.sockets.onPort(port)).map((listener) => ({
    listener,
    outbound: null,
  }))
  if (sockets.length === 0) {
    sockets = (await socketsOnLocalPort(port)).map((s) => ({
      listener: {protocol: s.protocol, address: '', port, inode: s.inode, uid: s.uid},
      outbound: s.state === '06' ? 'a TIME_WAIT socket' : 'an outbound connection',
    }))
  }
  const holders: Holder[] = []
  const seen = new Set<number>()
  const devState = await readDevState(ctx, root)
  for (const {listener, outbound} of sockets) {
    const owner = listener.inode > 0 ? await ctx.sockets.owner(listener) : {pid: null, reason: 'the kernel holds it (no owning process)'}
    if (owner.pid === null) {
      holders.push({
        description: `${outbound ?? 'a listener'} whose process the doctor cannot see (${owner.reason})`,
        pid: null,
        ours: false,
        evidence: {port, uid: listener.uid, reason: owner.reason},
      })
      continue
    }
    if (seen.has(owner.pid)) continue
    seen.add(owner.pid)
    const lookup = await ctx.processes.get(owner.pid)
    if (lookup.alive !== true) {
      holders.push({
        description: `pid ${owner.pid}, which exited while being inspected`,
        pid: owner.pid,
        ours: false,
        evidence: {port, pid: owner.pid},
      })
      continue
    }
    const proc = lookup.info
    const located = await locateProcessCheckout(ctx, proc)
    const instance = await recordedInstance(ctx, proc, devState.instances)
    const runsHere = located.isExecutorCheckout && located.checkout === root && !located.gone
    const suite = ownership.kind === 'lock' ? runsHere : await descendsFrom(ctx, proc, ownership.suitePids)
    const where = located.checkout
      ? `${located.gone ? 'a removed checkout ' : located.isExecutorCheckout ? 'checkout ' : ''}${located.checkout}`
      : 'an unknown directory'
    const what = outbound ? `${outbound} of pid ${proc.pid}` : `pid ${proc.pid}`
    const cwd = located.cwd ?? 'unreadable'
    const note = instance
      ? `, recorded in ${instance.path}`
      : suite && ownership.kind === 'claim'
        ? ", started by this checkout's e2e suite"
        : !suite && runsHere && ownership.kind === 'claim'
          ? ", neither started by this checkout's e2e suite nor recorded in e2e/.dev"
          : ''
    holders.push({
      description: `${what} (${excerpt(proc.cmdline)}) running from ${where}, working directory ${cwd}${note}`,
      pid: proc.pid,
      ours: suite || instance !== null,
      evidence: {
        ...processEvidence(proc),
        cwd: located.cwd,
        checkout: located.checkout,
        checkoutGone: located.gone,
        recordedIn: instance?.path ?? null,
        startedBySuite: ownership.kind === 'claim' ? suite : null,
      },
      ...(located.gone && located.checkout && instance === null && DEV_PATTERN.test(proc.cmdline) ? {orphan: {proc, located}} : {}),
    })
  }
  return holders
}

const stopCommand = (holder: Holder | undefined, port: number) => (holder?.pid ? `kill -TERM ${holder.pid}` : `ss -ltnp 'sport = :${port}'`)

/**
 * A squatter that is a verified orphan dev server (its checkout is gone, no e2e/.dev file records
 * it) is stopped after a confirm; anything else — another checkout's live suite, a foreign
 * program — is only named, with the documented commands: the doctor never signals it.
 */
async function holderPlan(ctx: CheckContext, root: string, holder: Holder | undefined, port: number, f: Finding): Promise<Finding> {
  if (holder?.orphan) {
    const {proc, located} = holder.orphan
    return {
      ...f,
      plan: await orphanTerminatePlan(ctx, {
        proc,
        located,
        root,
        why: `It holds port ${port} of this checkout's e2e block, and its own checkout ${located.checkout} no longer exists.`,
      }),
    }
  }
  // Source: executor-facts §3.3
  return {
    ...f,
    plan: [
      documentedStep(
        f,
        `${f.message} The holder is not a verified orphan dev server of a removed checkout, so the doctor does not signal it.`,
      ),
    ],
  }
}

export const executorE2ePorts: TargetCheck = {
  symptoms: ['executor/e2e-port-squatted', 'executor/e2e-pinned-port-busy', 'executor/e2e-pin-invalid', 'executor/e2e-block-locked'],
  async detect(ctx, _target) {
    const checkout = await requireCheckout(ctx)
    if (!isCheckout(checkout)) return checkout
    const {root} = checkout
    const block = portBlock(root)
    const blockEnd = block + BLOCK_SIZE - 1
    const lockPort = block + LOCK_OFFSET
    const findings: Finding[] = []
    const unknown: string[] = []

    // The lock at offset 9: a listener there is a running suite (its lock accepts connections).
    const lockHeld = (await connectProbe('127.0.0.1', lockPort)) === 'accepted'
    const lockHolders = lockHeld ? await holdersOf(ctx, root, lockPort, {kind: 'lock'}) : []
    const lock: Evidence = {
      port: lockPort,
      held: lockHeld,
      heldBy: lockHolders.map((h) => h.description),
      byThisCheckout: lockHeld && lockHolders.length > 0 && lockHolders.every((h) => h.ours),
    }
    const common = {root, block, blockEnd, hashedPath: root, lock}
    const claim: Ownership = {kind: 'claim', suitePids: new Set(lockHolders.filter((h) => h.ours && h.pid !== null).map((h) => h.pid!))}
    if (lockHeld && !lock.byThisCheckout) {
      const holder = lockHolders.find((h) => !h.ours)
      const f = finding('executor/e2e-block-locked', {
        vars: {
          block,
          lockPort,
          root,
          owner: holder?.description ?? 'a process the doctor cannot identify',
          stop: stopCommand(holder, lockPort),
        },
        evidence: {...common, holder: holder?.evidence ?? null},
      })
      findings.push(await holderPlan(ctx, root, holder, lockPort, f))
    }

    // Pins: used as-is by the suite, never probed; the doctor probes them anyway.
    const pins = pinnedClaims(ctx.env, block)
    for (const pin of pins) {
      const numeric = Number(pin.raw)
      if (!numeric || pin.port === null) {
        const consequence =
          pin.port === null
            ? '; the boot fails to bind it'
            : `; e2e/src/ports.ts reads Number(value) || default, so the suite silently uses ${pin.port} without probing or locking it`
        const invalid = finding('executor/e2e-pin-invalid', {
          vars: {envVar: pin.envVar, raw: pin.raw, consequence},
          evidence: {...common, envVar: pin.envVar, value: pin.raw, effectivePort: pin.port},
        })
        findings.push({...invalid, plan: [documentedStep(invalid)]})
        if (pin.port === null) continue
      }
      if ((await probePort(pin.port)) === 'free') continue
      const holders = await holdersOf(ctx, root, pin.port, claim)
      const foreign = holders.find((h) => !h.ours)
      if (holders.length > 0 && !foreign) continue
      const busy = finding('executor/e2e-pinned-port-busy', {
        vars: {
          envVar: pin.envVar,
          raw: pin.raw,
          label: pin.label,
          port: pin.port,
          owner: foreign?.description ?? 'a process the doctor cannot identify',
          stop: stopCommand(foreign, pin.port),
        },
        evidence: {...common, envVar: pin.envVar, port: pin.port, holder: foreign?.evidence ?? null},
      })
      findings.push(await holderPlan(ctx, root, foreign, pin.port, busy))
    }

    // Unpinned claims: probe as the suite does and name every squatter.
    const pinnedVars = new Set(pins.map((p) => p.envVar))
    const offsets = [...new Set(PORT_CLAIMS.filter((c) => !pinnedVars.has(c.envVar)).map((c) => c.offset))]
    const states = await Promise.all(
      offsets.map(async (offset) => ({offset, port: block + offset, state: await probePort(block + offset)})),
    )
    for (const {offset, port, state} of states) {
      if (state === 'free') continue
      const label = PORT_CLAIMS.filter((c) => c.offset === offset && !pinnedVars.has(c.envVar))
        .map((c) => c.envVar)
        .join(' / ')
      const holders = await holdersOf(ctx, root, port, claim)
      if (holders.length === 0) {
        unknown.push(`port ${port} refuses binding but no socket on it is visible`)
        continue
      }
      for (const holder of holders.filter((h) => !h.ours)) {
        const squatted = finding('executor/e2e-port-squatted', {
          vars: {port, label, block, blockEnd, owner: holder.description, root, stop: stopCommand(holder, port)},
          evidence: {...common, port, offset, claim: label, holder: holder.evidence},
        })
        findings.push(await holderPlan(ctx, root, holder, port, squatted))
      }
    }
    if (unknown.length > 0 && findings.length === 0) throw new Undetermined(unknown.join('; '), {block})
    return findings
  },
}
