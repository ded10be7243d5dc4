/**
 * Real processes with crafted command lines and working directories, as `exec -a` makes them:
 * the kernel reports argv[0] as given, exactly what `ps` and the reaper read.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync} from 'node:fs'

const started = new Set<ChildProcess>()

export async function crafted(argv0: string, cwd: string): Promise<number> {
  const child = spawn('bash', ['-c', 'exec -a "$0" sleep 300', argv0], {cwd, stdio: 'ignore'})
  started.add(child)
  const pid = child.pid!
  for (let i = 0; i < 200; i++) {
    const cmdline = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      } catch {
        return ''
      }
    })()
    if (cmdline.startsWith(argv0)) return pid
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`process ${pid} never showed the command line ${argv0}`)
}

export async function killCrafted(): Promise<void> {
  await Promise.all(
    [...started].map(
      (child) =>
        new Promise<void>((resolve) => {
          started.delete(child)
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}
