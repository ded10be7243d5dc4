/**
 * Where Executor keeps what a maintainer needs (executor-facts §1.3, §1.4, §2, §8), and which of
 * those files hold secrets. Paths resolve as the doctor's Executor target resolves them
 * (`--executor-data-dir`, `EXECUTOR_DATA_DIR`, `~/.executor`).
 */
import {join} from 'node:path'
import type {CheckContext} from '../../context.js'
import {executorPaths, resolveDataDir} from '../../targets/executor/paths.js'
import {loadExecutorState, manifestOf} from '../../targets/executor/state.js'
import type {PlannedCopy, PlannedSecretFile, PlannedTail, SourcePlan} from '../types.js'

export interface ExecutorLocations {
  dataDir: string
  dataDirSource: 'flag' | 'env' | 'default'
  paths: ReturnType<typeof executorPaths>
  /** File-secrets stores (§1.4 item 2): `$EXECUTOR_DATA_DIR/auth.json` (1.5.35) and the XDG one. */
  fileSecretsStores: string[]
  /** The XDG dir where v1→v2 migration backups `auth.json.v1-v2-<nonce>` appear (§1.4 item 3). */
  xdgDir: string
  /** Service definitions (§8): systemd user unit, launchd plist, Windows task files. */
  serviceFiles: Array<{path: string; what: string; encoding?: 'utf16le'}>
}

export function executorLocations(ctx: CheckContext): ExecutorLocations {
  const resolution = resolveDataDir(ctx)
  const dataDir = resolution.dataDir
  const paths = executorPaths(dataDir)
  const xdgData = ctx.env.XDG_DATA_HOME && ctx.env.XDG_DATA_HOME !== '' ? ctx.env.XDG_DATA_HOME : join(ctx.home, '.local', 'share')
  const xdgDir = join(xdgData, 'executor')
  return {
    dataDir,
    dataDirSource: resolution.source,
    paths,
    fileSecretsStores: [join(dataDir, 'auth.json'), join(xdgDir, 'auth.json')],
    xdgDir,
    serviceFiles: [
      {path: join(ctx.home, '.config', 'systemd', 'user', 'sh.executor.daemon.service'), what: 'Executor systemd user unit'},
      {path: join(ctx.home, 'Library', 'LaunchAgents', 'sh.executor.daemon.plist'), what: 'Executor launchd agent'},
      {path: join(paths.serverControl, 'run-daemon.cmd'), what: 'Executor Windows task script'},
      {path: join(paths.serverControl, 'run-daemon.vbs'), what: 'Executor Windows task launcher'},
      {path: join(paths.serverControl, 'run-daemon.xml'), what: 'Executor Windows task definition', encoding: 'utf16le'},
    ],
  }
}

const RECORD_WHAT = {
  record: 'Executor daemon record',
  pointer: 'Executor daemon pointer',
  'start-lock': 'Executor daemon start lock',
} as const

export async function planExecutor(ctx: CheckContext, at: ExecutorLocations): Promise<SourcePlan> {
  const state = await loadExecutorState(ctx)
  const copies: PlannedCopy[] = [
    {name: 'executor/server-control/server.json', path: at.paths.manifest, what: 'Executor server manifest', origin: 'executor'},
    {name: 'executor/server-connections.json', path: at.paths.connections, what: 'Executor CLI server profiles', origin: 'executor'},
    {
      name: 'executor/server-control/startup.lock',
      path: at.paths.legacyStartupLock,
      what: 'Executor legacy startup lock',
      origin: 'executor',
    },
    {
      name: 'executor/data.db.v1-v2-migration.json',
      path: join(at.dataDir, 'data.db.v1-v2-migration.json'),
      what: 'Executor v1→v2 migration journal',
      origin: 'executor',
    },
    ...state.entries.map((e) => ({name: `executor/${e.name}`, path: e.path, what: RECORD_WHAT[e.kind], origin: 'executor' as const})),
    ...at.serviceFiles.map((s) => ({
      name: `executor/service/${s.path.split('/').pop()}`,
      path: s.path,
      what: s.what,
      origin: 'executor' as const,
      // systemd and launchd read a linked unit (home-manager, stow): the bundle follows it too.
      follow: true,
      ...(s.encoding ? {encoding: s.encoding} : {}),
    })),
  ]
  const tails: PlannedTail[] = [
    {name: 'executor/logs/daemon.error.log', path: at.paths.errorLog, what: 'Executor service stderr log', origin: 'executor'},
    {name: 'executor/logs/daemon.log', path: at.paths.log, what: 'Executor service stdout log', origin: 'executor'},
  ]
  const secretFiles: PlannedSecretFile[] = [
    {path: at.paths.bearer, what: 'Executor local bearer token (server-control/auth.json)', origin: 'executor'},
    ...at.fileSecretsStores.map((path) => ({path, what: 'Executor file-secrets store (auth.json)', origin: 'executor' as const})),
    ...['data.db', 'data.db-wal', 'data.db-shm'].map((name) => ({
      path: join(at.dataDir, name),
      what: 'Executor database (holds integration credentials)',
      origin: 'executor' as const,
    })),
  ]
  const backups = await ctx.files.readdir(at.xdgDir)
  if (backups.ok) {
    for (const name of backups.names.filter((n) => n.startsWith('auth.json.v1-v2-'))) {
      secretFiles.push({path: join(at.xdgDir, name), what: 'Executor file-secrets migration backup', origin: 'executor'})
    }
  }
  const manifest = manifestOf(state)
  return {
    origin: 'executor',
    copies,
    tails,
    secretFiles,
    facts: {
      dataDir: at.dataDir,
      dataDirSource: at.dataDirSource,
      dataDirState: state.dataDirState.kind,
      manifest: state.manifest.kind,
      manifestVersion: manifest?.owner.version ?? null,
      manifestKind: manifest?.kind ?? null,
      manifestOrigin: manifest?.connection.origin ?? null,
    },
  }
}
