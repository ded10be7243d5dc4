/**
 * Executor's state as found on this machine, read once per run and shared by every check:
 * the data dir, its manifest, records, pointers and locks, what listens on its ports, and what
 * its daemon answers.
 */
import {excerpt} from '../../text.js'
import {join} from 'node:path'
import {Undetermined} from '../../check.js'
import type {CheckContext} from '../../context.js'
import {describeFileError, type FileError} from '../../probes/files.js'
import type {HttpResult} from '../../probes/http.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {Listener} from '../../probes/sockets.js'
import {parseManifest, type ServerManifest} from './formats.js'
import {generationOfVersion, HEALTH_RULES, type ExecutorGeneration, type HealthRule} from './generations.js'
import {executorIdentity, type Identity} from './identity.js'
import {classifyDataDirEntry, CLI_DAEMON_PORT, DEFAULT_ORIGIN, executorPaths, resolveDataDir, type DataDirResolution} from './paths.js'

export type ManifestState =
  | {kind: 'missing'}
  | {kind: 'unreadable'; error: FileError}
  | {kind: 'invalid'; reason: string; sizeBytes?: number}
  | {kind: 'ok'; manifest: ServerManifest; mtimeMs: number}

export interface DataDirEntry {
  name: string
  path: string
  kind: 'record' | 'pointer' | 'start-lock'
}

export interface ExecutorState {
  resolution: DataDirResolution
  dataDir: string
  paths: ReturnType<typeof executorPaths>
  /** `dir` when usable; otherwise why not. */
  dataDirState: {kind: 'dir'} | {kind: 'missing'} | {kind: 'not-a-dir'} | {kind: 'unreadable'; error: FileError}
  manifest: ManifestState
  entries: DataDirEntry[]
}

export function loadExecutorState(ctx: CheckContext): Promise<ExecutorState> {
  return ctx.memo('executor:state', async () => {
    const resolution = resolveDataDir(ctx)
    const dataDir = resolution.dataDir
    const paths = executorPaths(dataDir)
    const stat = await ctx.files.stat(dataDir)
    let dataDirState: ExecutorState['dataDirState']
    let entries: DataDirEntry[] = []
    if (!stat.ok)
      dataDirState =
        stat.code === 'ENOENT' ? {kind: 'missing'} : stat.code === 'ENOTDIR' ? {kind: 'not-a-dir'} : {kind: 'unreadable', error: stat}
    else if (!stat.stat.isDirectory()) dataDirState = {kind: 'not-a-dir'}
    else {
      const listing = await ctx.files.readdir(dataDir)
      if (!listing.ok) dataDirState = {kind: 'unreadable', error: listing}
      else {
        dataDirState = {kind: 'dir'}
        entries = listing.names.flatMap((name) => {
          const kind = classifyDataDirEntry(name)
          return kind ? [{name, path: join(dataDir, name), kind}] : []
        })
      }
    }
    const manifest = dataDirState.kind === 'dir' ? await readManifest(ctx, paths.manifest) : {kind: 'missing' as const}
    return {resolution, dataDir, paths, dataDirState, manifest, entries}
  })
}

/** Records, pointers and start locks are a few hundred bytes; the checks that judge them read up to this. */
export const ENTRY_READ_CAP = 64 * 1024

/**
 * Reads every record, pointer and start lock at once (a crashed test farm leaves tens of
 * thousands), so the checks that judge them one by one read from memory. Called by those checks,
 * not by the state loader: target detection lists the data dir and must stay cheap, and the reads
 * belong under the deadline of the check that needs them.
 */
/** The state with its data-dir entries read (one batch per run), or why there is nothing to judge. */
export async function loadStateWithEntries(ctx: CheckContext): Promise<ExecutorState | {skip: string}> {
  const state = await loadExecutorState(ctx)
  requireReadableDataDir(state)
  if (state.dataDirState.kind !== 'dir') return {skip: `no data dir at ${state.dataDir}`}
  await readDataDirEntries(ctx, state)
  return state
}

export function readDataDirEntries(ctx: CheckContext, state: ExecutorState): Promise<void> {
  return ctx.memo('executor:entry-reads', () =>
    ctx.files.readBatch(
      state.entries.map((e) => e.path),
      ENTRY_READ_CAP,
      ctx.signal,
    ),
  )
}

/** A manifest bigger than this is not one Executor wrote (real ones are well under 2 KB). */
const MANIFEST_CAP = 256 * 1024

async function readManifest(ctx: CheckContext, path: string): Promise<ManifestState> {
  const read = await ctx.files.read(path, MANIFEST_CAP)
  if (!read.ok) {
    if (read.code === 'ENOENT') return {kind: 'missing'}
    if (read.code === 'TOO_LARGE') {
      const st = await ctx.files.stat(path)
      return {
        kind: 'invalid',
        reason: `the file is ${st.ok ? st.stat.size : 'over ' + MANIFEST_CAP} bytes; Executor writes manifests of about 500 bytes, so this is not one it wrote`,
        ...(st.ok ? {sizeBytes: st.stat.size} : {}),
      }
    }
    if (read.code === 'NOT_FILE') return {kind: 'invalid', reason: 'the path is not a regular file'}
    if (read.code === 'ELOOP') return {kind: 'invalid', reason: 'the path is a symlink; Executor writes a regular file there'}
    return {kind: 'unreadable', error: read}
  }
  const parsed = parseManifest(read.text)
  if (!parsed.ok) return {kind: 'invalid', reason: parsed.reason, sizeBytes: read.stat.size}
  return {kind: 'ok', manifest: parsed.value, mtimeMs: read.stat.mtimeMs}
}

/** Turns an unusable data dir into the `error` a check must report (it cannot decide without it). */
export function requireReadableDataDir(state: ExecutorState): void {
  const s = state.dataDirState
  if (s.kind === 'not-a-dir') {
    const from =
      state.resolution.source === 'env'
        ? ` (EXECUTOR_DATA_DIR=${state.resolution.raw})`
        : state.resolution.source === 'flag'
          ? ' (--executor-data-dir)'
          : ''
    throw new Undetermined(`the data dir ${state.dataDir}${from} is not a directory; Executor cannot keep its state there`, {
      dataDir: state.dataDir,
    })
  }
  if (s.kind === 'unreadable') {
    throw new Undetermined(`cannot read the data dir ${state.dataDir}: ${describeFileError(s.error)}`, {
      dataDir: state.dataDir,
      error: s.error.code,
    })
  }
  if (state.manifest.kind === 'unreadable') {
    throw new Undetermined(`cannot read ${state.paths.manifest}: ${describeFileError(state.manifest.error)}`, {
      path: state.paths.manifest,
      error: state.manifest.error.code,
    })
  }
}

export function manifestOf(state: ExecutorState): ServerManifest | null {
  return state.manifest.kind === 'ok' ? state.manifest.manifest : null
}

/** The origin the CLI would talk to: the manifest's, else `http://localhost:4788` (or `--executor-port`). */
export function expectedOrigin(state: ExecutorState, ctx?: CheckContext): string {
  const port = ctx?.options.targetOptions.executor?.port
  return manifestOf(state)?.connection.origin ?? (port ? `http://localhost:${port}` : DEFAULT_ORIGIN)
}

export function portOf(origin: string): number {
  const url = new URL(origin)
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
}

export interface PortOwner {
  listener: Listener
  pid: number | null
  /** Why the pid is unknown. */
  reason?: string
  proc?: ProcessInfo
  identity?: Identity
}

/** Who listens on `port`, and whether each owner is Executor. One answer per run per port. */
export function observePort(ctx: CheckContext, port: number, executablePath?: string | null): Promise<PortOwner[]> {
  return ctx.memo(`executor:port:${port}:${executablePath ?? ''}`, async () => {
    const listeners = await ctx.sockets.onPort(port)
    // The pid server.json registers is read first: the daemon usually holds its own port.
    const registered = manifestOf(await loadExecutorState(ctx))?.pid
    return Promise.all(
      listeners.map(async (listener): Promise<PortOwner> => {
        const owner = await ctx.sockets.owner(listener, registered === undefined ? [] : [registered])
        if (owner.pid === null) return {listener, pid: null, reason: owner.reason}
        const lookup = await ctx.processes.get(owner.pid)
        if (lookup.alive !== true)
          return {listener, pid: owner.pid, reason: lookup.alive === false ? 'the process exited while being inspected' : lookup.reason}
        return {listener, pid: owner.pid, proc: lookup.info, identity: await executorIdentity(ctx, lookup.info, executablePath)}
      }),
    )
  })
}

export type HealthAnswer =
  | {kind: 'healthy'; rule: HealthRule; response: Extract<HttpResult, {ok: true}>; url: string}
  | {kind: 'no-answer'; error: Extract<HttpResult, {ok: false}>; url: string}
  | {kind: 'wrong-answer'; tried: Array<{rule: HealthRule; url: string; status: number; body: string; cut?: string}>}

/**
 * Asks the daemon at `origin` for its health the way its generation answers. With no known
 * generation both rules are tried, current first. `localhost` is probed on the address family
 * that actually listens (Executor binds 127.0.0.1), like the CLI's own `toProbeHost`.
 */
export function probeHealth(ctx: CheckContext, origin: string, generation: ExecutorGeneration | null): Promise<HealthAnswer> {
  return ctx.memo(`executor:health:${origin}:${generation ?? '*'}`, async () => {
    const base = await probeBase(ctx, origin)
    const rules = generation ? [HEALTH_RULES[generation]] : [HEALTH_RULES.current, HEALTH_RULES.legacy]
    const tried: Array<{rule: HealthRule; url: string; status: number; body: string; cut?: string}> = []
    for (const rule of rules) {
      const url = base + rule.path
      const response = await ctx.http.get(url)
      if (!response.ok) return {kind: 'no-answer', error: response, url}
      if (rule.accepts(response)) return {kind: 'healthy', rule, response, url}
      tried.push({rule, url, status: response.status, body: excerpt(response.body), ...(response.cut ? {cut: response.cut} : {})})
    }
    return {kind: 'wrong-answer', tried}
  })
}

async function probeBase(ctx: CheckContext, origin: string): Promise<string> {
  const url = new URL(origin)
  if (url.hostname === 'localhost') {
    const listeners = await ctx.sockets.onPort(portOf(origin))
    const v4 = listeners.some((l) => l.protocol === 'tcp' || l.address === '::')
    url.hostname = v4 || listeners.length === 0 ? '127.0.0.1' : '[::1]'
  }
  return url.origin
}

/** The generation from the manifest's `owner.version`, or null when there is no version to go by. */
export function manifestGeneration(state: ExecutorState): {generation: ExecutorGeneration; reason: string} | null {
  const version = manifestOf(state)?.owner.version
  if (!version) return null
  return {generation: generationOfVersion(version), reason: `server.json says owner.version ${version}`}
}

export const DEFAULT_PORTS = [CLI_DAEMON_PORT]
