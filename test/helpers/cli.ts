import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {REPO} from './processes.js'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  durationMs: number
}

/** Runs the built CLI (`bin/run.js`) as a user would, with a hard deadline. */
export function runCli(args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string; asNobody?: boolean} = {}): Promise<CliResult> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    // asNobody: run the doctor as an unprivileged user, so "permission denied" holds even though tests run as root.
    const command = options.asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath]
    const child = spawn(command[0]!, [...command.slice(1), join(REPO, 'bin/run.js'), ...args], {
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
      reject(new Error(`doctor ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.stdin.end(options.input ?? '')
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr, durationMs: Date.now() - started})
    })
  })
}
