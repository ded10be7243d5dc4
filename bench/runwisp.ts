/** A fake RunWisp daemon (0.16+, flock held) for the benchmark's "RunWisp running" row. */
import type {ChildProcess} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startRunwisp} from '../test/runwisp/helpers.js'

export async function startBenchRunwisp(home: string): Promise<{child: ChildProcess; env: NodeJS.ProcessEnv}> {
  const dataDir = join(home, '.runwisp')
  writeFileSync(join(home, 'runwisp.toml'), '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n')
  const daemon = await startRunwisp({generation: '0.16+', dataDir, cwd: home})
  return {
    child: daemon.child,
    env: {HOME: home, RUNWISP_DATA: dataDir, RUNWISP_PORT: String(daemon.port), RUNWISP_CONFIG: join(home, 'runwisp.toml')},
  }
}
