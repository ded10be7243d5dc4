/**
 * Where RunWisp keeps its state and config, per generation (runwisp-facts §1.1, §1.2, §2.1, §8.1).
 * Nothing here touches the disk: these are the rules; `state.ts` looks at what exists.
 */
import {basename, join, resolve} from 'node:path'
import type {CheckContext} from '../../context.js'
import {runwispEnv} from './env.js'

/** runwisp-facts §2.1: 9477 since 0.4.0, 8080 before. */
export const DEFAULT_PORT = 9477
export const PRE_04_PORT = 8080

/** runwisp-facts §1.1: root defaults since 0.14 (and the Docker image). */
export const SYSTEM_DATA_DIR = '/var/lib/runwisp'
export const SYSTEM_CONFIG = '/etc/runwisp/runwisp.toml'
/** Default data dir names relative to the working directory: `./data/` up to 0.5, `./.runwisp/` from 0.6. */
export const LEGACY_DATA_DIR_NAME = 'data'
export const CURRENT_DATA_DIR_NAME = '.runwisp'
export const CONFIG_NAME = 'runwisp.toml'

export const runwispPaths = (dataDir: string) => ({
  dataDir,
  pidFile: join(dataDir, 'daemon.pid'),
  password: join(dataDir, 'password'),
  log: join(dataDir, 'daemon.log'),
  socket: join(dataDir, 'runwisp.sock'),
  db: join(dataDir, 'runwisp.db'),
  logs: join(dataDir, 'logs'),
})

export type RunwispPaths = ReturnType<typeof runwispPaths>

export type DataDirSource = 'flag' | 'env' | 'cwd-current' | 'cwd-legacy' | 'system' | 'daemon' | 'default'

export interface DataDirCandidate {
  path: string
  source: DataDirSource
  /** How the user would say it: "--runwisp-data-dir", "RUNWISP_DATA", "./.runwisp in the working directory". */
  label: string
}

/**
 * Data dirs RunWisp could be using here, most explicit first. `--data`/`RUNWISP_DATA` win outright
 * (root.go: flag > env > euid default); otherwise each default of each generation is a candidate and
 * `state.ts` keeps the first that exists.
 */
export function dataDirCandidates(ctx: CheckContext): {explicit: DataDirCandidate | null; defaults: DataDirCandidate[]} {
  const flag = ctx.options.targetOptions.runwisp?.dataDir
  if (flag) return {explicit: {path: resolve(ctx.cwd, flag), source: 'flag', label: '--runwisp-data-dir'}, defaults: []}
  const env = runwispEnv(ctx.env, 'RUNWISP_DATA')
  if (env) return {explicit: {path: resolve(ctx.cwd, env), source: 'env', label: 'RUNWISP_DATA'}, defaults: []}
  const defaults: DataDirCandidate[] = [
    {path: join(ctx.cwd, CURRENT_DATA_DIR_NAME), source: 'cwd-current', label: './.runwisp in the working directory (0.6+ default)'},
    {path: join(ctx.cwd, LEGACY_DATA_DIR_NAME), source: 'cwd-legacy', label: './data in the working directory (default up to 0.5)'},
  ]
  if (ctx.uid === 0) defaults.push({path: SYSTEM_DATA_DIR, source: 'system', label: `${SYSTEM_DATA_DIR} (root default since 0.14)`})
  return {explicit: null, defaults}
}

export type ConfigSource = 'flag' | 'env' | 'cwd' | 'system' | 'daemon' | 'default'

export interface ConfigCandidate {
  path: string
  source: ConfigSource
  label: string
}

/** runwisp-facts §1.1: `--config` > `RUNWISP_CONFIG` > `runwisp.toml` (non-root) or `/etc/runwisp/runwisp.toml` (root, ≥0.14). */
export function configCandidates(ctx: CheckContext): {explicit: ConfigCandidate | null; defaults: ConfigCandidate[]} {
  const flag = ctx.options.targetOptions.runwisp?.config
  if (flag) return {explicit: {path: resolve(ctx.cwd, flag), source: 'flag', label: '--runwisp-config'}, defaults: []}
  const env = runwispEnv(ctx.env, 'RUNWISP_CONFIG')
  if (env) return {explicit: {path: resolve(ctx.cwd, env), source: 'env', label: 'RUNWISP_CONFIG'}, defaults: []}
  const defaults: ConfigCandidate[] = [{path: join(ctx.cwd, CONFIG_NAME), source: 'cwd', label: 'runwisp.toml in the working directory'}]
  if (ctx.uid === 0) defaults.push({path: SYSTEM_CONFIG, source: 'system', label: `${SYSTEM_CONFIG} (root default since 0.14)`})
  return {explicit: null, defaults}
}

/** The socket: `RUNWISP_SOCKET` (0.10+) or `<data>/runwisp.sock` (0.5+). */
export function socketPath(ctx: CheckContext, dataDir: string): {path: string; source: 'env' | 'data-dir'} {
  const env = runwispEnv(ctx.env, 'RUNWISP_SOCKET')
  return env ? {path: resolve(ctx.cwd, env), source: 'env'} : {path: runwispPaths(dataDir).socket, source: 'data-dir'}
}

/** True when the data dir's own name says which default produced it. */
export function dataDirNameHint(dataDir: string): 'current' | 'legacy' | 'system' | null {
  if (resolve(dataDir) === SYSTEM_DATA_DIR) return 'system'
  const name = basename(dataDir)
  if (name === CURRENT_DATA_DIR_NAME) return 'current'
  if (name === LEGACY_DATA_DIR_NAME) return 'legacy'
  return null
}

/**
 * Unit search path (systemd.unit(5)). `$SYSTEMD_UNIT_PATH` replaces it, as systemd itself honours;
 * a trailing ":" appends the defaults. User units of `runwisp service install --local` live in
 * `~/.config/systemd/user` (runwisp-facts §8.1).
 */
export function unitDirs(ctx: CheckContext): Array<{dir: string; scope: 'system' | 'user'}> {
  const defaults: Array<{dir: string; scope: 'system' | 'user'}> = [
    {dir: '/etc/systemd/system', scope: 'system'},
    {dir: '/usr/local/lib/systemd/system', scope: 'system'},
    {dir: '/usr/lib/systemd/system', scope: 'system'},
    {dir: '/lib/systemd/system', scope: 'system'},
    {dir: join(ctx.home, '.config', 'systemd', 'user'), scope: 'user'},
  ]
  const raw = ctx.env.SYSTEMD_UNIT_PATH
  if (!raw) return defaults
  const custom = raw
    .split(':')
    .filter(Boolean)
    .map((dir) => ({dir, scope: dir.includes('/user') ? ('user' as const) : ('system' as const)}))
  return raw.endsWith(':') ? [...custom, ...defaults] : custom
}

/** runwisp-facts §8.1: the unit `takeover` attaches through `OnFailure=`; it starts cron, not RunWisp. */
export const FAILSAFE_UNIT_PREFIX = 'runwisp-cron-failsafe'

/** runwisp-facts §8.2: the 0.4-era hand-written unit reads `EnvironmentFile=-/etc/runwisp/runwisp.env` (RUNWISP_PASSWORD among its settings). */
export const LEGACY_ENV_FILE = '/etc/runwisp/runwisp.env'

/** runwisp-facts §0 (0.1.0 and 0.2.0 rows): 0.1 read a YAML config from the working directory; 0.2 moved to TOML. */
export const LEGACY_YAML_CONFIG_NAME = 'runwisp.yaml'

/** runwisp-facts §8.1: on macOS `runwisp service install` writes a launchd plist (`com.runwisp.daemon.plist.tmpl`), per user or system-wide. */
export function launchdPlists(ctx: CheckContext): Array<{path: string; scope: 'system' | 'user'}> {
  return [
    {path: join(ctx.home, 'Library', 'LaunchAgents', 'com.runwisp.daemon.plist'), scope: 'user'},
    {path: '/Library/LaunchDaemons/com.runwisp.daemon.plist', scope: 'system'},
  ]
}
