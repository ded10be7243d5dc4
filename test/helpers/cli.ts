import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {REPO} from './processes.js'

export interface CliResult {
  code: number | null
  /** The signal that ended the CLI, when one did (a test that interrupts it checks how it stopped). */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
  input?: string
  /** Run as nobody (uid 65534), so "permission denied" holds even though tests run as root. */
  asNobody?: boolean
  /** Run in a fresh UTS namespace (`unshare --uts`) with this host name, so host-name handling is tested for real. */
  hostname?: string
  /** A command to run the CLI under, such as `['prlimit', '--fsize=262144', '--']`. */
  wrap?: string[]
  /** Called once the process has started, with its pid (to signal it mid-run). */
  onSpawn?: (pid: number) => void
}

/** The command line that runs `bin/run.js` with the wrappers asked for, innermost first: wrap, setpriv, unshare. */
function commandLine(args: string[], options: CliOptions): string[] {
  let argv = [process.execPath, join(REPO, 'bin/run.js'), ...args]
  if (options.wrap) argv = [...options.wrap, ...argv]
  if (options.asNobody) argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv]
  if (options.hostname) argv = ['unshare', '--uts', 'sh', '-c', 'hostname "$1" && shift && exec "$@"', 'sh', options.hostname, ...argv]
  return argv
}

/** Runs the built CLI (`bin/run.js`) as a user would, with a hard deadline. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const started = Date.now()
  const timeoutMs = options.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const [command, ...argv] = commandLine(args, options)
    const child = spawn(command!, argv, {
      cwd: options.cwd ?? REPO,
      env: {...process.env, NO_COLOR: '1', CI: '1', ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`doctor ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    child.stdin.end(options.input ?? '')
    child.on('spawn', () => options.onSpawn?.(child.pid!))
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr, durationMs: Date.now() - started})
    })
  })
}

/** stdout as exactly one JSON report document, or a failure that shows what was printed instead. */
export function jsonReport<T = import('../../src/types.js').Report>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
}
