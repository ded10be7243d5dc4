/**
 * The per-run context every check receives. It only reads: there is no write, exec or signal
 * helper here, so a check cannot change the machine (that is what fix plans are for). Facts that
 * cost something (sockets, processes, HTTP answers, file stats) are taken once per run and shared.
 */
import {homedir} from 'node:os'
import {abortable, childController, Deadline, isDeadline, NEVER, stopIfAborted, withSignal} from './probes/abort.js'
import {FileProbe} from './probes/files.js'
import {DEFAULT_HTTP_TIMEOUT_MS, HttpProbe} from './probes/http.js'
import {ProcessProbe} from './probes/processes.js'
import {SocketProbe} from './probes/sockets.js'
import {TcpProbe} from './probes/tcp.js'
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
  /** Line-protocol exchanges (declared targets' `tcp` health probes). */
  readonly tcp: TcpProbe
  /**
   * Fires when this check's deadline passes or the run's budget runs out. The probes above already
   * honour it (a pending call rejects with a `Deadline`); pass it to anything else that can take
   * long, such as `walkTree`.
   */
  readonly signal: AbortSignal
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
  /** Stops everything the context's probes do when it fires (the context also stops at close()). */
  signal?: AbortSignal
}

export interface RunContext extends CheckContext {
  /** The same probes and memos, seen through `signal` (one check's deadline): see withSignal. */
  scoped(signal: AbortSignal): CheckContext
  /** Stops whatever its probes still do; nothing started through this context outlives it. */
  close(): Promise<void>
}

export function createContext(init: ContextInit = {}): RunContext {
  const env = init.env ?? process.env
  const options = {...DEFAULT_OPTIONS, ...init.options}
  const memos = new Map<string, Promise<unknown>>()
  const life = childController(init.signal ?? NEVER)
  const http = new HttpProbe(options.httpTimeoutMs, life.controller.signal)
  const base = {
    env,
    cwd: init.cwd ?? process.cwd(),
    home: init.home ?? env.HOME ?? homedir(),
    uid: process.getuid?.() ?? null,
    platform: process.platform,
    options,
    files: new FileProbe(),
    processes: new ProcessProbe('/proc', life.controller.signal),
    sockets: new SocketProbe('/proc', life.controller.signal),
    http,
    tcp: new TcpProbe(options.httpTimeoutMs, life.controller.signal),
    now: init.now ?? Date.now,
  }
  /**
   * One computation per key, shared. A load that a check's deadline cut short is not a fact: it is
   * forgotten, and a caller with time left runs the load again rather than inherit that timeout.
   */
  const memoFor =
    (signal: AbortSignal) =>
    async <T>(key: string, load: () => Promise<T>): Promise<T> => {
      for (;;) {
        stopIfAborted(signal)
        let pending = memos.get(key) as Promise<T> | undefined
        if (!pending) {
          const started = load()
          pending = started
          memos.set(key, started)
          started.catch((error: unknown) => {
            if (isDeadline(error) && memos.get(key) === started) memos.delete(key)
          })
        }
        try {
          return await abortable(pending, signal)
        } catch (error) {
          if (isDeadline(error) && !signal.aborted) continue
          throw error
        }
      }
    }
  const view = (signal: AbortSignal): CheckContext => ({
    ...base,
    files: withSignal(base.files, signal),
    processes: withSignal(base.processes, signal),
    sockets: withSignal(base.sockets, signal),
    http: withSignal(base.http, signal),
    tcp: withSignal(base.tcp, signal),
    signal,
    memo: memoFor(signal),
  })
  return {
    ...view(life.controller.signal),
    scoped: (signal) => view(signal),
    async close() {
      life.controller.abort(new Deadline('the run ended', 'run'))
      life.dispose()
      await http.close()
    },
  }
}
