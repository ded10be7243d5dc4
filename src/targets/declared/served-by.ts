/**
 * Which data dir a running daemon of a declared target serves, by the rules its declaration gives
 * (`dataDir.servedBy`, docs/targets.md): its working dir (redis `dir` chdirs there), a flag's value
 * on its command line, or an environment variable, tried in order. A relative value is relative to
 * the process's working dir, as the daemon itself resolves it.
 */
import {isAbsolute, resolve} from 'node:path'
import type {CheckContext} from '../../context.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {ServedByRule, ServingDaemon, TargetFacts} from '../profile.js'
import {daemonProcesses} from './identity.js'

/** The live processes matching the declared identity, each with the data dir it serves. A worker or fork of one of them is that daemon, not another. */
export async function declaredServingDaemons(
  ctx: CheckContext,
  profile: TargetFacts,
  rules: readonly ServedByRule[],
): Promise<ServingDaemon[]> {
  const matching = (await daemonProcesses(ctx, profile)).map((d) => d.proc)
  const pids = new Set(matching.map((p) => p.pid))
  // nginx's workers and redis's save children share the daemon's name: one daemon is the process whose parent is not one of them.
  const daemons = matching.filter((p) => !pids.has(p.ppid))
  return Promise.all(daemons.map(async (proc): Promise<ServingDaemon> => ({proc, serves: await servedBy(ctx, proc, rules)})))
}

async function servedBy(ctx: CheckContext, proc: ProcessInfo, rules: readonly ServedByRule[]): Promise<ServingDaemon['serves']> {
  const cwd = await ctx.processes.cwd(proc.pid)
  const tried: string[] = []
  for (const rule of rules) {
    if (rule.kind === 'cwd') {
      if (cwd !== null) return {path: cwd, how: 'its working directory'}
      tried.push('its working directory cannot be read')
      continue
    }
    const value = rule.kind === 'flag' ? flagValue(proc.argv, rule.flag) : await envValue(ctx, proc.pid, rule.env)
    const what = rule.kind === 'flag' ? `its ${rule.flag} flag` : `its ${rule.env}`
    if (typeof value === 'string') {
      if (isAbsolute(value)) return {path: resolve(value), how: `${what} (${value})`}
      if (cwd !== null) return {path: resolve(cwd, value), how: `${what} (${value}, relative to its working directory)`}
      tried.push(`${what} is relative (${value}) and its working directory cannot be read`)
      continue
    }
    tried.push(value.why)
  }
  return {unknown: tried.join('; ')}
}

function flagValue(argv: readonly string[], flag: string): string | {why: string} {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === flag && i + 1 < argv.length) return argv[i + 1]!
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1)
  }
  return {why: `its command line has no ${flag}`}
}

async function envValue(ctx: CheckContext, pid: number, name: string): Promise<string | {why: string}> {
  const environ = await ctx.processes.environ(pid)
  if (environ === null) return {why: `its environment cannot be read (for ${name})`}
  const value = environ[name]
  return value ? value : {why: `its ${name} is not set`}
}

/** One data dir, however it is spelled: the same path, or the same directory once links are resolved. */
export async function sameDataDir(ctx: CheckContext, a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true
  const [ra, rb] = await Promise.all([ctx.files.realpath(a), ctx.files.realpath(b)])
  return ra !== null && ra === rb
}
