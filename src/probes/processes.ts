/**
 * The process table. On Linux it is read straight from /proc (no `ps` spawn, one pass); elsewhere
 * systeminformation is the portable path. A process is looked up once per run; the full table is
 * taken at most once, on the first check that needs it.
 */
import {closeSync, existsSync, openSync, readFileSync, readlinkSync, readSync} from 'node:fs'
import * as fsp from './fs-async.js'
import {NEVER, stopIfAborted, yieldToLoop, timeSlice, started} from './abort.js'

export interface ProcessInfo {
  pid: number
  ppid: number
  /** Process group id (Linux /proc/<pid>/stat field 5); absent where the platform does not say. */
  pgrp?: number
  /** Real uid, or null where the platform does not say. */
  uid: number | null
  /** Kernel short name (Linux `comm`): the executable's file name, at most 15 characters. */
  comm: string
  argv: string[]
  /** argv joined with spaces (trailing blanks dropped), for display and pattern matching. */
  cmdline: string
  /** Resolved executable path, or null when it cannot be read (another user's process, not root). */
  exe: string | null
  /** Start time, epoch milliseconds (±10 ms on Linux: clock ticks). */
  startedAtMs: number
  /** 'Z' for a zombie: it holds its pid but no longer runs. */
  state: string
}

/** What one read of /proc/<pid>/stat tells: enough to pick candidates before reading more. */
export interface ProcessBrief {
  pid: number
  ppid: number
  pgrp?: number
  comm: string
  state: string
  startedAtMs: number
  /** A kernel thread (Linux PF_KTHREAD): it has no executable, no command line, and runs as root. */
  kernelThread?: true
}

/** A process's name and executable: what an identity rule reads before it asks for the rest with `get()`. */
export interface ProcessIdentity extends ProcessBrief {
  exe: string | null
}

export type ProcessLookup = {alive: true; info: ProcessInfo} | {alive: false} | {alive: 'unknown'; reason: string}

const isLinux = process.platform === 'linux'
/**
 * USER_HZ. The kernel reports start times in these ticks; it is 100 on every mainstream Linux
 * architecture (asking `getconf CLK_TCK` would cost a process spawn on every run).
 */
const CLOCK_TICKS = 100
/** The stat flags bit of a kernel thread (include/linux/sched.h); most rows of a small VM's table are one. */
const PF_KTHREAD = 0x00200000

export class ProcessProbe {
  private readonly byPid = new Map<number, Promise<ProcessLookup>>()
  private table?: Promise<ProcessInfo[]>
  private briefTable?: Promise<ProcessBrief[]>
  private identityTable?: Promise<ProcessIdentity[]>
  private bootTimeMs?: Promise<number>
  private readonly cwds = new Map<number, Promise<string | null>>()
  private readonly environs = new Map<number, Promise<Record<string, string> | null>>()
  private readonly fdLinks = new Map<number, Promise<string[] | null>>()

  /** `signal` stops the whole-table reads (shared by every check) when the run ends. */
  constructor(
    private readonly procRoot = '/proc',
    private readonly signal: AbortSignal = NEVER,
  ) {}

  /** Whether `pid` exists now, and what it is. Invalid pids (0, negative, huge) are never alive. */
  get(pid: number): Promise<ProcessLookup> {
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 4_194_304) return Promise.resolve({alive: false})
    let pending = this.byPid.get(pid)
    if (!pending) {
      pending = this.lookup(pid)
      this.byPid.set(pid, pending)
    }
    return pending
  }

  /** Every process on the machine, taken once per run. */
  list(): Promise<ProcessInfo[]> {
    this.table ??= this.readTable()
    return this.table
  }

  /**
   * Every process, from one read of its stat file each: the cheap table. Filter on `comm` first,
   * then `get()` the few candidates; on a busy machine that is ~4x less I/O than `list()`.
   */
  listBrief(): Promise<ProcessBrief[]> {
    this.briefTable ??= isLinux ? this.readBriefTable() : this.list()
    return this.briefTable
  }

  /**
   * Every process with its executable: the cheap table plus one readlink each (none for a kernel
   * thread). For rules that match an executable's name: ~half the I/O of `list()`, which also reads
   * every command line and status file.
   */
  listIdentities(): Promise<ProcessIdentity[]> {
    this.identityTable ??= isLinux ? this.readIdentityTable() : this.list()
    return this.identityTable
  }

  private async readIdentityTable(): Promise<ProcessIdentity[]> {
    const briefs = await this.listBrief()
    const out: ProcessIdentity[] = []
    const sliceUp = timeSlice()
    for (const brief of briefs) {
      stopIfAborted(this.signal)
      out.push({...brief, exe: brief.kernelThread ? null : executable(tryRead(() => readlinkSync(`${this.procRoot}/${brief.pid}/exe`)))})
      if (sliceUp()) {
        await yieldToLoop()
      }
    }
    return out
  }

  private async readBriefTable(): Promise<ProcessBrief[]> {
    const pids = (await fsp.readdir(this.procRoot)).filter((name) => /^\d+$/.test(name)).map(Number)
    const bootMs = await this.boot()
    // Synchronous reads in time slices, as the full table does: one promise-based readFile is four
    // thread-pool round trips (open, fstat, read, close), ~1.5 ms of CPU for 68 processes.
    const briefs: ProcessBrief[] = []
    const sliceUp = timeSlice()
    for (const pid of pids) {
      stopIfAborted(this.signal)
      const stat = tryRead(() => readSmall(`${this.procRoot}/${pid}/stat`).toString('utf8'))
      if (stat) briefs.push(parseStat(pid, stat, bootMs))
      if (sliceUp()) {
        await yieldToLoop()
      }
    }
    stopIfAborted(this.signal)
    return briefs
  }

  /** Working directory of a process, or null when it cannot be read. */
  cwd(pid: number): Promise<string | null> {
    let pending = this.cwds.get(pid)
    if (!pending) {
      pending = isLinux ? fsp.readlink(`${this.procRoot}/${pid}/cwd`).catch(() => null) : Promise.resolve(null)
      this.cwds.set(pid, pending)
    }
    return pending
  }

  /** Environment a process was started with (Linux, same user or root), or null. */
  environ(pid: number): Promise<Record<string, string> | null> {
    let pending = this.environs.get(pid)
    if (!pending) {
      pending = isLinux
        ? fsp
            .readFile(`${this.procRoot}/${pid}/environ`)
            .then((raw) => {
              const env: Record<string, string> = {}
              for (const entry of raw.toString('utf8').split('\0')) {
                const at = entry.indexOf('=')
                if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1)
              }
              return env
            })
            .catch(() => null)
        : Promise.resolve(null)
      this.environs.set(pid, pending)
    }
    return pending
  }

  /**
   * What a process has open (Linux: the targets of /proc/<pid>/fd), or null when it cannot be
   * read (another user's process when not root, or not Linux). Read-only: readlink never opens.
   */
  openFiles(pid: number): Promise<string[] | null> {
    let pending = this.fdLinks.get(pid)
    if (!pending) {
      pending = isLinux
        ? (async () => {
            const dir = `${this.procRoot}/${pid}/fd`
            const fds = await fsp.readdir(dir)
            const links = await Promise.all(fds.map((fd) => fsp.readlink(`${dir}/${fd}`).catch(() => null)))
            return links.filter((l): l is string => l !== null)
          })().catch(() => null)
        : Promise.resolve(null)
      this.fdLinks.set(pid, pending)
    }
    return pending
  }

  private async lookup(pid: number): Promise<ProcessLookup> {
    if (!isLinux) return this.lookupPortable(pid)
    // Most recorded pids of a crowded data dir are long dead: say so without a round trip.
    if (!existsSync(`${this.procRoot}/${pid}`)) return {alive: false}
    const info = await this.readProc(pid)
    if (info === 'dead') return {alive: false}
    if (typeof info === 'string') return {alive: 'unknown', reason: info}
    return {alive: true, info}
  }

  /**
   * The full table. Synchronous reads in time slices: measured with 2,000 extra processes, the
   * promise-based reads cost ~0.35 ms a process (four files each through the libuv pool), the
   * synchronous ones a fraction of that; yielding every few ms keeps concurrent checks running.
   */
  private async readTable(): Promise<ProcessInfo[]> {
    if (!isLinux) return this.listPortable()
    const names = await fsp.readdir(this.procRoot)
    const pids = names.filter((name) => /^\d+$/.test(name)).map(Number)
    const bootMs = await this.boot()
    const infos: ProcessInfo[] = []
    const sliceUp = timeSlice()
    for (const pid of pids) {
      const cached = this.byPid.get(pid)
      const info = cached ? await cached.then((l) => (l.alive === true ? l.info : null)) : this.readProcSync(pid, bootMs)
      if (info) {
        infos.push(info)
        this.byPid.set(pid, Promise.resolve({alive: true, info}))
      }
      if (sliceUp()) {
        await yieldToLoop()
        stopIfAborted(this.signal)
      }
    }
    return infos
  }

  private readProcSync(pid: number, bootMs: number): ProcessInfo | null {
    const dir = `${this.procRoot}/${pid}`
    let stat: string
    try {
      stat = readSmall(`${dir}/stat`).toString('utf8')
    } catch {
      return null // exited since the directory listing
    }
    const brief = parseStat(pid, stat, bootMs)
    // A kernel thread has nothing more to read: no command line, no executable, uid 0.
    if (brief.kernelThread) return toInfo(brief, Buffer.alloc(0), 0, null)
    const cmdRaw = tryRead(() => Buffer.from(readSmall(`${dir}/cmdline`))) ?? Buffer.alloc(0)
    const status = tryRead(() => readSmall(`${dir}/status`).toString('utf8')) ?? ''
    const exe = tryRead(() => readlinkSync(`${dir}/exe`))
    return toInfo(brief, cmdRaw, uidOf(status), exe)
  }

  private boot(): Promise<number> {
    this.bootTimeMs ??= fsp.readFile(`${this.procRoot}/stat`, 'utf8').then((text) => {
      const match = /^btime (\d+)$/m.exec(text)
      if (!match) throw new Error('no btime in /proc/stat')
      return Number(match[1]) * 1000
    })
    return this.bootTimeMs
  }

  private async readProc(pid: number): Promise<ProcessInfo | 'dead' | string> {
    const dir = `${this.procRoot}/${pid}`
    // Read beside the stat file, as the first lookup of a run has no boot time yet.
    const bootMs = started(this.boot())
    let stat: string
    try {
      stat = await fsp.readFile(`${dir}/stat`, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ESRCH') return 'dead'
      return `cannot read ${dir}/stat: ${code ?? String(error)}`
    }
    const brief = parseStat(pid, stat, await bootMs)
    if (brief.kernelThread) return toInfo(brief, Buffer.alloc(0), 0, null)
    const [cmdRaw, status, exe] = await Promise.all([
      fsp.readFile(`${dir}/cmdline`).catch(() => Buffer.alloc(0)),
      fsp.readFile(`${dir}/status`, 'utf8').catch(() => ''),
      fsp.readlink(`${dir}/exe`).catch(() => null),
    ])
    return toInfo(brief, cmdRaw, uidOf(status), exe)
  }

  private async listPortable(): Promise<ProcessInfo[]> {
    const si = await import('systeminformation')
    const {list} = await si.processes()
    return list.map((p) => ({
      pid: p.pid,
      ppid: p.parentPid,
      uid: null,
      comm: p.name,
      argv: [p.path ? `${p.path}/${p.name}` : p.name, ...(p.params ? p.params.split(' ') : [])],
      cmdline: p.command + (p.params ? ` ${p.params}` : ''),
      exe: p.path ? `${p.path}/${p.name}` : null,
      startedAtMs: Date.parse(p.started),
      state: p.state === 'zombie' ? 'Z' : 'R',
    }))
  }

  private async lookupPortable(pid: number): Promise<ProcessLookup> {
    try {
      process.kill(pid, 0)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return {alive: false}
    }
    const info = (await this.list()).find((p) => p.pid === pid)
    return info ? {alive: true, info} : {alive: 'unknown', reason: `pid ${pid} exists but its details are not visible`}
  }
}

/** Parses /proc/<pid>/stat. comm is parenthesised and may itself hold spaces or ')': split at the last ')'. */
function parseStat(pid: number, stat: string, bootMs: number): ProcessBrief {
  const close = stat.lastIndexOf(')')
  const comm = stat.slice(stat.indexOf('(') + 1, close)
  const fields = stat.slice(close + 2).split(' ')
  const pgrp = Number(fields[2])
  return {
    pid,
    ppid: Number(fields[1]),
    ...(Number.isInteger(pgrp) && pgrp > 0 ? {pgrp} : {}),
    comm,
    state: fields[0] ?? '?',
    startedAtMs: bootMs + (Number(fields[19]) * 1000) / CLOCK_TICKS,
    ...(Number(fields[6]) & PF_KTHREAD ? {kernelThread: true as const} : {}),
  }
}

function toInfo({kernelThread: _kernel, ...brief}: ProcessBrief, cmdRaw: Buffer, uid: number | null, exe: string | null): ProcessInfo {
  const argv = cmdRaw.toString('utf8').split('\0')
  if (argv.at(-1) === '') argv.pop()
  return {
    ...brief,
    uid,
    argv,
    // A daemon that rewrites its title (redis) pads it with blanks to the old argv's length.
    cmdline: argv.length > 0 ? argv.join(' ').trimEnd() : `[${brief.comm}]`,
    exe: executable(exe),
  }
}

/** The real uid from /proc/<pid>/status, or null when it cannot be read. */
function uidOf(status: string): number | null {
  const match = /^Uid:\s+(\d+)/m.exec(status)
  return match ? Number(match[1]) : null
}

/** The exe link's target, without the mark of a binary replaced or deleted since the process started. */
function executable(link: string | null): string | null {
  return link?.replace(/ \(deleted\)$/, '') ?? null
}

/** One buffer for the table's small files: readFileSync would fstat each and allocate 64 KiB for it (a /proc file has no size). */
const scratch = Buffer.allocUnsafe(16 * 1024)

/**
 * A /proc file read whole into `scratch` (the view is valid until the next call), or by
 * readFileSync when it fills it (a long command line). Measured over 67 processes: 3.4 -> 2.5 ms.
 */
function readSmall(path: string): Buffer {
  const fd = openSync(path, 'r')
  try {
    let length = 0
    for (let n = readSync(fd, scratch, 0, scratch.length, null); n > 0; n = readSync(fd, scratch, length, scratch.length - length, null)) {
      length += n
      if (length === scratch.length) return readFileSync(path)
    }
    return scratch.subarray(0, length)
  } finally {
    closeSync(fd)
  }
}

function tryRead<T>(read: () => T): T | null {
  try {
    return read()
  } catch {
    return null
  }
}
