/**
 * The real Executor CLI from npm (`executor@1.5.9`), installed once into a gitignored cache by the
 * test setup, never a runtime dependency. Each test runs it in its own temp HOME.
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {REPO} from './processes.js'

export const EXECUTOR_VERSION = '1.5.9'
const CACHE = join(REPO, '.cache', `executor-${EXECUTOR_VERSION}`)

/** Path of the `executor` binary (the platform package's, not the npm node wrapper). */
export function executorBinary(): string {
  const bin = join(CACHE, 'node_modules', 'executor-linux-x64', 'bin', 'executor')
  if (!existsSync(bin)) {
    mkdirSync(CACHE, {recursive: true})
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', CACHE, `executor@${EXECUTOR_VERSION}`], {
      stdio: 'ignore',
      timeout: 180_000,
    })
  }
  if (!existsSync(bin)) throw new Error(`executor@${EXECUTOR_VERSION} installed but ${bin} is missing (unsupported platform?)`)
  return bin
}

/** Runs an executor subcommand to completion in `home`. */
export function executorRun(home: string, args: string[], timeoutMs = 30_000): {code: number; stdout: string; stderr: string} {
  try {
    const stdout = execFileSync(executorBinary(), args, {
      cwd: home,
      env: {...process.env, HOME: home, EXECUTOR_DISABLE_UPDATE_CHECK: '1'},
      timeout: timeoutMs,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    return {code: 0, stdout, stderr: ''}
  } catch (error) {
    const e = error as {status?: number; stdout?: string; stderr?: string}
    return {code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? ''}
  }
}

/** Starts `executor daemon run --foreground` in `home` and waits for "Daemon ready". */
export function startExecutorDaemon(home: string, port = 4788): Promise<ChildProcess> {
  const child = spawn(executorBinary(), ['daemon', 'run', '--foreground', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: home,
    env: {...process.env, HOME: home, EXECUTOR_DISABLE_UPDATE_CHECK: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`executor daemon did not become ready in 30 s: ${out}`))
    }, 30_000)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('Daemon ready')) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`executor daemon exited with ${code}: ${out}`))
    })
  })
}
