/**
 * daemon-log-errors: the tails of the target's logs (Executor: logs/daemon.error.log; RunWisp:
 * daemon.log; a declared target: its declared logs), matched against the failure lines it is known
 * to print (a declared target: its declared symptoms' patterns), in order: the first matching
 * symptom of a line wins. Lines older than the running daemon (the log's mtime against its start)
 * are warnings from an earlier boot (src/log-findings.ts).
 */
import {defineCheck, skip, Undetermined, writtenOnce, type DeclaredCheck} from '../src/check.js'
import type {CheckContext} from '../src/context.js'
import {documentedStep} from '../src/fix/documented.js'
import {logFindings, type LogRule} from '../src/log-findings.js'
import type {ProcessInfo} from '../src/probes/processes.js'
import {identify} from '../src/targets/declared/identity.js'
import {declaredPorts, observePort} from '../src/targets/declared/ports.js'
import {executorProfile} from '../src/targets/executor/profile.js'
import type {TargetFacts} from '../src/targets/profile.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import type {Finding} from '../src/types.js'

/** Enough for the last boots (RunWisp truncates its log on every self-spawn), bounded for a 2 GB log. */
const TAIL_BYTES = 256 * 1024

const daemonLogErrors: DeclaredCheck = {
  symptoms: ['declared'],
  async detect(ctx, profile) {
    if (profile.logs.length === 0) return skip(`${profile.id} declares no log files`)
    if (profile.symptoms.length === 0) return skip(`${profile.id} declares no symptoms to look for in its logs`)
    const rules: LogRule[] = profile.symptoms.flatMap((s) => s.patterns.map((test) => ({symptom: s.id, test})))
    const vars = {name: profile.name, ...(await profile.hooks?.messageVars?.(ctx))}
    const runningSinceMs = (await liveDaemon(ctx, profile))?.startedAtMs ?? null
    const findings: Finding[] = []
    let read = 0
    for (const path of profile.logs) {
      const tail = await ctx.files.tail(path, TAIL_BYTES)
      if (!tail.ok) {
        if (tail.code === 'ENOENT' || tail.code === 'ENOTDIR') continue
        if (tail.code === 'ELOOP') throw new Undetermined(`${path} is a symlink; the doctor does not follow it`, {path})
        throw new Undetermined(`cannot read ${path} (${tail.code}): ${tail.message}`, {path, error: tail.code})
      }
      read++
      if (!profile.tolerateBinaryLog && tail.lines.some((l) => l.includes('\u0000')))
        throw new Undetermined(`${path} holds binary data, not log lines`, {path})
      findings.push(...logFindings(path, tail, rules, {vars, runningSinceMs}))
    }
    if (read === 0)
      return skip(
        profile.logsAbsent
          ? `no ${profile.logs.join(', ')}: ${profile.logsAbsent}`
          : `none of ${profile.id}'s logs exists yet (${profile.logs.join(', ')})`,
      )
    return findings.map((f) => ({...f, plan: [documentedStep(f)]}))
  },
}

/** The running daemon: the product's own answer, else the verified holder of a declared port, else the live pid in its pid file. */
async function liveDaemon(ctx: CheckContext, profile: TargetFacts): Promise<ProcessInfo | null> {
  if (profile.hooks?.liveDaemon) return profile.hooks.liveDaemon(ctx)
  for (const port of declaredPorts(profile)) {
    const holder = (await observePort(ctx, profile, port)).find((h) => h.verdict === 'match')
    if (holder && holder.verdict === 'match') return holder.proc
  }
  if (!profile.pidFile) return null
  const read = await ctx.files.read(profile.pidFile.path, 64)
  if (!read.ok || !/^\d{1,10}$/.test(read.text.trim())) return null
  const lookup = await ctx.processes.get(Number(read.text.trim()))
  if (lookup.alive !== true) return null
  return (await identify(ctx, profile, lookup.info)).verdict === 'match' ? lookup.info : null
}

export default defineCheck({
  id: 'daemon-log-errors',
  title: 'Check the daemon log for known failures',
  description:
    "The tail of the daemon log (Executor: logs/daemon.error.log; RunWisp: daemon.log; a declared target: its declared logs) is matched against the failure lines the product is known to print (a declared target: its declared symptoms' patterns).",
  fixable: false,
  ...writtenOnce(daemonLogErrors, [executorProfile, runwispProfile]),
})
