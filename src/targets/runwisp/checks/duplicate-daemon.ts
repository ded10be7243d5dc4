import {conclude, skip, type Skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {processEvidence} from '../identity.js'
import type {ServingDaemon, ServingDaemons} from '../../profile.js'
import {describeDaemon} from '../daemon-facts.js'
import {
  chosenPort,
  loadRunwispState,
  observePort,
  runningDaemons,
  runwispFacts,
  servesOurDataDir,
  type FactsWithReason,
  type PortOwner,
  type RunwispState,
} from '../state.js'
import {runwispPaths} from '../paths.js'
import {since} from '../generations.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * The state, facts and port to compare daemons against. "Another daemon" is a finding only for a
 * run with RunWisp state of its own: from a directory with none, the running daemon is adopted,
 * and with none adopted there is nothing to compare.
 */
async function comparedAgainst(ctx: CheckContext): Promise<Skip | {state: RunwispState; facts: FactsWithReason; port: number}> {
  const state = await loadRunwispState(ctx)
  const facts = await runwispFacts(ctx)
  const {port} = await chosenPort(ctx, facts)
  const none = await nothingOfOurs(ctx, state, port)
  return none ?? {state, facts, port}
}

async function nothingOfOurs(ctx: CheckContext, state: RunwispState, port: number): Promise<Skip | null> {
  if (state.ownState || state.adopted) return null
  const owners = (await observePort(ctx, port)).filter((o) => o.verdict === 'runwisp')
  if (owners.length === 0 && (await runningDaemons(ctx)).length === 0) return skip('no RunWisp daemon is running')
  return skip(
    `nothing of RunWisp's is in ${ctx.cwd} (no runwisp.toml, no data dir) and no running daemon was adopted: ${state.notAdopted ?? 'none fits'}`,
  )
}

/**
 * RunWisp's daemons for duplicate-daemon's generic half (the profile's `servingDaemons`): each
 * placed by its own generation's facts (daemon-facts.ts); the daemon this data dir's daemon.pid
 * names (or whose lock it holds) is this data dir's, whatever else is guessed about it.
 */
export async function runwispServingDaemons(ctx: CheckContext): Promise<ServingDaemons | Skip> {
  const compared = await comparedAgainst(ctx)
  if ('skip' in compared) return compared
  const {state, facts} = compared
  const daemons: ServingDaemon[] = []
  for (const d of await runningDaemons(ctx)) {
    const ours = await servesOurDataDir(ctx, d.proc.pid, d.dataDir?.dataDir ?? null)
    const serves = d.dataDir
      ? {path: d.dataDir.dataDir, how: d.dataDir.how}
      : ours
        ? {path: state.dataDir, how: `${state.paths.pidFile} names it`}
        : null
    daemons.push({proc: d.proc, serves, ours})
  }
  return {
    daemons,
    ...(since(facts, '0.16.0') === 'yes'
      ? {duplicateDetail: '0.16+ should refuse this; the lock on daemon.pid is not doing its job.'}
      : {}),
  }
}

/**
 * duplicate-daemon's RunWisp-only companion: a second RunWisp on our port, serving another data
 * dir (or password), is found from its identity endpoint's data dir or from the process's own
 * facts, judged by its own generation's rules — never by logging in: the login limit is 5 per IP
 * per 5 minutes (runwisp-facts §3.4), and a doctor must not lock a user out.
 */
export const runwispOtherDataDirDaemon: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/different-password', 'runwisp/other-data-dir-daemon'],
    async detect(ctx, _target) {
      const compared = await comparedAgainst(ctx)
      if ('skip' in compared) return compared
      const {state, port} = compared
      const findings: Finding[] = []
      const undecided: string[] = []
      const owners = (await observePort(ctx, port)).filter((o) => o.verdict === 'runwisp')
      if (owners.length === 0) return skip(`no RunWisp holds port ${port}`)
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
      return conclude(findings, undecided)
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
