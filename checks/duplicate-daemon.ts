/**
 * duplicate-daemon: at most one daemon of the target serves its data dir. Written once: the
 * daemons are the processes of the target's identity (a declared target: those matching its
 * `process`, a worker or fork of one counted as that one; a built-in: its `servingDaemons` hook,
 * judged by its own rules), and each says which data dir it serves (a declared target: by its
 * `dataDir.servedBy` rules; without them the check skips, saying so). Two or more on the target's
 * data dir fail, naming every pid, oldest first. What only a product can tell runs beside it:
 * Executor's daemon registered nowhere, RunWisp's daemon of another data dir (or password) on its
 * port. The doctor never signals a duplicate: which one is the one you meant is yours to say.
 */
import {conclude, defineCheck, skip, writtenOnce, type DeclaredCheck} from '../src/check.js'
import {declaredFinding} from '../src/targets/declared/facts.js'
import {processEvidence, redactCommand} from '../src/targets/declared/identity.js'
import {declaredServingDaemons, sameDataDir} from '../src/targets/declared/served-by.js'
import {executorUnregisteredDaemon} from '../src/targets/executor/checks/duplicate-daemon.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import type {ServingDaemon} from '../src/targets/profile.js'
import {runwispOtherDataDirDaemon} from '../src/targets/runwisp/checks/duplicate-daemon.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import type {Finding} from '../src/types.js'

const duplicateDaemon: DeclaredCheck = {
  symptoms: ['duplicate-daemon'],
  async detect(ctx, profile) {
    const dir = profile.dataDir
    if (!dir) return skip(`${profile.id} declares no data dir`)
    let census
    if (profile.hooks?.servingDaemons) census = await profile.hooks.servingDaemons(ctx)
    else if (!profile.process) return skip(`${profile.id} declares no process identity, so its daemons cannot be told from other programs`)
    else if (!dir.servedBy?.length)
      return skip(
        `${profile.id} does not declare how to tell the data dir a daemon serves (dataDir.servedBy), so two daemons on one data dir cannot be told apart from two data dirs`,
      )
    else census = {daemons: await declaredServingDaemons(ctx, profile, dir.servedBy)}
    if ('skip' in census) return census
    if (census.daemons.length === 0) return skip(`no ${profile.name} daemon process is running`)
    const ours: ServingDaemon[] = []
    const undecided: string[] = []
    for (const d of census.daemons) {
      if (d.ours || (d.serves && 'path' in d.serves && (await sameDataDir(ctx, d.serves.path, dir.path)))) ours.push(d)
      else if (d.serves && 'unknown' in d.serves) undecided.push(`pid ${d.proc.pid}: ${d.serves.unknown}`)
    }
    const findings: Finding[] = []
    if (ours.length > 1) {
      const sorted = [...ours].sort((a, b) => a.proc.startedAtMs - b.proc.startedAtMs)
      findings.push(
        declaredFinding(profile, 'duplicate-daemon', {
          vars: {
            count: ours.length,
            dataDir: dir.path,
            list: sorted.map((d) => `pid ${d.proc.pid} (${redactCommand(profile, d.proc.cmdline)})`).join('; '),
            pids: sorted.map((d) => d.proc.pid).join(','),
            extraPids: sorted
              .slice(1)
              .map((d) => d.proc.pid)
              .join(' '),
          },
          evidence: {
            dataDir: dir.path,
            daemons: sorted.map((d) => ({
              ...processEvidence(profile, d.proc),
              ...(d.serves && 'how' in d.serves && d.serves.how ? {how: d.serves.how} : {}),
            })),
          },
          ...(census.duplicateDetail ? {detail: census.duplicateDetail} : {}),
        }),
      )
    }
    // One daemon of ours and one that cannot be placed may be two on this data dir: not a pass.
    const verdict = conclude(findings, ours.length + undecided.length > 1 ? undecided : [], 'cannot tell which data dir is served by')
    return profile.hooks?.guardPlans ? profile.hooks.guardPlans(ctx, verdict) : verdict
  },
}

export default defineCheck({
  id: 'duplicate-daemon',
  title: 'Check only one daemon owns the data dir',
  description:
    'Two daemons against one data dir fight over its database; a daemon nobody registered, or one of another data dir on the port, cannot be used by clients (a declared target: the processes matching its identity, placed by its dataDir.servedBy).',
  fixable: false,
  ...writtenOnce(duplicateDaemon, [executorProfile, runwispProfile], {
    executor: executorUnregisteredDaemon,
    runwisp: runwispOtherDataDirDaemon,
  }),
})
