import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {processEvidence, redactCommand} from '../identity.js'
import {describeDaemon} from '../daemon-facts.js'
import {
  chosenPort,
  loadRunwispState,
  observePort,
  runningDaemons,
  runwispFacts,
  servesOurDataDir,
  type PortOwner,
  type RunningDaemon,
} from '../state.js'
import {runwispPaths} from '../paths.js'
import {since} from '../generations.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * A second RunWisp on our port, serving another data dir (or password), is found from its identity
 * endpoint's data dir or from the process's own facts, judged by its own generation's rules —
 * never by logging in: the login limit is 5 per IP per 5 minutes (runwisp-facts §3.4), and a doctor
 * must not lock a user out. The daemon this data dir's daemon.pid names (or whose lock it holds) is
 * this data dir's daemon, whatever else is guessed about it. "Another daemon" is a finding only for
 * a run with RunWisp state of its own: from a directory with none, the running daemon is adopted.
 */
export const runwispDuplicateDaemon: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/different-password', 'runwisp/other-data-dir-daemon', 'runwisp/two-daemons-one-data-dir'],
    async detect(ctx, _target) {
      const state = await loadRunwispState(ctx)
      const facts = await runwispFacts(ctx)
      const {port} = await chosenPort(ctx, facts)
      const findings: Finding[] = []
      const undecided: string[] = []
      const owners = (await observePort(ctx, port)).filter((o) => o.verdict === 'runwisp')
      const daemons = await runningDaemons(ctx)
      if (!state.ownState && !state.adopted) {
        if (owners.length === 0 && daemons.length === 0) return skip('no RunWisp daemon is running')
        return skip(
          `nothing of RunWisp's is in ${ctx.cwd} (no runwisp.toml, no data dir) and no running daemon was adopted: ${state.notAdopted ?? 'none fits'}`,
        )
      }
      for (const owner of owners) {
        if (await servesOurDataDir(ctx, owner.pid, owner.dataDir?.dataDir ?? null)) continue
        if (!owner.dataDir) {
          const described = owner.proc ? (await describeDaemon(ctx, owner.proc)).dataDirUnknown : null
          undecided.push(
            `RunWisp${owner.pid ? ` pid ${owner.pid}` : ''} holds port ${port}, but its data dir cannot be told${described ? `: ${described}` : ''}`,
          )
          continue
        }
        const f = await otherDaemonFinding(ctx, owner, port, state.dataDir)
        if (f) findings.push(f)
      }
      const ours: RunningDaemon[] = []
      for (const d of daemons) if (await servesOurDataDir(ctx, d.proc.pid, d.dataDir?.dataDir ?? null)) ours.push(d)
      if (ours.length > 1) {
        const sorted = [...ours].sort((a, b) => a.proc.startedAtMs - b.proc.startedAtMs)
        findings.push(
          finding('runwisp/two-daemons-one-data-dir', {
            vars: {
              count: ours.length,
              dataDir: state.dataDir,
              list: sorted.map((d) => `pid ${d.proc.pid} (${redactCommand(d.proc.cmdline)})`).join('; '),
              extraPids: sorted
                .slice(1)
                .map((d) => d.proc.pid)
                .join(' '),
            },
            evidence: {
              dataDir: state.dataDir,
              daemons: sorted.map((d) => ({...processEvidence(d.proc), how: d.dataDir?.how ?? `${state.paths.pidFile} names it`})),
            },
            ...(since(facts, '0.16.0') === 'yes' ? {detail: '0.16+ should refuse this; the lock on daemon.pid is not doing its job.'} : {}),
          }),
        )
      }
      if (findings.length > 0) return findings
      if (undecided.length > 0) throw new Undetermined(undecided.join('; '))
      if (owners.length === 0 && daemons.length === 0) return skip('no RunWisp daemon is running')
      return []
    },
  }),
)

async function otherDaemonFinding(ctx: CheckContext, owner: PortOwner, port: number, dataDir: string): Promise<Finding | null> {
  const other = owner.dataDir!.dataDir
  const pid = owner.pid ?? owner.identity?.pid ?? 'unknown'
  const evidence = {
    port,
    otherDataDir: other,
    how: owner.dataDir!.how,
    ourDataDir: dataDir,
    ...(owner.proc ? {owner: processEvidence(owner.proc)} : {}),
    identityEndpoint: owner.identityPath ?? null,
  }
  const common = {port, pid, otherDataDir: other, dataDir, freePort: port + 1}
  // 0.11+ answers an identity endpoint and prints the "different data directory" form (§2.4).
  if (owner.identityPath) {
    const identity = owner.identity
    return finding('runwisp/other-data-dir-daemon', {
      vars: {
        ...common,
        version: identity?.version ? `v${identity.version.replace(/^v/, '')}` : '(version unknown)',
        otherConfig: identity?.configPath ?? 'unknown',
        otherSocket: identity?.socketPath ?? runwispPaths(other).socket,
      },
      evidence,
    })
  }
  // ≤0.10: the CLI logs in and gets 401. Compare the passwords it would use, without sending any.
  const ours = await effectivePassword(ctx, ctx.env.RUNWISP_PASSWORD, dataDir)
  const theirs = await effectivePassword(
    ctx,
    owner.proc ? (await ctx.processes.environ(owner.proc.pid))?.RUNWISP_PASSWORD : undefined,
    other,
  )
  if (ours !== null && theirs !== null && ours === theirs) return null
  const passwordNote =
    ours !== null && theirs !== null
      ? ' with a different password'
      : ' (its password could not be compared; a daemon of another data dir normally has its own)'
  return finding('runwisp/different-password', {
    vars: {...common, passwordNote},
    evidence: {...evidence, passwordsCompared: ours !== null && theirs !== null},
  })
}

/** ≤0.4 resolution: RUNWISP_PASSWORD, else `<data>/password` (runwisp-facts §1.2). The value never leaves this function. */
async function effectivePassword(ctx: CheckContext, env: string | undefined, dataDir: string): Promise<string | null> {
  if (env) return env
  const read = await ctx.files.read(runwispPaths(dataDir).password, 4096)
  return read.ok ? read.text.trim() : null
}
