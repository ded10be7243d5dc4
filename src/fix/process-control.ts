/**
 * Verified process identity and termination. A pid is signalled only when it is still exactly the
 * process that was verified (doctor-anchors §(d) 2): same start time, executable, command line,
 * working dir and data-dir environment. SIGTERM first; SIGKILL only after a second consent.
 */
import {readFileSync} from 'node:fs'
import {ProcessProbe, type ProcessInfo} from '../probes/processes.js'
import type {ProcessFingerprint} from './types.js'

/** Start times come from clock ticks (10 ms); anything closer than this is the same start. */
const START_TOLERANCE_MS = 50

export interface FingerprintOptions {
  /** Environment variables that locate the process's data (their current values are pinned). */
  envKeys: readonly string[]
  dataDir: string | null
  verifiedBecause: string
  environ: Record<string, string> | null
  cwd: string | null
}

export function processFingerprint(info: ProcessInfo, options: FingerprintOptions): ProcessFingerprint {
  const environ: Record<string, string | null> = {}
  if (options.environ) for (const key of options.envKeys) environ[key] = options.environ[key] ?? null
  return {
    pid: info.pid,
    startedAtMs: info.startedAtMs,
    exe: info.exe,
    cmdline: info.cmdline,
    cwd: options.cwd,
    environ,
    dataDir: options.dataDir,
    verifiedBecause: options.verifiedBecause,
  }
}

export type Verification = {state: 'same'; info: ProcessInfo} | {state: 'gone'} | {state: 'different'; reason: string}

/** Is `fp.pid` still the verified process? Reads /proc afresh (no per-run memo). */
export async function verifyProcess(fp: ProcessFingerprint): Promise<Verification> {
  const probe = new ProcessProbe()
  const lookup = await probe.get(fp.pid)
  if (lookup.alive === false) return {state: 'gone'}
  if (lookup.alive === 'unknown')
    return {state: 'different', reason: `pid ${fp.pid} cannot be inspected (${lookup.reason}), so its identity cannot be re-verified`}
  const info = lookup.info
  if (info.state === 'Z') return {state: 'gone'}
  if (Math.abs(info.startedAtMs - fp.startedAtMs) > START_TOLERANCE_MS) {
    return {
      state: 'different',
      reason: `pid ${fp.pid} is now another process (started ${new Date(info.startedAtMs).toISOString()}, not ${new Date(fp.startedAtMs).toISOString()}): ${info.cmdline}`,
    }
  }
  if (info.exe !== fp.exe)
    return {state: 'different', reason: `pid ${fp.pid} now runs ${info.exe ?? 'an unreadable executable'}, not ${fp.exe}`}
  if (info.cmdline !== fp.cmdline) return {state: 'different', reason: `pid ${fp.pid}'s command line changed to ${info.cmdline}`}
  if (fp.cwd !== null && (await probe.cwd(fp.pid)) !== fp.cwd)
    return {state: 'different', reason: `pid ${fp.pid} no longer runs in ${fp.cwd}`}
  const keys = Object.keys(fp.environ)
  if (keys.length > 0) {
    const env = await probe.environ(fp.pid)
    if (!env) return {state: 'different', reason: `pid ${fp.pid}'s environment cannot be read, so its data dir cannot be re-verified`}
    for (const key of keys) {
      if ((env[key] ?? null) !== fp.environ[key])
        return {
          state: 'different',
          reason: `pid ${fp.pid} serves another data dir (${key} is ${env[key] ?? 'unset'}, was ${fp.environ[key] ?? 'unset'})`,
        }
    }
  }
  return {state: 'same', info}
}

/** The process group of `pid` (Linux), or null. */
function processGroup(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[2])
  } catch {
    return null
  }
}

export type TerminateOutcome =
  | {status: 'applied'; detail: string}
  | {status: 'not-needed'; detail: string}
  | {status: 'skipped'; reason: string}
  | {status: 'declined'; reason: string}
  | {status: 'failed'; reason: string}

export interface TerminateOptions {
  graceMs: number
  group?: boolean
  /** Asked when SIGTERM did not end the process within the grace period. */
  confirmKill(fp: ProcessFingerprint): Promise<boolean>
  /** Called just before each signal is sent (journaling). */
  beforeSignal?(signal: NodeJS.Signals): void
}

export async function terminateVerified(fp: ProcessFingerprint, options: TerminateOptions): Promise<TerminateOutcome> {
  const first = await verifyProcess(fp)
  if (first.state === 'gone') return {status: 'not-needed', detail: `pid ${fp.pid} had already exited`}
  if (first.state === 'different') return {status: 'skipped', reason: `${first.reason}; it is not signalled`}
  const leads = options.group === true && processGroup(fp.pid) === fp.pid
  const send = (signal: NodeJS.Signals) => {
    options.beforeSignal?.(signal)
    process.kill(leads ? -fp.pid : fp.pid, signal)
  }
  try {
    send('SIGTERM')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return {status: 'not-needed', detail: `pid ${fp.pid} exited just before SIGTERM`}
    return {status: 'failed', reason: `SIGTERM to pid ${fp.pid} failed: ${(error as Error).message}`}
  }
  if (await waitGone(fp, options.graceMs)) return {status: 'applied', detail: `pid ${fp.pid} exited after SIGTERM`}
  if (!(await options.confirmKill(fp)))
    return {status: 'declined', reason: `pid ${fp.pid} is still running ${options.graceMs} ms after SIGTERM; SIGKILL was not approved`}
  const again = await verifyProcess(fp)
  if (again.state === 'gone') return {status: 'applied', detail: `pid ${fp.pid} exited after SIGTERM`}
  if (again.state === 'different') return {status: 'skipped', reason: `${again.reason}; SIGKILL was not sent`}
  try {
    send('SIGKILL')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH')
      return {status: 'failed', reason: `SIGKILL to pid ${fp.pid} failed: ${(error as Error).message}`}
  }
  if (await waitGone(fp, 5000))
    return {status: 'applied', detail: `pid ${fp.pid} did not exit on SIGTERM within ${options.graceMs} ms; it was killed with SIGKILL`}
  return {status: 'failed', reason: `pid ${fp.pid} is still present 5 s after SIGKILL (uninterruptible sleep?)`}
}

async function waitGone(fp: ProcessFingerprint, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await verifyProcess(fp)
    if (v.state !== 'same') return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
