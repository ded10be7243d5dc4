import {spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const TSX = join(REPO, 'node_modules/tsx/dist/loader.mjs')
export const fixture = (name: string) => join(REPO, 'fixtures', name)

const children = new Set<ChildProcess>()

/** Kills every process a test started; call from `afterEach`. */
export async function killAll(): Promise<void> {
  await Promise.all([...children].map((child) => stop(child)))
}

export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  children.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

/**
 * A real executable named `executor`: a hard link to node (a copy across filesystems), so the
 * kernel reports its executable as `<dir>/bin/executor` exactly as for the real CLI's binary —
 * and a plain node process is never mistaken for it.
 */
export function executorShim(dir: string): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, {recursive: true})
  const shim = join(bin, 'executor')
  if (!existsSync(shim)) {
    try {
      linkSync(process.execPath, shim)
    } catch {
      copyFileSync(process.execPath, shim)
      chmodSync(shim, 0o755)
    }
  }
  return shim
}

export interface Started {
  child: ChildProcess
  pid: number
  /** First line the fixture printed on stdout (fixtures print a JSON "ready" line). */
  ready: Record<string, unknown>
}

/**
 * Starts a TypeScript fixture as a real process and waits for its ready line. `untracked`: killAll()
 * leaves it alone (some files kill every tracked process after every test of the run, from root-level
 * hooks), for a fixture a whole describe shares; the caller stops it in its `after` hook.
 */
export function startFixture(
  script: string,
  args: string[],
  options: {env?: NodeJS.ProcessEnv; cwd?: string; executable?: string; argv0?: string; untracked?: boolean} = {},
): Promise<Started> {
  const child = spawn(options.executable ?? process.execPath, ['--import', TSX, fixture(script), ...args], {
    env: {...process.env, ...options.env},
    cwd: options.cwd ?? REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(options.argv0 ? {argv0: options.argv0} : {}),
  })
  if (!options.untracked) children.add(child)
  return new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`${script} did not become ready in 10 s`)), 10_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const nl = buffer.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        child.stdout!.removeAllListeners('data')
        child.stdout!.resume()
        resolve({child, pid: child.pid!, ready: JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>})
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code} before it was ready`))
    })
  })
}

/**
 * `count` pids no process holds now and none can be handed out during the test: the ones at and
 * above this kernel's pid_max (the kernel's ceiling is 4194304) when there is room, else free pids
 * counted down from pid_max. A scan of free pids below a 32768 pid_max is not enough: a busy
 * machine wraps its pids within minutes, and a recycled one turns a stale record into another finding.
 */
export function deadPids(count: number): number[] {
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim())
  if (pidMax + count <= 4_194_304) return Array.from({length: count}, (_, i) => pidMax + i)
  const out: number[] = []
  for (let pid = pidMax - 1; pid > 300 && out.length < count; pid--) {
    try {
      process.kill(pid, 0)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') out.push(pid)
    }
  }
  return out
}

/** A pid that certainly belonged to a process that is now dead (reaped). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], {stdio: 'ignore'})
  const pid = child.pid!
  await new Promise((resolve) => child.once('exit', resolve))
  return pid
}
