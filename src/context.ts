/**
 * The per-run context every check receives. It only reads: there is no write, exec or signal
 * helper here, so a check cannot change the machine (that is what fix plans are for). Facts that
 * cost something (sockets, processes, HTTP answers, file stats) are taken once per run and shared.
 */
import {homedir} from 'node:os'
import {FileProbe} from './probes/files.js'
import {DEFAULT_HTTP_TIMEOUT_MS, HttpProbe} from './probes/http.js'
import {ProcessProbe} from './probes/processes.js'
import {SocketProbe} from './probes/sockets.js'
import type {TargetId} from './types.js'

export interface RunOptions {
  /** Targets forced with `--target`, checked even when not detected. */
  forcedTargets: TargetId[]
  /** Run only these check ids (empty: all). */
  only: string[]
  skip: string[]
  /** Default deadline of one check. */
  checkTimeoutMs: number
  /** Deadline of the whole run; a check never gets more than what is left of it. */
  budgetMs: number
  /** Deadline of one HTTP probe. */
  httpTimeoutMs: number
  /** Per-target overrides from flags (data dir, config file, port). */
  targetOptions: Partial<Record<TargetId, TargetOverrides>>
  /** Extra ports whose squatters `port-squatter` reports (`watchPorts` in doctor.config.json). */
  watchPorts?: number[]
  /** The name the report gives this machine (`--hostname`); default: its host name. */
  host?: string
}

export interface TargetOverrides {
  dataDir?: string
  config?: string
  port?: number
  /** Executor only: the monorepo checkout to check (`--executor-checkout`); default: found from cwd. */
  checkout?: string
}

export interface CheckContext {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly home: string
  readonly uid: number | null
  readonly platform: NodeJS.Platform
  readonly options: RunOptions
  readonly files: FileProbe
  readonly processes: ProcessProbe
  readonly sockets: SocketProbe
  readonly http: HttpProbe
  /** Wall clock, epoch ms. */
  now(): number
  /** Shares one computation per run between checks (for example a parsed manifest). */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>
}

export const DEFAULT_OPTIONS: RunOptions = {
  forcedTargets: [],
  only: [],
  skip: [],
  checkTimeoutMs: 5000,
  budgetMs: 30_000,
  httpTimeoutMs: DEFAULT_HTTP_TIMEOUT_MS,
  targetOptions: {},
}

export interface ContextInit {
  env?: Record<string, string | undefined>
  cwd?: string
  home?: string
  options?: Partial<RunOptions>
  now?: () => number
}

export interface RunContext extends CheckContext {
  close(): Promise<void>
}

export function createContext(init: ContextInit = {}): RunContext {
  const env = init.env ?? process.env
  const options = {...DEFAULT_OPTIONS, ...init.options}
  const memos = new Map<string, Promise<unknown>>()
  const http = new HttpProbe(options.httpTimeoutMs)
  return {
    env,
    cwd: init.cwd ?? process.cwd(),
    home: init.home ?? env.HOME ?? homedir(),
    uid: process.getuid?.() ?? null,
    platform: process.platform,
    options,
    files: new FileProbe(),
    processes: new ProcessProbe(),
    sockets: new SocketProbe(),
    http,
    now: init.now ?? Date.now,
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let pending = memos.get(key) as Promise<T> | undefined
      if (!pending) {
        pending = load()
        memos.set(key, pending)
      }
      return pending
    },
    close: () => http.close(),
  }
}
