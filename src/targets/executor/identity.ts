/**
 * "Is this process Executor's?" — decided from the process itself, never from what answers on a
 * port: a squatter that says "ok" to everything is still a squatter. And "is the pid in this file
 * still the process that wrote it?" — a pid recorded before a reboot or crash may now belong to
 * something unrelated.
 */
import {basename} from 'node:path'
import type {CheckContext} from '../../context.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {Evidence} from '../../types.js'
import {recordedPid, type RecordedPidOf, type RecordedPidRule} from '../recorded-pid.js'

export type Identity = {verdict: 'executor' | 'foreign'; why: string}

const EXECUTABLE_NAMES = new Set(['executor', 'executor.exe'])
/** Dev checkouts run the CLI from source (executor-facts §5, `isDevCliEntrypoint`). */
const DEV_ENTRYPOINTS = [/apps\/cli\/src\/main\.[tj]s$/, /apps\/cli\/bin\/executor\.[tj]s$/]

export async function executorIdentity(ctx: CheckContext, proc: ProcessInfo, executablePath?: string | null): Promise<Identity> {
  if (executablePath && proc.exe) {
    const real = (await ctx.files.realpath(executablePath)) ?? executablePath
    if (real === proc.exe) return {verdict: 'executor', why: `its executable is the manifest's ${executablePath}`}
  }
  if (proc.exe && EXECUTABLE_NAMES.has(basename(proc.exe))) return {verdict: 'executor', why: `its executable is ${proc.exe}`}
  if (EXECUTABLE_NAMES.has(proc.comm)) return {verdict: 'executor', why: `its process name is "${proc.comm}"`}
  const script = proc.argv.slice(1).find((arg) => DEV_ENTRYPOINTS.some((re) => re.test(arg)))
  if (script) return {verdict: 'executor', why: `it runs the CLI from a dev checkout (${script})`}
  return {verdict: 'foreign', why: `its executable is ${proc.exe ?? proc.comm}, not Executor's`}
}

/** An Executor process serving a daemon (not the npm wrapper or a one-shot command). */
export function isDaemonCommand(proc: ProcessInfo): boolean {
  const args = proc.argv.slice(1)
  const at = args.indexOf('daemon')
  if (at >= 0 && args[at + 1] === 'run') return true
  const web = args.indexOf('web')
  return web >= 0 && args.includes('--foreground')
}

export function processEvidence(proc: ProcessInfo): Evidence {
  return {
    pid: proc.pid,
    command: proc.cmdline.length > 300 ? `${proc.cmdline.slice(0, 300)}…` : proc.cmdline,
    executable: proc.exe,
    uid: proc.uid,
    processStartedAt: new Date(proc.startedAtMs).toISOString(),
  }
}

export type RecordedPid = RecordedPidOf<Identity>

/**
 * Whether the pid written in a file is still its writer (src/targets/recorded-pid.ts, one order for
 * every target). `writtenAtMs` is the file's own `startedAt` (or its mtime when that is missing).
 * A live process that is not Executor at all is a reused pid too.
 */
export function checkRecordedPid(
  ctx: CheckContext,
  pid: number,
  writtenAtMs: number | null,
  executablePath?: string | null,
): Promise<RecordedPid> {
  return recordedPid(ctx, pid, writtenAtMs, executorPidRule(ctx, executablePath))
}

/** Executor's identity rule for a recorded pid: its executable (the manifest's, when known), name or dev entrypoint. */
export function executorPidRule(ctx: CheckContext, executablePath?: string | null): RecordedPidRule<Identity> {
  return {
    async identify(proc) {
      const identity = await executorIdentity(ctx, proc, executablePath)
      return identity.verdict === 'foreign' ? {foreign: true, why: identity.why} : {foreign: false, identity}
    },
    command: (proc) => proc.cmdline,
  }
}
