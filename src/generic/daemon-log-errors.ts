/**
 * daemon-log-errors for a declared target: the tails of its declared logs, matched against its
 * declared symptoms' patterns (in declaration order: the first matching symptom of a line wins).
 * Lines older than the running daemon (by the log's mtime against its start) are warnings from an
 * earlier boot, as for the built-in targets (src/log-findings.ts).
 */
import {skip, Undetermined, type DeclaredCheck} from '../check.js'
import type {CheckContext} from '../context.js'
import {documentedStep} from '../fix/documented.js'
import {logFindings, type LogRule} from '../log-findings.js'
import {identify} from '../targets/declared/identity.js'
import {declaredPorts, observePort} from '../targets/declared/ports.js'
import type {TargetProfile} from '../targets/profile.js'
import type {Finding} from '../types.js'

const TAIL_BYTES = 256 * 1024

export const declaredDaemonLogErrors: DeclaredCheck = {
  symptoms: ['declared'],
  async detect(ctx, profile) {
    if (profile.logs.length === 0) return skip(`${profile.id} declares no log files`)
    if (profile.symptoms.length === 0) return skip(`${profile.id} declares no symptoms to look for in its logs`)
    const rules: LogRule[] = profile.symptoms.flatMap((s) => s.patterns.map((test) => ({symptom: s.id, test})))
    const runningSinceMs = await daemonStartedAt(ctx, profile)
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
      if (tail.lines.some((l) => l.includes('\u0000'))) throw new Undetermined(`${path} holds binary data, not log lines`, {path})
      findings.push(...logFindings(path, tail, rules, {vars: {name: profile.name}, runningSinceMs}))
    }
    if (read === 0) return skip(`none of ${profile.id}'s logs exists yet (${profile.logs.join(', ')})`)
    return findings.map((f) => ({...f, plan: [documentedStep(f)]}))
  },
}

/** When the running daemon started: the matching holder of a declared port, or the live pid in its pid file. */
async function daemonStartedAt(ctx: CheckContext, profile: TargetProfile): Promise<number | null> {
  for (const port of declaredPorts(profile)) {
    const holder = (await observePort(ctx, profile, port)).find((h) => h.verdict === 'match')
    if (holder && holder.verdict === 'match') return holder.proc.startedAtMs
  }
  if (!profile.pidFile) return null
  const read = await ctx.files.read(profile.pidFile.path, 64)
  if (!read.ok || !/^\d{1,10}$/.test(read.text.trim())) return null
  const lookup = await ctx.processes.get(Number(read.text.trim()))
  if (lookup.alive !== true) return null
  return (await identify(ctx, profile, lookup.info)).verdict === 'match' ? lookup.info.startedAtMs : null
}
