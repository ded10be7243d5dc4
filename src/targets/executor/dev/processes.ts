/**
 * Dev-stack processes and the checkout each belongs to: the logic of `bun run reap`
 * (executor-facts §6), done better. The reaper reads only the command line, stops at the first
 * space and at the first `apps`/`packages`/`e2e` segment, and never looks at the working directory;
 * here each argv element is read whole (paths with spaces survive), every segment boundary is a
 * candidate root, and when the command line names no path the process's cwd decides.
 */
import {basename, join} from 'node:path'
import type {CheckContext} from '../../../context.js'
import {jsonSyntaxProblem} from '../../../config/json-position.js'
import type {ProcessInfo} from '../../../probes/processes.js'
import {missingMarker} from './checkout.js'

/** `DEV_PATTERN` of scripts/reap-dev-servers.ts, verbatim. */
export const DEV_PATTERN = /vite dev|dev-db\.ts|scripts\/dev\.ts/

const SEGMENT = /\/(?:node_modules|apps|packages|e2e)\//g

export interface ProcessCheckout {
  /** The checkout root the process runs from, or null when it cannot be told. */
  checkout: string | null
  via: 'command line' | 'working directory' | null
  /** True when the checkout directory no longer exists (or the process's cwd was deleted). */
  gone: boolean
  /** True when `checkout` is an Executor monorepo checkout (it exists and has the markers). */
  isExecutorCheckout: boolean
  cwd: string | null
  /** Why the checkout could not be told, when `checkout` is null. */
  unknown?: string
}

/** Absolute paths inside one argv element: at its start or after whitespace, `=`, `:` or a quote. */
export function absolutePathsIn(arg: string): string[] {
  const out: string[] = []
  for (let i = 0; i < arg.length; i++) {
    if (arg[i] === '/' && (i === 0 || /[\s=:'"]/.test(arg[i - 1]!))) out.push(arg.slice(i))
  }
  return out
}

/** Every prefix of `path` that ends right before a node_modules/apps/packages/e2e segment, shortest first. */
export function rootCandidates(path: string): string[] {
  const out: string[] = []
  for (const match of path.matchAll(SEGMENT)) {
    const prefix = path.slice(0, match.index)
    if (prefix.length > 0 && !out.includes(prefix)) out.push(prefix)
  }
  return out
}

type Judged = {kind: 'checkout'; root: string; executor: boolean} | {kind: 'gone'; root: string} | {kind: 'none'}

/**
 * Shortest candidate first: an Executor checkout wins; a candidate that no longer exists means the
 * process runs from a removed tree (even under an existing parent literally named `apps`, where the
 * reaper's regex would stop); an existing directory that is not a checkout is remembered.
 */
async function judgeCandidates(ctx: CheckContext, candidates: string[]): Promise<Judged> {
  let firstExisting: string | null = null
  for (const candidate of candidates) {
    const stat = await ctx.files.stat(candidate)
    if (!stat.ok) {
      if (stat.code === 'ENOENT' || stat.code === 'ENOTDIR') return {kind: 'gone', root: candidate}
      continue
    }
    if (!stat.stat.isDirectory()) continue
    if ((await missingMarker(ctx, candidate)) === null) return {kind: 'checkout', root: candidate, executor: true}
    firstExisting ??= candidate
  }
  return firstExisting ? {kind: 'checkout', root: firstExisting, executor: false} : {kind: 'none'}
}

const DELETED = / \(deleted\)$/

export async function locateProcessCheckout(ctx: CheckContext, proc: ProcessInfo): Promise<ProcessCheckout> {
  const cwd = await ctx.processes.cwd(proc.pid)
  // 1. The command line, as the reaper reads it (but per argv element, so spaces survive).
  const candidates = proc.argv.flatMap((arg) => absolutePathsIn(arg).flatMap(rootCandidates))
  const fromArgs = await judgeCandidates(ctx, candidates)
  if (fromArgs.kind === 'gone') return {checkout: fromArgs.root, via: 'command line', gone: true, isExecutorCheckout: false, cwd}
  if (fromArgs.kind === 'checkout' && fromArgs.executor)
    return {checkout: fromArgs.root, via: 'command line', gone: false, isExecutorCheckout: true, cwd}
  // 2. The working directory: a deleted cwd is the surest sign of a removed worktree.
  if (cwd === null) {
    if (fromArgs.kind === 'checkout') return {checkout: fromArgs.root, via: 'command line', gone: false, isExecutorCheckout: false, cwd}
    return {
      checkout: null,
      via: null,
      gone: false,
      isExecutorCheckout: false,
      cwd,
      unknown: `/proc/${proc.pid}/cwd is not readable (another user's process?) and its command line names no path`,
    }
  }
  if (DELETED.test(cwd)) {
    const path = cwd.replace(DELETED, '')
    const root = rootCandidates(`${path}/`)[0] ?? path
    return {checkout: root, via: 'working directory', gone: true, isExecutorCheckout: false, cwd}
  }
  const fromCwd = await judgeCandidates(ctx, [...rootCandidates(`${cwd}/`), cwd])
  if (fromCwd.kind === 'checkout' && fromCwd.executor)
    return {checkout: fromCwd.root, via: 'working directory', gone: false, isExecutorCheckout: true, cwd}
  if (fromArgs.kind === 'checkout') return {checkout: fromArgs.root, via: 'command line', gone: false, isExecutorCheckout: false, cwd}
  const executorRoot = await executorAncestor(ctx, cwd)
  if (executorRoot) return {checkout: executorRoot, via: 'working directory', gone: false, isExecutorCheckout: true, cwd}
  return {checkout: cwd, via: 'working directory', gone: false, isExecutorCheckout: false, cwd}
}

async function executorAncestor(ctx: CheckContext, dir: string): Promise<string | null> {
  let current = dir
  for (let depth = 0; depth < 64; depth++) {
    if ((await missingMarker(ctx, current)) === null) return current
    const parent = join(current, '..')
    if (parent === current || basename(current) === '') return null
    current = parent
  }
  return null
}

/** Process group id of a live process (the e2e boots make each child a group leader), or null. */
export async function processGroup(ctx: CheckContext, pid: number): Promise<number | null> {
  const found = await ctx.processes.get(pid)
  return found.alive === true ? (found.info.pgrp ?? null) : null
}

export interface DevInstance {
  target: string
  path: string
  runnerPid: number
  childPids: number[]
  status: string
  startedAt: string
  /** When the e2e CLI last wrote the state file (its mtime, epoch ms). */
  writtenAtMs: number
  /** The runner pid is alive and is the process the record names (started before the record was written). */
  runnerAlive: boolean
}

/**
 * Slack for "started before the record was written": start times are in clock ticks (±10 ms) and
 * some filesystems keep mtimes in whole seconds (or two, on FAT).
 */
const RECORD_SLACK_MS = 2000

/**
 * Whether a live process is the one a state file names, not a later process that got the same pid:
 * the e2e CLI writes a pid into the file only once that process exists (the runner records itself,
 * then the child group leaders it spawned), so the named process started before the last write.
 */
export function isRecordedProcess(proc: ProcessInfo, instance: Pick<DevInstance, 'writtenAtMs'>): boolean {
  return proc.state !== 'Z' && proc.startedAtMs <= instance.writtenAtMs + RECORD_SLACK_MS
}

export interface DevStateScan {
  instances: DevInstance[]
  /** State files the e2e CLI would skip as debris (unparseable or not an instance). */
  debris: Array<{path: string; reason: string}>
}

/**
 * `e2e/.dev/<target>.json` files of a checkout (executor-facts §3.4). Validity is the e2e CLI's own
 * `isInstanceState`: `target` string, `runnerPid` number, `startedAt` string.
 */
export function readDevState(ctx: CheckContext, root: string): Promise<DevStateScan> {
  return ctx.memo(`executor:dev-state:${root}`, async () => {
    const dir = join(root, 'e2e', '.dev')
    const listing = await ctx.files.readdir(dir)
    const scan: DevStateScan = {instances: [], debris: []}
    if (!listing.ok) return scan
    for (const name of listing.names.filter((n) => n.endsWith('.json'))) {
      const path = join(dir, name)
      const read = await ctx.files.read(path, 256 * 1024)
      if (!read.ok) {
        scan.debris.push({path, reason: read.message})
        continue
      }
      let json: Record<string, unknown>
      try {
        json = JSON.parse(read.text) as Record<string, unknown>
      } catch {
        scan.debris.push({path, reason: `not JSON (${jsonSyntaxProblem(read.text)})`})
        continue
      }
      if (
        typeof json !== 'object' ||
        json === null ||
        typeof json.target !== 'string' ||
        typeof json.runnerPid !== 'number' ||
        typeof json.startedAt !== 'string'
      ) {
        scan.debris.push({path, reason: 'not an instance state (needs target, runnerPid, startedAt)'})
        continue
      }
      const childPids = Array.isArray(json.childPids)
        ? json.childPids.filter((p): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0)
        : []
      const runner = await ctx.processes.get(json.runnerPid)
      const writtenAtMs = read.stat.mtimeMs
      scan.instances.push({
        target: json.target,
        path,
        runnerPid: json.runnerPid,
        childPids,
        status: typeof json.status === 'string' ? json.status : 'unknown',
        startedAt: json.startedAt,
        writtenAtMs,
        runnerAlive: runner.alive === true && isRecordedProcess(runner.info, {writtenAtMs}),
      })
    }
    return scan
  })
}

/**
 * The recorded instance a process belongs to: its pid, an ancestor's or its process group is the
 * runner or one of the child group leaders. `bunx vite` is a wrapper whose server child outlives
 * it, so the group matters as much as the parent chain. A pid only counts when the live process
 * is the one the record names (see isRecordedProcess): a stale file whose pid was reused by an
 * unrelated program must not make that program look deliberate.
 */
export async function recordedInstance(ctx: CheckContext, proc: ProcessInfo, instances: DevInstance[]): Promise<DevInstance | null> {
  if (instances.length === 0) return null
  const owners = new Map<number, DevInstance>()
  for (const instance of instances) for (const pid of [instance.runnerPid, ...instance.childPids]) owners.set(pid, instance)
  const group = await processGroup(ctx, proc.pid)
  if (group !== null && owners.has(group)) {
    const instance = owners.get(group)!
    // Linux never reuses a pid while a group of that id exists. With the leader gone, the member
    // itself must predate the record, or the group was made after it by a process that reused the pid.
    const leader = await ctx.processes.get(group)
    const witness = leader.alive === true ? leader.info : proc
    if (isRecordedProcess(witness, instance)) return instance
  }
  let current: ProcessInfo | null = proc
  for (let depth = 0; current && depth < 32; depth++) {
    const hit = owners.get(current.pid)
    if (hit && isRecordedProcess(current, hit)) return hit
    if (current.ppid <= 1) break
    const parent = await ctx.processes.get(current.ppid)
    current = parent.alive === true ? parent.info : null
  }
  return null
}
