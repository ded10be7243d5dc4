/**
 * Whether a process is the declared daemon (issue 14 §2 `process`). A name matches the kernel's
 * short name (`/proc/<pid>/comm`, at most 15 characters) or argv[0]'s basename; an executable
 * matches the resolved executable path, that path with the declared one's symlinks resolved, or
 * its basename. So identity survives a daemon rewriting its argv (redis sets its title to
 * "redis-server 127.0.0.1:6379") and a multi-call binary behind a symlink (Debian's
 * /usr/bin/redis-server → redis-check-rdb: the kernel reports the link's target as exe and the
 * link's name as comm).
 */
import {basename, isAbsolute} from 'node:path'
import type {CheckContext} from '../../context.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {Evidence} from '../../types.js'
import type {TargetFacts} from '../profile.js'
import {resolveLinks} from './links.js'

export type Identity = {verdict: 'match'; why: string} | {verdict: 'other'; why: string} | {verdict: 'undeclared'; why: string}

/** Kernel short names are truncated to 15 bytes (TASK_COMM_LEN - 1). */
const COMM_LEN = 15

/** The declared executables, each as written and as resolved (memoised per run). */
export function declaredExecutables(ctx: CheckContext, profile: TargetFacts): Promise<Set<string>> {
  return ctx.memo(`declared:${profile.id}:executables`, async () => {
    const out = new Set<string>()
    for (const exe of profile.process?.executables ?? []) {
      out.add(exe)
      if (isAbsolute(exe)) out.add(await resolveLinks(ctx, exe))
    }
    return out
  })
}

/** argv[0] as the process shows it, without a rewritten title's arguments ("redis-server 127.0.0.1:6379"). */
function argv0Name(proc: ProcessInfo): string | null {
  const first = proc.argv[0]
  if (!first) return null
  return basename(first.split(/\s/)[0] ?? first)
}

export async function identify(ctx: CheckContext, profile: TargetFacts, proc: ProcessInfo): Promise<Identity> {
  const declared = profile.process
  if (!declared || (declared.names.length === 0 && declared.executables.length === 0)) {
    return {verdict: 'undeclared', why: `${profile.id} declares no process identity`}
  }
  for (const name of declared.names) {
    if (proc.comm === name.slice(0, COMM_LEN)) return {verdict: 'match', why: `its name (comm) is ${proc.comm}`}
    if (argv0Name(proc) === name) return {verdict: 'match', why: `its argv[0] is ${name}`}
  }
  const executables = await declaredExecutables(ctx, profile)
  if (proc.exe) {
    if (executables.has(proc.exe)) return {verdict: 'match', why: `its executable is ${proc.exe}`}
    const base = basename(proc.exe)
    for (const exe of executables) if (!isAbsolute(exe) && exe === base) return {verdict: 'match', why: `its executable is named ${base}`}
  }
  const wanted = [...declared.names.map((n) => `name ${n}`), ...declared.executables.map((e) => `executable ${e}`)].join(', ')
  return {verdict: 'other', why: `it is ${proc.comm} (${proc.exe ?? 'executable not visible'}), not ${wanted}`}
}

/**
 * The live processes that are the declared daemon, each with why. The cheap table (comm) is read
 * first; the full table (exe links) too when the profile names executables, for a daemon whose
 * name says nothing (a renamed or multi-call binary), and with `first` only when no name matched.
 */
export async function daemonProcesses(
  ctx: CheckContext,
  profile: TargetFacts,
  {first = false}: {first?: boolean} = {},
): Promise<Array<{proc: ProcessInfo; why: string}>> {
  if (!profile.process) return []
  const found = new Map<number, {proc: ProcessInfo; why: string}>()
  for (const brief of await ctx.processes.listBrief()) {
    if (brief.state === 'Z' || !mayBe(profile, brief.comm)) continue
    const lookup = await ctx.processes.get(brief.pid)
    if (lookup.alive !== true) continue
    const identity = await identify(ctx, profile, lookup.info)
    if (identity.verdict !== 'match') continue
    found.set(brief.pid, {proc: lookup.info, why: identity.why})
    if (first) return [...found.values()]
  }
  if (profile.process.executables.length === 0 || (first && found.size > 0)) return [...found.values()]
  for (const proc of await ctx.processes.list()) {
    if (proc.state === 'Z' || proc.exe === null || found.has(proc.pid)) continue
    const identity = await identify(ctx, profile, proc)
    if (identity.verdict !== 'match') continue
    found.set(proc.pid, {proc, why: identity.why})
    if (first) break
  }
  return [...found.values()]
}

/** Whether a cheap row of the process table (its comm only) could be the daemon: filters before reading more. */
export function mayBe(profile: TargetFacts, comm: string): boolean {
  const names = [...(profile.process?.names ?? []), ...(profile.process?.executables ?? []).map((e) => basename(e))]
  return names.some((n) => n.slice(0, COMM_LEN) === comm)
}

/** Flags whose value is a secret on most daemons' command lines, unless a profile says otherwise. */
const SECRET_FLAGS = /--?(?:pass(?:word)?|requirepass|token|secret)[= ]/i

/** Redacts the values of the target's secret env vars and secret flags (`secretFlags`) in a command line. */
export function redactCommand(profile: TargetFacts, cmdline: string): string {
  const flags = profile.secretFlags === undefined ? SECRET_FLAGS : profile.secretFlags
  let out = flags ? cmdline.replace(new RegExp(`(${flags.source})\\S+`, flags.flags.includes('i') ? 'gi' : 'g'), '$1<redacted>') : cmdline
  for (const name of profile.env)
    out = out
      .split(`${name}=`)
      .map((part, i) => (i === 0 ? part : part.replace(/^\S*/, '<redacted>')))
      .join(`${name}=`)
  return out
}

export function processEvidence(profile: TargetFacts, proc: ProcessInfo, cwd: string | null = null): Evidence {
  const command = redactCommand(profile, proc.cmdline)
  return {
    pid: proc.pid,
    command: command.length > 300 ? `${command.slice(0, 300)}…` : command,
    executable: proc.exe,
    uid: proc.uid,
    ...(cwd !== null ? {cwd} : {}),
    processStartedAt: new Date(proc.startedAtMs).toISOString(),
  }
}
