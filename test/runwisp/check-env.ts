/**
 * What the RunWisp check tests share: a working directory laid out as a generation leaves it, a
 * check run against it, and the cleanup after each test (daemons, fixtures, temp dirs).
 */
import {chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checks} from '../../checks/index.js'
import {runCheck} from '../helpers/check-runner.js'
import {killAll} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {killRunwisps, type Generation} from './helpers.js'

export const tmp = tmpDirs()

export const check = (id: string) => {
  const c = checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${id}`)
  return c
}

/** A working directory laid out as RunWisp of `generation` leaves it: ./data (0.3–0.4) or ./.runwisp. */
export function workdir(generation: Generation, toml = '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n') {
  const cwd = tmp.make('runwisp-')
  chmodSync(cwd, 0o755)
  const dataDir = join(cwd, generation === '0.3-0.4' ? 'data' : '.runwisp')
  writeFileSync(join(cwd, 'runwisp.toml'), toml)
  return {cwd, dataDir}
}

export async function judge(id: string, cwd: string, options: {port?: number; env?: Record<string, string>; dataDir?: string} = {}) {
  return runCheck(check(id), {
    target: 'runwisp',
    cwd,
    env: {TZ: 'UTC', ...options.env},
    options: {
      targetOptions: {runwisp: {...(options.port ? {port: options.port} : {}), ...(options.dataDir ? {dataDir: options.dataDir} : {})}},
    },
  })
}

/** Kills every RunWisp and fixture the test started and removes its temp dirs (call from `afterEach`). */
export async function cleanup(): Promise<void> {
  await killRunwisps()
  await killAll()
  tmp.cleanup()
}
