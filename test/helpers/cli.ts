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
  /** The `run.js` to start instead of this checkout's (an oclif host that embeds doctorkit as a plugin). */
  bin?: string
}

/** The command line that runs `bin/run.js` with the wrappers asked for, innermost first: wrap, setpriv, unshare. */
function commandLine(args: string[], options: CliOptions): string[] {
  let argv = [process.execPath, options.bin ?? join(REPO, 'bin/run.js'), ...args]
  if (options.wrap) argv = [...options.wrap, ...argv]
  if (options.asNobody) argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv]
  if (options.hostname) argv = ['unshare', '--uts', 'sh', '-c', 'hostname "$1" && shift && exec "$@"', 'sh', options.hostname, ...argv]
  return argv
}

export interface ProgramOptions {
  /** The whole environment of the program (nothing is added). */
  env: NodeJS.ProcessEnv
  cwd: string
  timeoutMs?: number
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string
  onSpawn?: (pid: number) => void
  /** How a timeout names the program (default: its command line). */
  label?: string
}

/**
 * Runs a program to completion with a hard deadline, collecting its output: the one spawn under
 * runCli, the embedding tests' hosts and anything else a test runs whole.
 */
export function runProgram(argv: readonly string[], options: ProgramOptions): Promise<CliResult> {
  const started = Date.now()
  const timeoutMs = options.timeoutMs ?? 60_000
  const label = options.label ?? argv.join(' ')
  return new Promise((resolve, reject) => {
    const [command, ...rest] = argv
    const child = spawn(command!, rest, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    // Both are pipes (stdio above); the types cannot tell once stdin's choice is a variable.
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${label} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    if (options.input !== undefined) child.stdin?.end(options.input)
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

/** Runs the built CLI (`bin/run.js`) as a user would, with a hard deadline. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runProgram(commandLine(args, options), {
    cwd: options.cwd ?? REPO,
    env: {...process.env, NO_COLOR: '1', CI: '1', ...options.env},
    timeoutMs: options.timeoutMs ?? 30_000,
    input: options.input ?? '',
    onSpawn: options.onSpawn,
    label: `doctor ${args.join(' ')}`,
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
