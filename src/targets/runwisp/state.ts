/**
 * RunWisp as found on this machine, read once per run and shared by every check: the data dir and
 * its files, `daemon.pid` and its lock, systemd units, what listens on the port and what it says
 * about itself, and the generation all of that adds up to.
 *
 * Nothing here logs in: the only requests are `GET /health`, the unauthenticated identity endpoint
 * and, over the local socket, the daemon info. The login limit is 5 attempts per IP per 5 minutes
 * (runwisp-facts §3.4); the doctor must never be the reason a user is locked out.
 */
import {join, resolve} from 'node:path'
import {Undetermined} from '../../check.js'
import type {CheckContext} from '../../context.js'
import type {FileError} from '../../probes/files.js'
import type {HttpResult} from '../../probes/http.js'
import {devParts, readLocks} from '../../probes/locks.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {Listener} from '../../probes/sockets.js'
import {loadConfig, type ConfigState} from './config.js'
import {configClues} from './config-rules.js'
import {flagValue, parseEnvironment, parseIdentity, parsePidFile, parseUnit, splitWords, unitValue, unitValues, type RunwispIdentity, type UnitFile} from './formats.js'
import {compareVersions, generationOfVersion, identityPaths, isVersion, since, type RunwispFacts, type RunwispGeneration} from './generations.js'

import {checkRecordedPid, daemonDataDir, groupName, isDaemonProcess, lookupUser, processIdentity, userName, type RecordedPid} from './identity.js'
import {dataDirCandidates, dataDirNameHint, DEFAULT_HOST, DEFAULT_PORT, FAILSAFE_UNIT_PREFIX, runwispPaths, socketPath, unitDirs, type DataDirCandidate, type RunwispPaths} from './paths.js'

export type DataDirState = {kind: 'dir'; names: string[]} | {kind: 'missing'} | {kind: 'not-a-dir'; what: string} | {kind: 'unreadable'; error: FileError}

export interface RunwispState {
  dataDir: string
  source: DataDirCandidate
  paths: RunwispPaths
  dataDirState: DataDirState
  socket: {path: string; source: 'env' | 'data-dir'}
}

export function loadRunwispState(ctx: CheckContext): Promise<RunwispState> {
  return ctx.memo('runwisp:state', async () => {
    const {explicit, defaults} = dataDirCandidates(ctx)
    let chosen: DataDirCandidate | null = explicit
    if (!chosen) {
      const units = await loadUnits(ctx)
      const unitDirsFound = units.flatMap((u) => (u.dataDir ? [{path: u.dataDir, source: 'default' as const, label: `--data of ${u.path}`}] : []))
      for (const candidate of [...defaults, ...unitDirsFound]) {
        const st = await ctx.files.lstat(candidate.path)
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
    chosen ??= {...defaults[0]!, source: 'default', label: `${defaults[0]!.path} (the 0.6+ default; it does not exist yet)`}
    const dataDir = chosen.path
    return {dataDir, source: chosen, paths: runwispPaths(dataDir), dataDirState: await readDataDir(ctx, dataDir), socket: socketPath(ctx, dataDir)}
  })
}

/** `./data` is a common name: only count it as RunWisp's when it holds RunWisp's files. */
export async function looksLikeRunwispDir(ctx: CheckContext, dir: string): Promise<boolean> {
  const listing = await ctx.files.readdir(dir)
  return listing.ok && listing.names.some((n) => ['runwisp.db', 'password', 'daemon.pid', 'runwisp.sock', 'daemon.log'].includes(n))
}

async function readDataDir(ctx: CheckContext, dataDir: string): Promise<DataDirState> {
  const st = await ctx.files.stat(dataDir)
  if (!st.ok) {
    if (st.code === 'ENOENT') return {kind: 'missing'}
    if (st.code === 'ENOTDIR') return {kind: 'not-a-dir', what: 'a path whose parent is not a directory'}
    return {kind: 'unreadable', error: st}
  }
  if (!st.stat.isDirectory()) return {kind: 'not-a-dir', what: st.stat.isFile() ? `a regular file of ${st.stat.size} bytes` : 'not a directory'}
  const listing = await ctx.files.readdir(dataDir)
  if (!listing.ok) return {kind: 'unreadable', error: listing}
  return {kind: 'dir', names: listing.names}
}

/** Turns an unusable data dir into the `error` a check must report: it cannot decide without it. */
export function requireReadableDataDir(state: RunwispState): void {
  const s = state.dataDirState
  if (s.kind === 'unreadable') throw new Undetermined(`cannot read the data dir ${state.dataDir} (${s.error.code}): ${s.error.message}`, {dataDir: state.dataDir, error: s.error.code})
}

// ---------------------------------------------------------------------------------------------
// daemon.pid and its flock

export type LockState = {held: true; holders: number[]} | {held: false} | {held: 'unknown'; reason: string}

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
      if (read.code === 'TOO_LARGE') return {kind: 'invalid', reason: `it is ${lst.stat.size} bytes; RunWisp writes a pid and a newline`, mtimeMs: lst.stat.mtimeMs, lock}
      if (read.code === 'NOT_FILE') return {kind: 'invalid', reason: 'it is not a regular file', mtimeMs: lst.stat.mtimeMs, lock}
      return {kind: 'unreadable', error: read}
    }
    const parsed = parsePidFile(read.bytes)
    if (!parsed.ok) return {kind: 'invalid', reason: parsed.reason, mtimeMs: read.stat.mtimeMs, lock}
    return {kind: 'ok', pid: parsed.value, mtimeMs: read.stat.mtimeMs, lock, recorded: await checkRecordedPid(ctx, parsed.value, read.stat.mtimeMs)}
  })
}

/** Who holds a flock on the file (dev, inode), from /proc/locks: reading never disturbs the lock. */
export async function lockState(ctx: CheckContext, dev: number, ino: number): Promise<LockState> {
  const locks = await ctx.memo('runwisp:proc-locks', () => readLocks())
  if (!locks) return {held: 'unknown', reason: '/proc/locks is not available on this system'}
  const {major, minor} = devParts(dev)
  const holders = locks.filter((l) => l.kind === 'FLOCK' && l.inode === ino && l.major === major && l.minor === minor).map((l) => l.pid)
  return holders.length > 0 ? {held: true, holders: [...new Set(holders)]} : {held: false}
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
    for (const {dir, scope} of unitDirs(ctx)) {
      const listing = await ctx.files.readdir(dir)
      if (!listing.ok) continue
      for (const name of listing.names) {
        if (!UNIT_NAME.test(name)) continue
        const path = join(dir, name)
        const dropDir = `${path}.d`
        const drops = await ctx.files.readdir(dropDir)
        found.push({path, name, scope, dropIns: drops.ok ? drops.names.filter((n) => n.endsWith('.conf')).map((n) => join(dropDir, n)) : []})
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
      const read = await ctx.files.read(file.path, 256 * 1024)
      if (!read.ok) continue
      seen.add(file.name)
      const unit = parseUnit(read.text)
      for (const dropIn of file.dropIns) {
        const text = await ctx.files.read(dropIn, 64 * 1024)
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
  const portText = flagValue(argv, ['--port', '-p']) ?? env.RUNWISP_PORT ?? null
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
    dataDir: rel(flagValue(argv, ['--data']) ?? env.RUNWISP_DATA ?? null),
    config: rel(flagValue(argv, ['--config']) ?? env.RUNWISP_CONFIG ?? null),
    port: portText && /^\d+$/.test(portText) ? Number(portText) : null,
    host: flagValue(argv, ['--host']) ?? env.RUNWISP_HOST ?? null,
  }
}

// ---------------------------------------------------------------------------------------------
// The port, who holds it, and what answers there

export interface PortChoice {
  port: number
  source: string
}

/** `--runwisp-port` > `RUNWISP_PORT` (0.14+) > a RunWisp unit's `--port` > the generation's default. */
export async function chosenPort(ctx: CheckContext, facts: RunwispFacts | null): Promise<PortChoice> {
  const flag = ctx.options.targetOptions.runwisp?.port
  if (flag) return {port: flag, source: '--runwisp-port'}
  const env = ctx.env.RUNWISP_PORT
  if (env && /^\d+$/.test(env) && Number(env) >= 1 && Number(env) <= 65535) return {port: Number(env), source: 'RUNWISP_PORT'}
  const unit = (await loadUnits(ctx)).find((u) => u.port !== null)
  if (unit?.port) return {port: unit.port, source: `--port in ${unit.path}`}
  if (facts?.version && compareVersions(facts.version, '0.4.0') < 0) return {port: 8080, source: 'the default before 0.4'}
  return {port: DEFAULT_PORT, source: 'the default since 0.4'}
}

export type IdentityAnswer =
  | {kind: 'runwisp'; identity: RunwispIdentity; path: string; url: string}
  | {kind: 'local-only'; path: string; url: string}
  | {kind: 'none'; tried: Array<{url: string; result: string}>}

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
        owners.push({listener, pid: owner.pid, verdict: 'runwisp', why: `it refuses ${answer.path} with RunWisp's "instance endpoint is only available locally"`, identityPath: answer.path})
        continue
      }
      if (owner.pid === null) {
        if (fromEndpoint) owners.push({listener, pid: null, verdict: 'runwisp', why: `it answers ${answer.kind === 'runwisp' ? answer.path : ''} with app "runwisp" (its process is not visible: ${owner.reason})`, identity: fromEndpoint, ...identityPath, ...(fromEndpoint.dataDir ? {dataDir: {dataDir: fromEndpoint.dataDir, how: 'its identity endpoint says so'}} : {})})
        else owners.push({listener, pid: null, reason: owner.reason, verdict: 'unknown', why: owner.reason})
        continue
      }
      const lookup = await ctx.processes.get(owner.pid)
      if (lookup.alive !== true) {
        owners.push({listener, pid: owner.pid, reason: lookup.alive === false ? 'the process exited while being inspected' : lookup.reason, verdict: 'unknown', why: 'the process could not be inspected'})
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
      const dataDir = fromEndpoint?.dataDir ? {dataDir: resolve(fromEndpoint.dataDir), how: 'its identity endpoint says so'} : verdict === 'runwisp' ? await daemonDataDir(ctx, proc) : null
      owners.push({listener, pid: proc.pid, proc, verdict, why, ...(fromEndpoint ? {identity: fromEndpoint, ...identityPath} : {}), ...(dataDir ? {dataDir} : {})})
    }
    return owners
  })
}

/** Loopback for wildcard binds; the identity endpoint answers only locally (runwisp-facts §2.4). */
function probeHost(listener: Listener): string {
  const a = listener.address
  if (a === '0.0.0.0' || a === '127.0.0.1' || a.startsWith('127.')) return '127.0.0.1'
  if (a === '::' || a === '::1') return '[::1]'
  if (a.startsWith('::ffff:')) return a.slice(7)
  return listener.protocol === 'tcp6' ? `[${a}]` : a
}

/** `GET /api/daemon/identity` (0.16+) then `/api/instance` (0.11–0.15): unauthenticated, loopback only. */
export function probeIdentity(ctx: CheckContext, host: string, port: number): Promise<IdentityAnswer> {
  return ctx.memo(`runwisp:identity:${host}:${port}`, async () => {
    const tried: Array<{url: string; result: string}> = []
    for (const path of identityPaths({generation: null, version: null})) {
      const url = `http://${host}:${port}${path}`
      const r = await ctx.http.get(url, {maxBytes: 16 * 1024, headers: {accept: 'application/json'}})
      if (!r.ok) {
        tried.push({url, result: r.message})
        if (r.error === 'timeout' || r.error === 'refused') break
        continue
      }
      if (r.status === 403 && r.body.includes('instance endpoint is only available locally')) return {kind: 'local-only', path, url}
      const parsed = r.status === 200 ? parseIdentity(r.body) : null
      if (parsed?.ok && parsed.value.app === 'runwisp') return {kind: 'runwisp', identity: parsed.value, path, url}
      tried.push({url, result: `${r.status}${parsed && !parsed.ok ? ` (${parsed.reason})` : ''}`})
    }
    return {kind: 'none', tried}
  })
}

export type HealthAnswer =
  | {kind: 'healthy'; response: Extract<HttpResult, {ok: true}>; url: string; via: string}
  | {kind: 'no-answer'; error: Extract<HttpResult, {ok: false}>; url: string; via: string}
  | {kind: 'wrong-answer'; status: number; body: string; url: string; via: string}

/** runwisp-facts §2.2: `GET /health` answers 200 with the body exactly `OK`, on TCP and on the socket. */
export function probeHealth(ctx: CheckContext, via: {socketPath: string} | {host: string; port: number}): Promise<HealthAnswer> {
  const label = 'socketPath' in via ? `the socket ${via.socketPath}` : `${via.host}:${via.port}`
  return ctx.memo(`runwisp:health:${label}`, async () => {
    const url = 'socketPath' in via ? 'http://runwisp/health' : `http://${via.host}:${via.port}/health`
    const r = await ctx.http.get(url, 'socketPath' in via ? {socketPath: via.socketPath, maxBytes: 1024} : {maxBytes: 1024})
    if (!r.ok) return {kind: 'no-answer', error: r, url, via: label}
    if (r.status === 200 && r.body === 'OK') return {kind: 'healthy', response: r, url, via: label}
    return {kind: 'wrong-answer', status: r.status, body: excerpt(r.body), url, via: label}
  })
}

import {excerpt} from '../../text.js'

export {excerpt}

// ---------------------------------------------------------------------------------------------
// RunWisp daemons running anywhere on the machine

export interface RunningDaemon {
  proc: ProcessInfo
  dataDir: {dataDir: string; how: string} | null
}

export function runningDaemons(ctx: CheckContext): Promise<RunningDaemon[]> {
  return ctx.memo('runwisp:daemons', async () => {
    const out: RunningDaemon[] = []
    for (const proc of await ctx.processes.list()) {
      if (!isDaemonProcess(proc)) continue
      out.push({proc, dataDir: await daemonDataDir(ctx, proc)})
    }
    return out
  })
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

const GEN_RANGES: Record<RunwispGeneration, [string | null, string | null]> = {'0.3-0.4': [null, '0.5.0'], '0.5-0.15': ['0.5.0', '0.16.0'], '0.16+': ['0.16.0', null]}

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
    const ours = owners.find((o) => o.verdict === 'runwisp' && (!o.dataDir || o.dataDir.dataDir === state.dataDir || state.dataDirState.kind !== 'dir'))
    const version = ours?.identity?.version
    if (version && isVersion(version)) {
      const v = version.replace(/^v/, '')
      return {generation: generationOfVersion(v), version: v, reason: `the daemon on port ${port.port} reports version ${v}`}
    }
    if (ours?.identityPath === '/api/daemon/identity') clues.push({from: '0.16.0', before: null, why: `the daemon on port ${port.port} answers /api/daemon/identity (0.16+)`})
    if (ours?.identityPath === '/api/instance') clues.push({from: '0.11.0', before: '0.16.0', why: `the daemon on port ${port.port} answers /api/instance (0.11–0.15)`})
    const pid = await loadPidFile(ctx)
    if ((pid.kind === 'ok' || pid.kind === 'invalid') && pid.lock.held === true) {
      const holder = await ctx.processes.get(pid.lock.holders[0]!)
      if (holder.alive === true && processIdentity(holder.info).verdict === 'runwisp') clues.push({from: '0.16.0', before: null, why: 'daemon.pid is held with flock by a RunWisp process, as 0.16+ does'})
    } else if (pid.kind === 'ok' && pid.lock.held === false && pid.recorded.state === 'alive') {
      clues.push({from: null, before: '0.16.0', why: `daemon.pid names a running RunWisp (pid ${pid.pid}) without holding a lock on it, as before 0.16`})
    }
    if (state.dataDirState.kind === 'dir') {
      const names = state.dataDirState.names
      if (names.includes('runwisp.sock')) clues.push({from: '0.5.0', before: null, why: `${state.paths.socket} exists (the socket arrived in 0.5)`})
      if (names.some((n) => /^\..+\.log\.meta$/.test(n))) clues.push({from: '0.11.0', before: null, why: 'hidden .log.meta containers exist (0.11+)'})
      const hint = dataDirNameHint(state.dataDir)
      if (hint === 'current' && state.source.source !== 'flag' && state.source.source !== 'env') clues.push({from: '0.6.0', before: null, why: 'the data dir is ./.runwisp, the default since 0.6'})
      if (hint === 'legacy' && state.source.source === 'cwd-legacy') clues.push({from: null, before: '0.6.0', why: 'the data dir is ./data, the default up to 0.5'})
    }
    const config = await loadConfig(ctx)
    if (config.kind === 'ok') clues.push(...configClues(config.data))
    // Last: a password file outlives upgrades (0.5 never removes it), so it yields to the clues above.
    if (state.dataDirState.kind === 'dir' && state.dataDirState.names.includes('password') && !state.dataDirState.names.includes('runwisp.sock')) {
      clues.push({from: null, before: '0.5.0', why: `${state.paths.password} exists and there is no runwisp.sock (the password file is 0.3–0.4)`})
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
  if (used.length === 0) return {generation: null, version: null, reason: 'no running RunWisp to ask, and nothing on disk or in the config that only one generation has'}
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
      return {uid: running.uid, gid: account?.gid ?? running.uid, name: account?.name ?? String(running.uid), group: await groupName(ctx, account?.gid ?? running.uid), how: `the running daemon (pid ${running.pid})`}
    }
    const unit = (await loadUnits(ctx)).find((u) => u.dataDir === state.dataDir)
    if (unit) {
      const user = unit.user ?? (unit.scope === 'system' ? 'root' : null)
      const account = user ? await lookupUser(ctx, user) : null
      if (account) return {uid: account.uid, gid: account.gid, name: account.name, group: unit.group ?? (await groupName(ctx, account.gid)), how: unit.user ? `User= in ${unit.path}` : `${unit.path} has no User= (runs as root)`}
    }
    const uid = ctx.uid ?? 0
    const account = await lookupUser(ctx, uid)
    const gid = account?.gid ?? uid
    return {uid, gid, name: await userName(ctx, uid), group: await groupName(ctx, gid), how: 'the user running the doctor (who would start RunWisp here)'}
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
    const port = await chosenPort(ctx, await runwispFacts(ctx))
    const owner = (await observePort(ctx, port.port)).find((o) => o.verdict === 'runwisp' && o.proc && o.dataDir?.dataDir === state.dataDir)
    return owner?.proc ?? null
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
