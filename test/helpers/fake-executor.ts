import {join} from 'node:path'
import {executorShim, startFixture, type Started} from './processes.js'

export interface FakeExecutor extends Started {
  port: number
  origin: string
  dataDir: string
}

/**
 * Starts the fake Executor daemon (fixtures/executor-daemon.ts) as a real process named
 * "executor", on an ephemeral loopback port, writing its state under `<home>/.executor`.
 */
export async function startFakeExecutor(home: string, flags: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<FakeExecutor> {
  const shim = executorShim(home)
  const dataDir = join(home, '.executor')
  const started = await startFixture('executor-daemon.ts', ['daemon', 'run', '--data-dir', dataDir, '--executable', shim, ...flags], {
    executable: shim,
    env: {HOME: home, ...env},
    cwd: home,
  })
  return {...started, port: started.ready.port as number, origin: started.ready.origin as string, dataDir}
}
