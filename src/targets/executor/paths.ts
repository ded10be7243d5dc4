/**
 * Where Executor keeps its state, and the on-disk names it uses (executor-facts §1.1, §1.3).
 */
import {isAbsolute, join, resolve} from 'node:path'
import type {CheckContext} from '../../context.js'

/** executor-facts §3.1: `DEFAULT_PORT` (daemon run, auto-start) and `DEFAULT_SERVICE_PORT` (service, desktop). */
export const CLI_DAEMON_PORT = 4788
export const SERVICE_PORT = 4789
export const DEFAULT_ORIGIN = `http://localhost:${CLI_DAEMON_PORT}`

export interface DataDirResolution {
  dataDir: string
  source: 'flag' | 'env' | 'default'
  /** The raw `EXECUTOR_DATA_DIR`, when it was used. */
  raw?: string
  /** True when `EXECUTOR_DATA_DIR` is relative: the CLI's daemon records do not resolve() it (§1.1). */
  relative: boolean
}

/** executor-facts §1.1: `resolve(EXECUTOR_DATA_DIR ?? ~/.executor)`. */
export function resolveDataDir(ctx: CheckContext): DataDirResolution {
  const flag = ctx.options.targetOptions.executor?.dataDir
  if (flag) return {dataDir: resolve(ctx.cwd, flag), source: 'flag', relative: false}
  const raw = ctx.env.EXECUTOR_DATA_DIR
  if (raw !== undefined && raw !== '') {
    return {dataDir: resolve(ctx.cwd, raw), source: 'env', raw, relative: !isAbsolute(raw)}
  }
  return {dataDir: join(ctx.home, '.executor'), source: 'default', relative: false}
}

export const executorPaths = (dataDir: string) => ({
  serverControl: join(dataDir, 'server-control'),
  manifest: join(dataDir, 'server-control', 'server.json'),
  bearer: join(dataDir, 'server-control', 'auth.json'),
  legacyStartupLock: join(dataDir, 'server-control', 'startup.lock'),
  errorLog: join(dataDir, 'logs', 'daemon.error.log'),
  log: join(dataDir, 'logs', 'daemon.log'),
  connections: join(dataDir, 'server-connections.json'),
})

/** §1.3: `daemon-<host>-<port>.json` records, `daemon-active-<host>-<scopeKey>.json` pointers, `.json.lock` start locks. */
export function classifyDataDirEntry(name: string): 'record' | 'pointer' | 'start-lock' | null {
  if (/^daemon-active-.+\.json\.lock$/.test(name)) return 'start-lock'
  if (/^daemon-active-.+\.json$/.test(name)) return 'pointer'
  if (/^daemon-.+-\d+\.json$/.test(name)) return 'record'
  return null
}
