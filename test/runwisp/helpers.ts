/**
 * Test helpers for the RunWisp target: a real executable named `runwisp` (so the kernel names the
 * process as it names the real binary), the fake daemon of each generation — started under
 * util-linux `flock -F` on 0.16+, so the pid file is locked by the daemon's own pid for its life.
 * (The CLI runs as an unprivileged user through `runCli(…, {asNobody: true})` of test/helpers/cli.ts.)
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {fixture, REPO, TSX} from '../helpers/processes.js'

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
  version: string
}

export interface StartOptions {
  generation: Generation
  dataDir: string
  /** Where the `runwisp` shim goes (default: the data dir's parent). */
  binDir?: string
  args?: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Start under flock -F (default: true on 0.16+). */
  lock?: boolean
}

export function startRunwisp(options: StartOptions): Promise<RunwispDaemon> {
  const shim = runwispShim(options.binDir ?? join(options.dataDir, '..'))
  const script = ['--import', TSX, fixture('runwisp-daemon.ts'), 'daemon', '--data', options.dataDir, '--generation', options.generation, ...(options.args ?? [])]
  const lock = options.lock ?? options.generation === '0.16+'
  if (lock) mkdirSync(options.dataDir, {recursive: true, mode: 0o700})
  const [cmd, args] = lock ? ['flock', ['-x', '-n', '-F', join(options.dataDir, 'daemon.pid'), shim, ...script]] : [shim, script]
  const child = spawn(cmd as string, args as string[], {cwd: options.cwd ?? REPO, env: {...process.env, ...options.env}, stdio: ['ignore', 'pipe', 'inherit']})
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
      const ready = JSON.parse(buffer.slice(0, nl)) as {pid: number; port: number; socketPath: string | null; dataDir: string; version: string}
      resolve({child, ...ready})
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
