/**
 * RunWisp as found on this machine, read once per run and shared by every check: the data dir and
 * its files, `daemon.pid` and its lock, systemd units, what listens on the port and what it says
 * about itself, and the generation all of that adds up to.
 *
 * Nothing here logs in: the only requests are `GET /health`, the unauthenticated identity endpoint
 * and, over the local socket, the daemon info. The login limit is 5 attempts per IP per 5 minutes
 * (runwisp-facts §3.4); the doctor must never be the reason a user is locked out.
 */
import {excerpt} from '../../text.js'
import {parseRunwispPort, runwispEnv} from './env.js'
import {join, resolve} from 'node:path'
import {Undetermined} from '../../check.js'
import type {CheckContext} from '../../context.js'
import {inOrder} from '../../probes/abort.js'
import type {FileError} from '../../probes/files.js'
import type {HttpResult} from '../../probes/http.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {DaemonAccount as ProfileAccount} from '../profile.js'
import type {Listener} from '../../probes/sockets.js'
import {loadConfig, type ConfigState} from './config.js'
import {configClues} from './config-rules.js'
import {describeDaemon, sameDir, type DaemonFacts} from './daemon-facts.js'
import {
  flagValue,
  parseEnvironment,
  parsePidFile,
  parseUnit,
  splitWords,
  unitValue,
  unitValues,
  type RunwispIdentity,
  type UnitFile,
} from './formats.js'
import {compareVersions, generationOfVersion, isVersion, since, type RunwispFacts, type RunwispGeneration} from './generations.js'
import {
  checkRecordedPid,
  groupName,
  groupsOf,
  isDaemonProcess,
  lookupUser,
  processIdentity,
  userName,
  type RecordedPid,
} from './identity.js'
import {probeHost, probeIdentity, type IdentityAnswer} from './identity-endpoint.js'
import {
  configCandidates,
  dataDirCandidates,
  dataDirNameHint,
  DEFAULT_PORT,
  FAILSAFE_UNIT_PREFIX,
  runwispPaths,
  socketPath,
  unitDirs,
  type DataDirCandidate,
  type RunwispPaths,
} from './paths.js'
import {lockState, looksLikeRunwispDir, type LockState} from './pid-lock.js'
import {isPasswordDropIn} from './secrets.js'

export {lockState, looksLikeRunwispDir, probeIdentity, type IdentityAnswer, type LockState}

export type DataDirState =
  {kind: 'dir'; names: string[]} | {kind: 'missing'} | {kind: 'not-a-dir'; what: string} | {kind: 'unreadable'; error: FileError}

export interface RunwispState {
  dataDir: string
  source: DataDirCandidate
  paths: RunwispPaths
  dataDirState: DataDirState
  socket: {path: string; source: 'env' | 'data-dir'}
  /**
   * Whether this run has RunWisp state of its own to judge: a data dir or config named by a flag or
   * the environment, or one where RunWisp looks from here. Without, the doctor checks the daemon that
   * runs (`adopted`), and another daemon elsewhere is no conflict with anything here.
   */
  ownState: boolean
  /** The running daemon whose data dir and config this run adopted, when it has no state of its own. */
  adopted: RunningDaemon | null
  /** Why no running daemon was adopted, when the run has no state of its own. */
  notAdopted: string | null
}

export function loadRunwispState(ctx: CheckContext): Promise<RunwispState> {
  return ctx.memo('runwisp:state', async () => {
    const {explicit, defaults} = dataDirCandidates(ctx)
    let chosen: DataDirCandidate | null = explicit
    if (!chosen) {
      const units = await loadUnits(ctx)
      const unitDirsFound = units.flatMap((u) =>
        u.dataDir ? [{path: u.dataDir, source: 'default' as const, label: `--data of ${u.path}`}] : [],
      )
      for await (const [candidate, st] of inOrder([...defaults, ...unitDirsFound], (candidate) => ctx.files.lstat(candidate.path))) {
        if (st.ok && (candidate.source !== 'cwd-legacy' || (await looksLikeRunwispDir(ctx, candidate.path)))) {
          chosen = candidate
          break
        }
        if (!st.ok && st.code !== 'ENOENT' && st.code !== 'ENOTDIR') {
          chosen = candidate
          break
        }
      }
    }
    const ownState = chosen !== null || (await hasOwnConfig(ctx))
    const adoption = ownState ? {daemon: null, why: null} : await adoptableDaemon(ctx)
    if (!chosen && adoption.daemon?.dataDir) {
      const {proc, dataDir} = adoption.daemon
      chosen = {
        path: dataDir.dataDir,
        source: 'daemon',
        label: `the data dir of the running RunWisp daemon pid ${proc.pid}: ${dataDir.how}; ${ctx.cwd} holds no RunWisp config or data dir of its own`,
      }
    }
    chosen ??= {...defaults[0]!, source: 'default', label: `${defaults[0]!.path} (the 0.6+ default; it does not exist yet)`}
    const dataDir = chosen.path
    return {
      dataDir,
      source: chosen,
      paths: runwispPaths(dataDir),
      dataDirState: await readDataDir(ctx, dataDir),
      socket: socketPath(ctx, dataDir),
      ownState,
      adopted: adoption.daemon,
      notAdopted: adoption.why,
    }
  })
}

/** A config where RunWisp looks from here (flag, RUNWISP_CONFIG, ./runwisp.toml, root's /etc/runwisp/runwisp.toml). */
async function hasOwnConfig(ctx: CheckContext): Promise<boolean> {
  const {explicit, defaults} = configCandidates(ctx)
  if (explicit) return true
  for await (const [, st] of inOrder(defaults, (candidate) => ctx.files.lstat(candidate.path))) if (st.ok) return true
  return false
}

/**
 * The daemon a user who types `doctor` here means, when nothing of RunWisp's is here: the RunWisp on
 * the port `runwisp` would use, else the only one running. Only a daemon of the doctor's own user
 * (or any, for root): another user's data dir is not this user's to check.
 */
async function adoptableDaemon(ctx: CheckContext): Promise<{daemon: RunningDaemon | null; why: string | null}> {
  const all = await runningDaemons(ctx)
  if (all.length === 0) return {daemon: null, why: 'no RunWisp daemon runs'}
  const mine = all.filter((d) => ctx.uid === null || ctx.uid === 0 || d.proc.uid === ctx.uid)
  const known = mine.filter((d) => d.dataDir)
  const {port} = await configuredPort(ctx, null)
  const onPort = (await observePort(ctx, port)).find((o) => o.verdict === 'runwisp' && known.some((d) => d.proc.pid === o.pid))
  if (onPort) return {daemon: known.find((d) => d.proc.pid === onPort.pid)!, why: null}
  if (known.length === 1) return {daemon: known[0]!, why: null}
  const list = (ds: RunningDaemon[]) => ds.map((d) => `pid ${d.proc.pid}${d.dataDir ? ` (${d.dataDir.dataDir})` : ''}`).join(', ')
  if (known.length > 1) return {daemon: null, why: `several RunWisp daemons run (${list(known)}); name one with --runwisp-data-dir`}
  if (mine.length > 0)
    return {daemon: null, why: `the data dir of RunWisp ${list(mine)} cannot be told (${mine[0]!.facts.dataDirUnknown ?? 'unknown'})`}
  return {daemon: null, why: `the RunWisp daemons running (${list(all)}) are other users'`}
}

async function readDataDir(ctx: CheckContext, dataDir: string): Promise<DataDirState> {
  const st = await ctx.files.stat(dataDir)
  if (!st.ok) {
    if (st.code === 'ENOENT') return {kind: 'missing'}
    if (st.code === 'ENOTDIR') return {kind: 'not-a-dir', what: 'a path whose parent is not a directory'}
    return {kind: 'unreadable', error: st}
  }
  if (!st.stat.isDirectory())
    return {kind: 'not-a-dir', what: st.stat.isFile() ? `a regular file of ${st.stat.size} bytes` : 'not a directory'}
  const listing = await ctx.files.readdir(dataDir)
  if (!listing.ok) return {kind: 'unreadable', error: listing}
  return {kind: 'dir', names: listing.names}
}

/** Turns an unusable data dir into the `error` a check must report: it cannot decide without it. */
export function requireReadableDataDir(state: RunwispState): void {
  const s = state.dataDirState
  if (s.kind === 'unreadable')
    throw new Undetermined(`cannot read the data dir ${state.dataDir} (${s.error.code}): ${s.error.message}`, {
      dataDir: state.dataDir,
      error: s.error.code,
    })
}

// ---------------------------------------------------------------------------------------------
// daemon.pid and its flock

export type PidFileState =
  | {kind: 'missing'}
  | {kind: 'symlink'}
  | {kind: 'unreadable'; error: FileError}
  | {kind: 'invalid'; reason: string; mtimeMs: number; lock: LockState}
  | {kind: 'ok'; pid: number; mtimeMs: number; lock: LockState; recorded: RecordedPid}

const PID_CAP = 4096

export function loadPidFile(ctx: CheckContext): Promise<PidFileState> {
  return ctx.memo('runwisp:pid', async () => {
    const state = await loadRunwispState(ctx)
    if (state.dataDirState.kind !== 'dir') return {kind: 'missing'}
    const path = state.paths.pidFile
    const lst = await ctx.files.lstat(path)
    if (!lst.ok) return lst.code === 'ENOENT' ? {kind: 'missing'} : {kind: 'unreadable', error: lst}
    if (lst.stat.isSymbolicLink()) return {kind: 'symlink'}
    const lock = await lockState(ctx, lst.stat.dev, lst.stat.ino)
    const read = await ctx.files.read(path, PID_CAP)
    if (!read.ok) {
      if (read.code === 'TOO_LARGE')
        return {
          kind: 'invalid',
          reason: `it is ${lst.stat.size} bytes; RunWisp writes a pid and a newline`,
          mtimeMs: lst.stat.mtimeMs,
          lock,
        }
      if (read.code === 'NOT_FILE') return {kind: 'invalid', reason: 'it is not a regular file', mtimeMs: lst.stat.mtimeMs, lock}
      return {kind: 'unreadable', error: read}
    }
    const parsed = parsePidFile(read.bytes)
    if (!parsed.ok) return {kind: 'invalid', reason: parsed.reason, mtimeMs: read.stat.mtimeMs, lock}
    return {
      kind: 'ok',
      pid: parsed.value,
      mtimeMs: read.stat.mtimeMs,
      lock,
      recorded: await checkRecordedPid(ctx, parsed.value, read.stat.mtimeMs),
    }
  })
}

// ---------------------------------------------------------------------------------------------
// systemd units

export interface RunwispUnit {
  path: string
  name: string
  scope: 'system' | 'user'
  unit: UnitFile
  dropIns: string[]
  user: string | null
  group: string | null
  argv: string[]
  env: Record<string, string>
  dataDir: string | null
  config: string | null
  port: number | null
  host: string | null
}

const UNIT_NAME = /^runwisp(-[A-Za-z0-9_.-]+)?\.service$/

export interface RunwispUnitFile {
  path: string
  name: string
  scope: 'system' | 'user'
  /** `<unit>.d/*.conf`. */
  dropIns: string[]
}

/**
 * Every RunWisp unit file on the unit search path and its drop-ins, readable or not, the cron
 * failsafe unit (§8.1) and units shadowed by another directory included: what `loadUnits` reads
 * from, and what a diagnostics bundle copies.
 */
export function findUnitFiles(ctx: CheckContext): Promise<RunwispUnitFile[]> {
  return ctx.memo('runwisp:unit-files', async () => {
    const found: RunwispUnitFile[] = []
    // The directories are listed at once (five round trips one after another were ~6 ms of a run).
    for await (const [{dir, scope}, listing] of inOrder(unitDirs(ctx), ({dir}) => ctx.files.readdir(dir))) {
      if (!listing.ok) continue
      for (const name of listing.names) {
        if (!UNIT_NAME.test(name)) continue
        const path = join(dir, name)
        const dropDir = `${path}.d`
        const drops = await ctx.files.readdir(dropDir)
        found.push({
          path,
          name,
          scope,
          dropIns: drops.ok ? drops.names.filter((n) => n.endsWith('.conf')).map((n) => join(dropDir, n)) : [],
        })
      }
    }
    return found
  })
}

/** The units that run RunWisp, parsed with their drop-ins; for a name in several directories, the first readable one (as systemd's precedence). */
export function loadUnits(ctx: CheckContext): Promise<RunwispUnit[]> {
  return ctx.memo('runwisp:units', async () => {
    const found: RunwispUnit[] = []
    const seen = new Set<string>()
    for (const file of await findUnitFiles(ctx)) {
      if (file.name.startsWith(FAILSAFE_UNIT_PREFIX) || seen.has(file.name)) continue
      // systemd follows a linked unit (`systemctl link`, home-manager); so does the doctor, for reading.
      const read = await ctx.files.read(file.path, 256 * 1024, {follow: true})
      if (!read.ok) continue
      seen.add(file.name)
      const unit = parseUnit(read.text)
      for (const dropIn of file.dropIns) {
        // The password drop-in holds a secret: never read through a link (symlinked-secret judges it).
        const text = await ctx.files.read(dropIn, 64 * 1024, {follow: !isPasswordDropIn(dropIn)})
        if (text.ok) parseUnit(text.text, unit)
      }
      found.push(describeUnit(file.path, file.name, file.scope, unit, file.dropIns))
    }
    return found
  })
}

function describeUnit(path: string, name: string, scope: 'system' | 'user', unit: UnitFile, dropIns: string[]): RunwispUnit {
  const exec = unitValue(unit, 'Service', 'ExecStart')
  const argv = exec ? splitWords(exec.replace(/^[-@:+!]+/, '')) : []
  const env = parseEnvironment(unitValues(unit, 'Service', 'Environment'))
  const workdir = unitValue(unit, 'Service', 'WorkingDirectory')
  const rel = (p: string | null) => (p ? resolve(workdir && workdir.startsWith('/') ? workdir : '/', p) : null)
  const portText = flagValue(argv, ['--port', '-p']) ?? runwispEnv(env, 'RUNWISP_PORT') ?? null
  return {
    path,
    name,
    scope,
    unit,
    dropIns,
    user: unitValue(unit, 'Service', 'User'),
    group: unitValue(unit, 'Service', 'Group'),
    argv,
    env,
    dataDir: rel(flagValue(argv, ['--data']) ?? runwispEnv(env, 'RUNWISP_DATA') ?? null),
    config: rel(flagValue(argv, ['--config']) ?? runwispEnv(env, 'RUNWISP_CONFIG') ?? null),
    port: portText ? parseRunwispPort(portText) : null,
    host: flagValue(argv, ['--host']) ?? runwispEnv(env, 'RUNWISP_HOST') ?? null,
  }
}

// ---------------------------------------------------------------------------------------------
// The port, who holds it, and what answers there

export interface PortChoice {
  port: number
  source: string
}

/** `--runwisp-port` > `RUNWISP_PORT` (0.14+) > the port the running daemon of our data dir answers on > a RunWisp unit's `--port` > the generation's default. */
export async function chosenPort(ctx: CheckContext, facts: RunwispFacts | null): Promise<PortChoice> {
  const flag = ctx.options.targetOptions.runwisp?.port
  if (flag) return {port: flag, source: '--runwisp-port'}
  const env = envPort(ctx)
  if (env) return env
  const daemon = await ourDaemon(ctx)
  const served = daemon ? (await describeDaemon(ctx, daemon)).port : null
  if (daemon && served) return {port: served.port, source: `the port RunWisp pid ${daemon.pid} of this data dir serves (${served.how})`}
  return configuredPort(ctx, facts)
}

function envPort(ctx: CheckContext): PortChoice | null {
  const value = runwispEnv(ctx.env, 'RUNWISP_PORT')
  const port = value === undefined ? null : parseRunwispPort(value)
  return port === null ? null : {port, source: 'RUNWISP_PORT'}
}

/** The port as configured, before any daemon is asked: `--runwisp-port` > `RUNWISP_PORT` > a unit's `--port` > the default. */
async function configuredPort(ctx: CheckContext, facts: RunwispFacts | null): Promise<PortChoice> {
  const flag = ctx.options.targetOptions.runwisp?.port
  if (flag) return {port: flag, source: '--runwisp-port'}
  const env = envPort(ctx)
  if (env) return env
  const unit = (await loadUnits(ctx)).find((u) => u.port !== null)
  if (unit?.port) return {port: unit.port, source: `--port in ${unit.path}`}
  if (facts?.version && compareVersions(facts.version, '0.4.0') < 0) return {port: 8080, source: 'the default before 0.4'}
  return {port: DEFAULT_PORT, source: 'the default since 0.4'}
}

export interface PortOwner {
  listener: Listener
  pid: number | null
  reason?: string
  proc?: ProcessInfo
  /** `runwisp` when the process or its identity answer says so. */
  verdict: 'runwisp' | 'foreign' | 'unknown'
  why: string
  identity?: RunwispIdentity
  /** Which identity endpoint answered (it tells the generation). */
  identityPath?: string
  /** The data dir the daemon serves, when it could be told. */
  dataDir?: {dataDir: string; how: string}
}

/** Who listens on `port`, and whether each owner is RunWisp. */
export function observePort(ctx: CheckContext, port: number): Promise<PortOwner[]> {
  return ctx.memo(`runwisp:port:${port}`, async () => {
    const listeners = await ctx.sockets.onPort(port)
    const owners: PortOwner[] = []
    const seen = new Set<string>()
    for (const listener of listeners) {
      const owner = await ctx.sockets.owner(listener)
      const key = owner.pid === null ? `inode:${listener.inode}` : `pid:${owner.pid}`
      if (seen.has(key)) continue
      seen.add(key)
      const answer = await probeIdentity(ctx, probeHost(listener), port)
      const fromEndpoint = answer.kind === 'runwisp' ? answer.identity : undefined
      const identityPath = answer.kind === 'runwisp' ? {identityPath: answer.path} : {}
      if (answer.kind === 'local-only') {
        owners.push({
          listener,
          pid: owner.pid,
          verdict: 'runwisp',
          why: `it refuses ${answer.path} with RunWisp's "instance endpoint is only available locally"`,
          identityPath: answer.path,
        })
        continue
      }
      if (owner.pid === null) {
        if (fromEndpoint)
          owners.push({
            listener,
            pid: null,
            verdict: 'runwisp',
            why: `it answers ${answer.kind === 'runwisp' ? answer.path : ''} with app "runwisp" (its process is not visible: ${owner.reason})`,
            identity: fromEndpoint,
            ...identityPath,
            ...(fromEndpoint.dataDir ? {dataDir: {dataDir: fromEndpoint.dataDir, how: 'its identity endpoint says so'}} : {}),
          })
        else owners.push({listener, pid: null, reason: owner.reason, verdict: 'unknown', why: owner.reason})
        continue
      }
      const lookup = await ctx.processes.get(owner.pid)
      if (lookup.alive !== true) {
        owners.push({
          listener,
          pid: owner.pid,
          reason: lookup.alive === false ? 'the process exited while being inspected' : lookup.reason,
          verdict: 'unknown',
          why: 'the process could not be inspected',
        })
        continue
      }
      const proc = lookup.info
      const byProcess = processIdentity(proc)
      let verdict: PortOwner['verdict'] = byProcess.verdict
      let why = byProcess.why
      // The identity endpoint identifies RunWisp only when the pid it reports is the process on the port.
      if (fromEndpoint && fromEndpoint.app === 'runwisp' && (fromEndpoint.pid === null || fromEndpoint.pid === proc.pid)) {
        verdict = 'runwisp'
        why = `its identity endpoint answers app "runwisp"${fromEndpoint.pid ? ` with pid ${fromEndpoint.pid}` : ''}`
      } else if (fromEndpoint && fromEndpoint.pid !== proc.pid) {
        verdict = byProcess.verdict
        why = `${byProcess.why}; its identity answer claims pid ${fromEndpoint.pid}, which is not the process on the port`
      }
      const served = verdict === 'runwisp' && !fromEndpoint?.dataDir ? (await describeDaemon(ctx, proc)).dataDir : null
      const dataDir = fromEndpoint?.dataDir
        ? {dataDir: resolve(fromEndpoint.dataDir), how: 'its identity endpoint says so'}
        : served
          ? {dataDir: served.path, how: served.how}
          : null
      owners.push({
        listener,
        pid: proc.pid,
        proc,
        verdict,
        why,
        ...(fromEndpoint ? {identity: fromEndpoint, ...identityPath} : {}),
        ...(dataDir ? {dataDir} : {}),
      })
    }
    return owners
  })
}

export type HealthAnswer =
  | {kind: 'healthy'; response: Extract<HttpResult, {ok: true}>; url: string; via: string}
  | {kind: 'no-answer'; error: Extract<HttpResult, {ok: false}>; url: string; via: string}
  | {kind: 'wrong-answer'; status: number; body: string; cut?: string; url: string; via: string}

/** runwisp-facts §2.2: `GET /health` answers 200 with the body exactly `OK`, on TCP and on the socket. */
export function probeHealth(ctx: CheckContext, via: {socketPath: string} | {host: string; port: number}): Promise<HealthAnswer> {
  const label = 'socketPath' in via ? `the socket ${via.socketPath}` : `${via.host}:${via.port}`
  return ctx.memo(`runwisp:health:${label}`, async () => {
    const url = 'socketPath' in via ? 'http://runwisp/health' : `http://${via.host}:${via.port}/health`
    const r = await ctx.http.get(url, 'socketPath' in via ? {socketPath: via.socketPath, maxBytes: 1024} : {maxBytes: 1024})
    if (!r.ok) return {kind: 'no-answer', error: r, url, via: label}
    if (r.status === 200 && r.body === 'OK') return {kind: 'healthy', response: r, url, via: label}
    return {kind: 'wrong-answer', status: r.status, body: excerpt(r.body), ...(r.cut ? {cut: r.cut} : {}), url, via: label}
  })
}

// ---------------------------------------------------------------------------------------------
// RunWisp daemons running anywhere on the machine

export interface RunningDaemon {
  proc: ProcessInfo
  dataDir: {dataDir: string; how: string} | null
  facts: DaemonFacts
}

export function runningDaemons(ctx: CheckContext): Promise<RunningDaemon[]> {
  return ctx.memo('runwisp:daemons', async () => {
    const out: RunningDaemon[] = []
    // Name and executable first (one readlink a process), then the rest of the few that are RunWisp.
    for (const row of await ctx.processes.listIdentities()) {
      if (row.state === 'Z' || processIdentity(row).verdict !== 'runwisp') continue
      const lookup = await ctx.processes.get(row.pid)
      if (lookup.alive !== true) continue
      const proc = lookup.info
      if (!isDaemonProcess(proc)) continue
      const facts = await describeDaemon(ctx, proc)
      out.push({proc, dataDir: facts.dataDir ? {dataDir: facts.dataDir.path, how: facts.dataDir.how} : null, facts})
    }
    return out
  })
}

/** Whether a daemon is this data dir's: the lock or pid of its daemon.pid names it, or it serves this very directory. */
export async function servesOurDataDir(ctx: CheckContext, pid: number | null, dataDir: string | null): Promise<boolean> {
  const ours = await ourDaemon(ctx)
  if (pid !== null && ours?.pid === pid) return true
  return dataDir !== null && sameDir(ctx, dataDir, (await loadRunwispState(ctx)).dataDir)
}

// ---------------------------------------------------------------------------------------------
// The generation

export interface FactsWithReason extends RunwispFacts {
  reason: string
}

interface Range {
  from: string | null
  before: string | null
  why: string
}

const GEN_RANGES: Record<RunwispGeneration, [string | null, string | null]> = {
  '0.3-0.4': [null, '0.5.0'],
  '0.5-0.15': ['0.5.0', '0.16.0'],
  '0.16+': ['0.16.0', null],
}

/**
 * The generation, from the strongest evidence available: a version the daemon reports, then what
 * only one generation does (a held pid-file lock, a password file, the identity path that answered),
 * then what the data dir and the config's own spelling allow. Clues are version ranges; their
 * intersection names a generation when it fits inside one.
 */
export function runwispFacts(ctx: CheckContext): Promise<FactsWithReason> {
  return ctx.memo('runwisp:facts', async () => {
    const state = await loadRunwispState(ctx)
    const clues: Range[] = []
    const port = await chosenPort(ctx, null)
    const owners = await observePort(ctx, port.port)
    let ours: PortOwner | undefined
    for (const o of owners) {
      if (
        o.verdict === 'runwisp' &&
        (!o.dataDir || state.dataDirState.kind !== 'dir' || (await servesOurDataDir(ctx, o.pid, o.dataDir.dataDir)))
      )
        ours ??= o
    }
    const version = ours?.identity?.version
    if (version && isVersion(version)) {
      const v = version.replace(/^v/, '')
      return {generation: generationOfVersion(v), version: v, reason: `the daemon on port ${port.port} reports version ${v}`}
    }
    if (ours?.identityPath === '/api/daemon/identity')
      clues.push({from: '0.16.0', before: null, why: `the daemon on port ${port.port} answers /api/daemon/identity (0.16+)`})
    if (ours?.identityPath === '/api/instance')
      clues.push({from: '0.11.0', before: '0.16.0', why: `the daemon on port ${port.port} answers /api/instance (0.11–0.15)`})
    const pid = await loadPidFile(ctx)
    if ((pid.kind === 'ok' || pid.kind === 'invalid') && pid.lock.held === true) {
      const holder = await ctx.processes.get(pid.lock.holders[0]!)
      if (holder.alive === true && processIdentity(holder.info).verdict === 'runwisp')
        clues.push({from: '0.16.0', before: null, why: 'daemon.pid is held with flock by a RunWisp process, as 0.16+ does'})
    } else if (pid.kind === 'ok' && pid.lock.held === false && pid.recorded.state === 'alive') {
      clues.push({
        from: null,
        before: '0.16.0',
        why: `daemon.pid names a running RunWisp (pid ${pid.pid}) without holding a lock on it, as before 0.16`,
      })
    }
    if (state.dataDirState.kind === 'dir') {
      const names = state.dataDirState.names
      if (names.includes('runwisp.sock'))
        clues.push({from: '0.5.0', before: null, why: `${state.paths.socket} exists (the socket arrived in 0.5)`})
      if (names.some((n) => /^\..+\.log\.meta$/.test(n)))
        clues.push({from: '0.11.0', before: null, why: 'hidden .log.meta containers exist (0.11+)'})
      const hint = dataDirNameHint(state.dataDir)
      if (hint === 'current' && state.source.source !== 'flag' && state.source.source !== 'env')
        clues.push({from: '0.6.0', before: null, why: 'the data dir is ./.runwisp, the default since 0.6'})
      if (hint === 'legacy' && state.source.source === 'cwd-legacy')
        clues.push({from: null, before: '0.6.0', why: 'the data dir is ./data, the default up to 0.5'})
    }
    const config = await loadConfig(ctx)
    if (config.kind === 'ok') clues.push(...configClues(config.data))
    // Last: a password file outlives upgrades (0.5 never removes it), so it yields to the clues above.
    if (
      state.dataDirState.kind === 'dir' &&
      state.dataDirState.names.includes('password') &&
      !state.dataDirState.names.includes('runwisp.sock')
    ) {
      clues.push({
        from: null,
        before: '0.5.0',
        why: `${state.paths.password} exists and there is no runwisp.sock (the password file is 0.3–0.4)`,
      })
    }
    return decide(clues)
  })
}

function decide(clues: Range[]): FactsWithReason {
  let lo: string | null = null
  let hi: string | null = null
  const used: string[] = []
  const ignored: string[] = []
  for (const clue of clues) {
    const nlo: string | null = clue.from && (!lo || compareVersions(clue.from, lo) > 0) ? clue.from : lo
    const nhi: string | null = clue.before && (!hi || compareVersions(clue.before, hi) < 0) ? clue.before : hi
    if (nlo && nhi && compareVersions(nlo, nhi) >= 0) {
      ignored.push(clue.why)
      continue
    }
    lo = nlo
    hi = nhi
    used.push(clue.why)
  }
  const conflict = ignored.length > 0 ? `; contradicted by: ${ignored.join('; ')}` : ''
  if (used.length === 0)
    return {
      generation: null,
      version: null,
      reason: 'no running RunWisp to ask, and nothing on disk or in the config that only one generation has',
    }
  for (const [gen, [glo, ghi]] of Object.entries(GEN_RANGES) as Array<[RunwispGeneration, [string | null, string | null]]>) {
    const fitsLo = glo === null || (lo !== null && compareVersions(lo, glo) >= 0)
    const fitsHi = ghi === null || (hi !== null && compareVersions(hi, ghi) <= 0)
    if (fitsLo && fitsHi) return {generation: gen, version: null, reason: used.join('; ') + conflict}
  }
  const range = `${lo ? `≥${lo}` : ''}${lo && hi ? ', ' : ''}${hi ? `<${hi}` : ''}`
  return {generation: null, version: null, reason: `the clues only narrow it to ${range}: ${used.join('; ')}${conflict}`}
}

export type {ConfigState}

// ---------------------------------------------------------------------------------------------
// Who the daemon runs as

export interface DaemonAccount {
  uid: number
  gid: number
  name: string
  group: string
  /** How the doctor knows: "the running daemon (pid 42)", "User= in /etc/systemd/system/runwisp.service", … */
  how: string
}

/**
 * The user RunWisp runs as for this data dir: the running daemon's, else the unit's `User=`
 * (root for a system unit without one, as `runwisp service install` writes it), else whoever runs
 * the doctor — the user who would type `runwisp` here.
 */
export function daemonAccount(ctx: CheckContext): Promise<DaemonAccount> {
  return ctx.memo('runwisp:account', async () => {
    const state = await loadRunwispState(ctx)
    const running = await ourDaemon(ctx)
    if (running?.uid != null) {
      const account = await lookupUser(ctx, running.uid)
      return {
        uid: running.uid,
        gid: account?.gid ?? running.uid,
        name: account?.name ?? String(running.uid),
        group: await groupName(ctx, account?.gid ?? running.uid),
        how: `the running daemon (pid ${running.pid})`,
      }
    }
    const unit = (await loadUnits(ctx)).find((u) => u.dataDir === state.dataDir)
    if (unit) {
      const user = unit.user ?? (unit.scope === 'system' ? 'root' : null)
      const account = user ? await lookupUser(ctx, user) : null
      if (account)
        return {
          uid: account.uid,
          gid: account.gid,
          name: account.name,
          group: unit.group ?? (await groupName(ctx, account.gid)),
          how: unit.user ? `User= in ${unit.path}` : `${unit.path} has no User= (runs as root)`,
        }
    }
    const uid = ctx.uid ?? 0
    const account = await lookupUser(ctx, uid)
    const gid = account?.gid ?? uid
    return {
      uid,
      gid,
      name: await userName(ctx, uid),
      group: await groupName(ctx, gid),
      how: 'the user running the doctor (who would start RunWisp here)',
    }
  })
}

/** The daemon's account as the generic checks read it (the profile's `dataDirAccount`): with the groups its access is judged by. */
export function daemonAccountWithGroups(ctx: CheckContext): Promise<ProfileAccount> {
  return ctx.memo('runwisp:account-groups', async () => {
    const account = await daemonAccount(ctx)
    return {...account, groups: await groupsOf(ctx, account)}
  })
}

/** The running RunWisp daemon of our data dir: the pid-file lock holder, the live pid in daemon.pid, or the RunWisp on our port serving it. */
export function ourDaemon(ctx: CheckContext): Promise<ProcessInfo | null> {
  return ctx.memo('runwisp:our-daemon', async () => {
    const state = await loadRunwispState(ctx)
    const pid = await loadPidFile(ctx)
    if ((pid.kind === 'ok' || pid.kind === 'invalid') && pid.lock.held === true) {
      for (const holder of pid.lock.holders) {
        const lookup = await ctx.processes.get(holder)
        if (lookup.alive === true && processIdentity(lookup.info).verdict === 'runwisp') return lookup.info
      }
    }
    if (pid.kind === 'ok' && pid.recorded.state === 'alive') return pid.recorded.proc
    for (const d of await runningDaemons(ctx)) if (d.dataDir && (await sameDir(ctx, d.dataDir.dataDir, state.dataDir))) return d.proc
    const port = await configuredPort(ctx, null)
    for (const o of await observePort(ctx, port.port))
      if (o.verdict === 'runwisp' && o.proc && o.dataDir && (await sameDir(ctx, o.dataDir.dataDir, state.dataDir))) return o.proc
    return null
  })
}

/** How to restart the daemon in this generation (`runwisp restart` exists from 0.8). */
export function restartCommand(facts: RunwispFacts, dataDir: string): string {
  return since(facts, '0.8.0') === 'yes' ? `runwisp restart --data ${dataDir}` : `runwisp --data ${dataDir}`
}

/** Where the daemon's own logs are, for a fix: the unit's journal, else data/daemon.log. */
export async function logsCommand(ctx: CheckContext): Promise<string> {
  const state = await loadRunwispState(ctx)
  const unit = (await loadUnits(ctx)).find((u) => u.dataDir === state.dataDir)
  if (unit) return unit.scope === 'user' ? `journalctl --user -u ${unit.name} -n 200` : `sudo journalctl -u ${unit.name} -n 200`
  return `tail -n 200 ${state.paths.log}`
}
