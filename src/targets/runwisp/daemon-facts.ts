/**
 * What a running RunWisp daemon is: the data dir it serves, the config it loaded, the port it
 * answers on — each read from that process's own facts (its identity endpoint, 0.11+; its flags;
 * its environment where readable; its working directory and uid; what it has open) and judged by
 * the rules of *its* generation (runwisp-facts §1.1, §2.1, §2.4). A default of one generation never
 * decides for another: root's /var/lib/runwisp (0.14+) is not where a 0.4 daemon keeps its data.
 * When the generation is not known, each generation's answer is a candidate, and the candidate
 * whose daemon.pid names the process or is locked by it wins — the daemon's own claim (§1.2, §1.6).
 */
import {join, resolve} from 'node:path'
import type {CheckContext} from '../../context.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {Listener} from '../../probes/sockets.js'
import {flagValue, type RunwispIdentity} from './formats.js'
import {compareVersions, isVersion} from './generations.js'
import {probeHost, probeIdentity} from './identity-endpoint.js'
import {
  CONFIG_NAME,
  CURRENT_DATA_DIR_NAME,
  DEFAULT_PORT,
  LEGACY_DATA_DIR_NAME,
  PRE_04_PORT,
  SYSTEM_CONFIG,
  SYSTEM_DATA_DIR,
} from './paths.js'
import {looksLikeRunwispDir, pidFileClaim} from './pid-lock.js'
import {parseRunwispPort, runwispEnv} from './env.js'

/** A path and how the doctor learnt it, in words a user can check. */
export interface Learnt {
  path: string
  how: string
}

/** How a range of versions resolves what no flag names (runwisp-facts §1.1, §2.1, §5). */
interface Layout {
  label: string
  from: string | null
  before: string | null
  dataDirName: string
  /** RUNWISP_DATA, RUNWISP_CONFIG and RUNWISP_PORT exist from 0.14. */
  env: boolean
  /** Root's /var/lib/runwisp and /etc/runwisp/runwisp.toml, from 0.14. */
  rootDefaults: boolean
}

const LAYOUTS: readonly Layout[] = [
  {label: 'up to 0.5', from: null, before: '0.6.0', dataDirName: LEGACY_DATA_DIR_NAME, env: false, rootDefaults: false},
  {label: '0.6–0.13', from: '0.6.0', before: '0.14.0', dataDirName: CURRENT_DATA_DIR_NAME, env: false, rootDefaults: false},
  {label: 'since 0.14', from: '0.14.0', before: null, dataDirName: CURRENT_DATA_DIR_NAME, env: true, rootDefaults: true},
]

const layoutsOf = (version: string | null): readonly Layout[] =>
  version
    ? LAYOUTS.filter(
        (l) => (l.from === null || compareVersions(version, l.from) >= 0) && (l.before === null || compareVersions(version, l.before) < 0),
      )
    : LAYOUTS

export interface SeenIdentity {
  identity: RunwispIdentity
  /** Which endpoint answered (it tells the generation). */
  path: string
  port: number
}

export interface DaemonFacts {
  proc: ProcessInfo
  /** The TCP sockets it listens on, or null when its descriptors cannot be read. */
  listeners: Listener[] | null
  identity: SeenIdentity | null
  /** The version its identity endpoint reports. */
  version: string | null
  dataDir: Learnt | null
  /** Why the data dir cannot be told, when it cannot. */
  dataDirUnknown: string | null
  config: Learnt | null
  /** The TCP port it serves /health on. */
  port: {port: number; how: string} | null
}

interface ProcFacts {
  argv: readonly string[]
  cwd: string | null
  env: Record<string, string> | null
  uid: number | null
}

type Candidate = {path: string; how: string; layout: Layout} | {unknown: string; layout: Layout}

/** Everything the doctor can tell about one running RunWisp daemon (once per process and run). */
export function describeDaemon(ctx: CheckContext, proc: ProcessInfo): Promise<DaemonFacts> {
  return ctx.memo(`runwisp:daemon:${proc.pid}:${proc.startedAtMs}`, async () => {
    const [cwd, env, listeners] = await Promise.all([
      ctx.processes.cwd(proc.pid),
      ctx.processes.environ(proc.pid),
      tcpListeners(ctx, proc.pid),
    ])
    const facts: ProcFacts = {argv: proc.argv, cwd, env, uid: proc.uid}
    const identity = await identityOf(ctx, proc, facts, listeners)
    const version = identity?.identity.version && isVersion(identity.identity.version) ? identity.identity.version.replace(/^v/, '') : null
    const data = await learnDataDir(ctx, proc, facts, identity, layoutsOf(version))
    const config = await learnConfig(ctx, facts, identity, data.layouts)
    return {
      proc,
      listeners,
      identity,
      version,
      dataDir: data.learnt,
      dataDirUnknown: data.unknown,
      config,
      port: learnPort(facts, identity, listeners, version),
    }
  })
}

/** Resolves `named` as the process does: against its working directory unless absolute. */
function againstCwd(facts: ProcFacts, named: string): string | null {
  if (named.startsWith('/')) return resolve(named)
  return facts.cwd ? resolve(facts.cwd, named) : null
}

async function learnDataDir(
  ctx: CheckContext,
  proc: ProcessInfo,
  facts: ProcFacts,
  identity: SeenIdentity | null,
  layouts: readonly Layout[],
): Promise<{learnt: Learnt | null; unknown: string | null; layouts: readonly Layout[]}> {
  const flag = flagValue(facts.argv, ['--data'])
  if (flag) {
    const path = againstCwd(facts, flag)
    return path
      ? {learnt: {path, how: `it was started with --data ${flag}`}, unknown: null, layouts}
      : {learnt: null, unknown: `it was started with --data ${flag}, relative to a working directory that cannot be read`, layouts}
  }
  if (identity?.identity.dataDir)
    return {
      learnt: {path: resolve(identity.identity.dataDir), how: `its identity endpoint (${identity.path}) says so`},
      unknown: null,
      layouts,
    }
  for (const target of (await ctx.processes.openFiles(proc.pid)) ?? []) {
    const name = target.slice(target.lastIndexOf('/') + 1)
    if (name === 'runwisp.db' || name === 'daemon.pid')
      return {learnt: {path: target.slice(0, target.lastIndexOf('/')), how: `it has ${target} open`}, unknown: null, layouts}
  }
  const candidates = layouts.map((layout) => defaultDataDir(layout, facts))
  const known = candidates.filter((c): c is Extract<Candidate, {path: string}> => 'path' in c)
  const paths = [...new Set(known.map((c) => c.path))]
  const producing = (path: string) => known.filter((c) => c.path === path)
  for (const path of paths) {
    const claim = await pidFileClaim(ctx, path, proc.pid)
    if (claim)
      return {learnt: {path, how: `${claim} (${producing(path)[0]!.how})`}, unknown: null, layouts: producing(path).map((c) => c.layout)}
  }
  const unknowns = candidates.flatMap((c) => ('unknown' in c ? [`${c.layout.label}: ${c.unknown}`] : []))
  if (paths.length === 1 && unknowns.length === 0)
    return {learnt: {path: paths[0]!, how: producing(paths[0]!)[0]!.how}, unknown: null, layouts}
  const existing: string[] = []
  for (const path of paths) if (await looksLikeRunwispDir(ctx, path)) existing.push(path)
  if (existing.length === 1 && unknowns.length === 0) {
    const path = existing[0]!
    return {
      learnt: {
        path,
        how: `${producing(path)[0]!.how}; of its generations' defaults (${paths.join(', ')}) only this one holds RunWisp's files`,
      },
      unknown: null,
      layouts: producing(path).map((c) => c.layout),
    }
  }
  const options = known.map((c) => `${c.path} (${c.layout.label})`)
  return {
    learnt: null,
    unknown: `its generation is not known and the defaults of its possible generations differ — ${[...options, ...unknowns].join('; ')} — and no daemon.pid there names pid ${proc.pid}`,
    layouts,
  }
}

/** root.go's order for a data dir without --data: RUNWISP_DATA, then root's default, then the working directory's (runwisp-facts §1.1). */
function defaultDataDir(layout: Layout, facts: ProcFacts): Candidate {
  if (layout.env) {
    if (facts.env === null) return {unknown: 'its environment cannot be read, and RUNWISP_DATA decides', layout}
    const named = runwispEnv(facts.env, 'RUNWISP_DATA')
    if (named) {
      const path = againstCwd(facts, named)
      return path
        ? {path, how: `its RUNWISP_DATA is ${named}`, layout}
        : {unknown: `its RUNWISP_DATA is ${named}, relative to a working directory that cannot be read`, layout}
    }
  }
  if (layout.rootDefaults) {
    if (facts.uid === null) return {unknown: 'its uid cannot be read, and root has its own default', layout}
    if (facts.uid === 0)
      return {
        path: SYSTEM_DATA_DIR,
        how: `it runs as root with no --data${layout.env ? ' or RUNWISP_DATA' : ''} (root's default ${layout.label})`,
        layout,
      }
  }
  if (!facts.cwd) return {unknown: 'its working directory cannot be read', layout}
  return {
    path: join(facts.cwd, layout.dataDirName),
    how: `its working directory is ${facts.cwd} and it has no --data (./${layout.dataDirName} is the default ${layout.label})`,
    layout,
  }
}

/** `--config` > RUNWISP_CONFIG (0.14+) > root's /etc/runwisp/runwisp.toml (0.14+) > ./runwisp.toml, per the daemon's generation. */
async function learnConfig(
  ctx: CheckContext,
  facts: ProcFacts,
  identity: SeenIdentity | null,
  layouts: readonly Layout[],
): Promise<Learnt | null> {
  const flag = flagValue(facts.argv, ['--config'])
  if (flag) {
    const path = againstCwd(facts, flag)
    if (path) return {path, how: `it was started with --config ${flag}`}
  }
  if (identity?.identity.configPath)
    return {path: resolve(identity.identity.configPath), how: `its identity endpoint (${identity.path}) says so`}
  if (flag) return null
  const candidates: Learnt[] = []
  for (const layout of layouts) {
    if (layout.env) {
      if (facts.env === null) return null
      const named = runwispEnv(facts.env, 'RUNWISP_CONFIG')
      if (named) {
        const path = againstCwd(facts, named)
        if (!path) return null
        candidates.push({path, how: `its RUNWISP_CONFIG is ${named}`})
        continue
      }
    }
    if (layout.rootDefaults && facts.uid === 0)
      candidates.push({path: SYSTEM_CONFIG, how: `it runs as root with no --config (root's default ${layout.label})`})
    else if (facts.cwd)
      candidates.push({path: join(facts.cwd, CONFIG_NAME), how: `its working directory is ${facts.cwd} and it has no --config`})
    else return null
  }
  const paths = [...new Set(candidates.map((c) => c.path))]
  if (paths.length === 1) return candidates[0]!
  const existing: Learnt[] = []
  for (const path of paths) if ((await ctx.files.stat(path)).ok) existing.push(candidates.find((c) => c.path === path)!)
  return existing.length === 1 ? existing[0]! : null
}

/** The port it answers on: what it listens on (the one its --port / RUNWISP_PORT names, when several), else what it was told. */
function learnPort(
  facts: ProcFacts,
  identity: SeenIdentity | null,
  listeners: Listener[] | null,
  version: string | null,
): {port: number; how: string} | null {
  const flag = flagValue(facts.argv, ['--port', '-p'])
  const envPort = version === null || compareVersions(version, '0.14.0') >= 0 ? runwispEnv(facts.env ?? {}, 'RUNWISP_PORT') : undefined
  const told = flag ?? envPort ?? null
  const toldPort = told ? parseRunwispPort(told) : null
  if (listeners && listeners.length > 0) {
    const ports = [...new Set(listeners.map((l) => l.port))].sort((a, b) => a - b)
    const pick = ports.find((p) => p === toldPort) ?? identity?.port ?? ports.find((p) => p === DEFAULT_PORT) ?? ports[0]!
    return {port: pick, how: `it listens on port ${pick}`}
  }
  if (toldPort !== null && toldPort > 0)
    return {port: toldPort, how: flag ? `it was started with --port ${flag}` : `its RUNWISP_PORT is ${envPort}`}
  if (version) return {port: compareVersions(version, '0.4.0') < 0 ? PRE_04_PORT : DEFAULT_PORT, how: `the default port of ${version}`}
  return null
}

/** The TCP sockets a process listens on: its socket descriptors matched against the listening table. */
async function tcpListeners(ctx: CheckContext, pid: number): Promise<Listener[] | null> {
  const open = await ctx.processes.openFiles(pid)
  if (open === null) return null
  const inodes = new Set(open.flatMap((t) => /^socket:\[(\d+)\]$/.exec(t)?.[1] ?? []).map(Number))
  return (await ctx.sockets.listeners()).filter((l) => l.protocol !== 'unix' && inodes.has(l.inode))
}

/** The identity endpoint's answer on a port the process listens on, accepted only when it names this very process. */
async function identityOf(
  ctx: CheckContext,
  proc: ProcessInfo,
  facts: ProcFacts,
  listeners: Listener[] | null,
): Promise<SeenIdentity | null> {
  const told = flagValue(facts.argv, ['--port', '-p'])
  const targets = listeners
    ? listeners.map((l) => ({host: probeHost(l), port: l.port}))
    : told && /^\d+$/.test(told)
      ? [{host: '127.0.0.1', port: Number(told)}]
      : []
  for (const {host, port} of targets) {
    const answer = await probeIdentity(ctx, host, port)
    if (answer.kind === 'runwisp' && (answer.identity.pid === null || answer.identity.pid === proc.pid))
      return {identity: answer.identity, path: answer.path, port}
  }
  return null
}

/** Whether two paths name the same directory: equal as written, or once symlinks and `..` are resolved. */
export async function sameDir(ctx: CheckContext, a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true
  const real = (p: string) => ctx.files.realpath(p)
  const [ra, rb] = await Promise.all([real(a), real(b)])
  return ra !== null && ra === rb
}
