import {spawn} from 'node:child_process'
import {executorShim, killAll} from './processes.js'

export {killAll}

/**
 * A real long-lived process. With `executorIn`, it is started through a file named `executor`
 * so the kernel names it "executor" (an Executor daemon as far as identity goes); otherwise it
 * is an unrelated `node` process.
 */
export async function liveProcess(options: {executorIn?: string; args?: string[]} = {}): Promise<{pid: number; kill(): void}> {
  const exe = options.executorIn ? executorShim(options.executorIn) : process.execPath
  const child = spawn(exe, ['-e', 'setInterval(() => {}, 1e6)', ...(options.args ?? [])], {stdio: 'ignore'})
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  // Give the kernel a tick so the new process's start time is strictly in the past.
  await new Promise((resolve) => setTimeout(resolve, 20))
  live.add(child)
  return {pid: child.pid!, kill: () => child.kill('SIGKILL')}
}

const live = new Set<ReturnType<typeof spawn>>()

export async function killLive(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          live.delete(child)
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
  await killAll()
}
