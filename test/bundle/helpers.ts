import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'
import {list as listTar, type ReadEntry} from 'tar'
import {REPO} from '../helpers/processes.js'
import type {CliResult} from '../helpers/cli.js'

export interface BundleCliOptions {
  env: Record<string, string>
  cwd: string
  /** Run in a fresh UTS namespace with this host name, so the host-name pseudonym is tested for real. */
  hostname?: string
  /** Run as nobody (uid 65534), so files root keeps to itself are really unreadable. */
  asNobody?: boolean
  timeoutMs?: number
  /** A command to run the CLI under (e.g. prlimit). */
  wrap?: string[]
  /** Called once the process is started (to signal it mid-run). */
  onSpawn?: (pid: number) => void
}

/** Runs the built CLI (`bin/run.js`) with the bundle test's environment and wrappers. */
export function runBundleCli(args: string[], options: BundleCliOptions): Promise<CliResult & {signal: NodeJS.Signals | null}> {
  const started = Date.now()
  let command = process.execPath
  let argv = [join(REPO, 'bin/run.js'), ...args]
  if (options.wrap) {
    argv = [...options.wrap.slice(1), command, ...argv]
    command = options.wrap[0]!
  }
  if (options.asNobody) {
    argv = ['--reuid=65534', '--regid=65534', '--clear-groups', '--', command, ...argv]
    command = 'setpriv'
  }
  if (options.hostname) {
    argv = ['--uts', 'sh', '-c', 'hostname "$1" && shift && exec "$@"', 'sh', options.hostname, command, ...argv]
    command = 'unshare'
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {cwd: options.cwd, env: {...process.env, NO_COLOR: '1', CI: '1', ...options.env}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`doctor ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('spawn', () => options.onSpawn?.(child.pid!))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr, durationMs: Date.now() - started})
    })
  })
}

/** Every file of a .tar.gz, by path. */
export async function readArchive(file: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  await listTar({
    file,
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = []
      entry.on('data', (c: Buffer) => chunks.push(c))
      entry.on('end', () => files.set(entry.path, Buffer.concat(chunks)))
    },
  })
  return files
}

/** The whole decompressed tar stream (headers included), to search for anything that leaked. */
export function rawTar(file: string): string {
  return gunzipSync(readFileSync(file)).toString('latin1')
}
