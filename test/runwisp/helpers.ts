/**
 * Test helpers for the RunWisp target: a real executable named `runwisp` (so the kernel names the
 * process as it names the real binary), the fake daemon of each generation — started under
 * util-linux `flock -F` on 0.16+, so the pid file is locked by the daemon's own pid for its life —
 * the working directory a generation leaves, and where the check table judges RunWisp from.
 * (The CLI runs as an unprivileged user through `runCli(…, {asNobody: true})` of test/helpers/cli.ts.)
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {RunAt} from '../helpers/check-table.js'
import {fixture, killAll, REPO, TSX} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

export type Generation = '0.3-0.4' | '0.5-0.15' | '0.16+'
export const GENERATIONS: Generation[] = ['0.3-0.4', '0.5-0.15', '0.16+']

const children = new Set<ChildProcess>()

/** A `runwisp` executable (a symlink to node) under `dir/bin`. */
export function runwispShim(dir: string): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, {recursive: true})
  const shim = join(bin, 'runwisp')
  if (!existsSync(shim)) symlinkSync(process.execPath, shim)
  return shim
}

export interface RunwispDaemon {
  child: ChildProcess
  pid: number
  port: number
  socketPath: string | null
  dataDir: string
  configPath: string
  version: string
}

/** What only the fake has (fixtures/runwisp-daemon.ts): the faults it plays and where it logs requests. */
export interface FakeKnobs {
  version?: string
  mode?: 'healthy' | 'hung' | 'wrong'
  dateOffsetS?: number
  tz?: string
  requestLog?: string
  noPidFile?: boolean
  /** Serve the socket only (0.5+). */
  noTcp?: boolean
  /** No socket even where the generation has one. */
  noSocket?: boolean
  /** runwisp.db exists but is not held open (the doctor must not count on seeing it among the daemon's files). */
  dbClosed?: boolean
}

export interface StartOptions {
  generation: Generation
  /** Where the daemon's data dir is (it must be where the daemon resolves it when `dataFlag` is false). */
  dataDir: string
  /**
   * Pass `--data <dataDir>` (the default, as a service unit does). false: the daemon is started as
   * a user types it, with no --data, and resolves its generation's default from its working
   * directory, environment and uid (runwisp-facts §1.1).
   */
  dataFlag?: boolean
  /** Where the `runwisp` shim goes (default: the data dir's parent). */
  binDir?: string
  /** Real RunWisp flags (`--config`, `--port`, `--host`, `--socket`). Without `--port`, `--port 0`: a free port. */
  args?: string[]
  fake?: FakeKnobs
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Start under flock -F (default: true on 0.16+). */
  lock?: boolean
  /** Run the daemon as nobody (uid 65534), the data dir made nobody's: a daemon of its own unprivileged user. */
  asNobody?: boolean
}

export function startRunwisp(options: StartOptions): Promise<RunwispDaemon> {
  const shim = runwispShim(options.binDir ?? join(options.dataDir, '..'))
  const flags = [...(options.dataFlag === false ? [] : ['--data', options.dataDir]), ...(options.args ?? [])]
  if (!flags.some((f) => f === '--port' || f.startsWith('--port=') || f === '-p')) flags.push('--port', '0')
  const script = ['--import', TSX, fixture('runwisp-daemon.ts'), 'daemon', ...flags]
  const lock = options.lock ?? options.generation === '0.16+'
  if (lock || options.asNobody) mkdirSync(options.dataDir, {recursive: true, mode: 0o700})
  if (options.asNobody) chownSync(options.dataDir, 65534, 65534)
  let argv = lock ? ['flock', '-x', '-n', '-F', join(options.dataDir, 'daemon.pid'), shim, ...script] : [shim, ...script]
  if (options.asNobody) argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv]
  const env = {...process.env, ...options.env, FAKE_RUNWISP: JSON.stringify({generation: options.generation, ...options.fake})}
  const child = spawn(argv[0]!, argv.slice(1), {cwd: options.cwd ?? REPO, env, stdio: ['ignore', 'pipe', 'inherit']})
  children.add(child)
  return new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error('runwisp fixture did not become ready in 15 s')), 15_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const nl = buffer.indexOf('\n')
      if (nl < 0) return
      clearTimeout(timer)
      child.stdout!.removeAllListeners('data')
      child.stdout!.resume()
      const ready = JSON.parse(buffer.slice(0, nl)) as Omit<RunwispDaemon, 'child'>
      if (ready.dataDir !== options.dataDir)
        reject(new Error(`the fake daemon serves ${ready.dataDir}, not ${options.dataDir} as the test expects`))
      else resolve({child, ...ready})
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`runwisp fixture exited with ${code} before it was ready`))
    })
  })
}

/** Kills every daemon a test started (afterEach). SIGKILL: what a crash leaves is what tests want. */
export async function killRunwisps(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  await Promise.all([...children].map((child) => stopRunwisp(child, signal)))
}

export function stopRunwisp(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  children.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

export const requestLog = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [])

/** The temp dirs of the RunWisp tests (removed by `cleanup`). */
export const tmp = tmpDirs()

/** A working directory laid out as RunWisp of `generation` leaves it: ./data (0.3–0.4) or ./.runwisp. */
export function workdir(generation: Generation, toml = '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n') {
  const cwd = tmp.make('runwisp-')
  chmodSync(cwd, 0o755)
  const dataDir = join(cwd, generation === '0.3-0.4' ? 'data' : '.runwisp')
  writeFileSync(join(cwd, 'runwisp.toml'), toml)
  return {cwd, dataDir}
}

/** Where a check judges RunWisp: run from `cwd` in UTC, pointed at a port or a data dir as `--runwisp-port` / `--runwisp-data-dir` do. */
export function runwispAt(cwd: string, options: {port?: number; env?: Record<string, string>; dataDir?: string} = {}): RunAt {
  return {
    target: 'runwisp',
    cwd,
    env: {TZ: 'UTC', ...options.env},
    options: {
      targetOptions: {runwisp: {...(options.port ? {port: options.port} : {}), ...(options.dataDir ? {dataDir: options.dataDir} : {})}},
    },
  }
}

/** Kills every RunWisp and fixture the test started and removes its temp dirs (call from `afterEach`). */
export async function cleanup(): Promise<void> {
  await killRunwisps()
  await killAll()
  tmp.cleanup()
}
