/**
 * Listening sockets and their owners, one snapshot per run. On Linux the socket tables come from
 * /proc/net (no `ss` spawn) and owners are resolved by one scan of /proc/<pid>/fd, done only if a
 * check asks who owns a port. Elsewhere systeminformation's networkConnections() is the portable path.
 */
import {readdirSync, readlinkSync} from 'node:fs'
import * as fsp from './fs-async.js'
import {NEVER, stopIfAborted, yieldToLoop, timeSlice} from './abort.js'

export interface Listener {
  protocol: 'tcp' | 'tcp6' | 'unix'
  /** IP address (IPv6 in compressed form) or, for unix sockets, the socket path. */
  address: string
  /** 0 for unix sockets. */
  port: number
  /** Socket inode (Linux), the key to its owner. */
  inode: number
  uid: number | null
}

export type Owner = {pid: number} | {pid: null; reason: string}

const isLinux = process.platform === 'linux'
const TCP_LISTEN = '0A'

/** The tables a snapshot reads, in this order (bin/run.js starts the same reads early). */
const NET_TABLES = ['tcp', 'tcp6', 'unix'] as const
type NetTables = [tcp: string, tcp6: string, unix: string]

/**
 * The kernel walks its whole TCP connection hash for each of /proc/net/tcp and tcp6, listeners or
 * not: ~3 ms of kernel time each on the 2-core, 24 GB machine, the largest single cost of a
 * healthy run. bin/run.js starts both reads in the thread pool before it compiles the bundle, and
 * the first snapshot of the process takes them (once, and only if they are under a second old).
 */
const EARLY = Symbol.for('doctorkit.early-net-tables')

function takeEarlyTables(): Promise<NetTables> | null {
  const holder = globalThis as {[EARLY]?: {startedAtMs: number; tables: Promise<NetTables>}}
  const early = holder[EARLY]
  if (!early) return null
  delete holder[EARLY]
  return Date.now() - early.startedAtMs < 1000 ? early.tables : null
}

export class SocketProbe {
  private snapshot?: Promise<Listener[]>
  /** inode → pid, filled as far as the owner scan has gone. */
  private readonly owners = new Map<number, number>()
  /** Pids whose fds are still to be scanned, highest first; null until the scan starts. */
  private pending: number[] | null = null
  private scanning: Promise<void> = Promise.resolve()
  /** Pids whose fds have been read (a likely pid is not read again by the full scan). */
  private readonly scanned = new Set<number>()
  private portableOwners = new Map<number, number>()

  /** `signal` stops the owner scan (shared by every check) when the run ends. */
  constructor(
    private readonly procRoot = '/proc',
    private readonly signal: AbortSignal = NEVER,
  ) {}

  /** All listening TCP and unix sockets, read once per run. */
  listeners(): Promise<Listener[]> {
    this.snapshot ??= isLinux ? this.readLinux() : this.readPortable()
    return this.snapshot
  }

  async onPort(port: number): Promise<Listener[]> {
    return (await this.listeners()).filter((l) => l.protocol !== 'unix' && l.port === port)
  }

  async unixAt(path: string): Promise<Listener[]> {
    return (await this.listeners()).filter((l) => l.protocol === 'unix' && l.address === path)
  }

  /**
   * The pid holding a socket, or why it cannot be told (another user's process when not root).
   * `likely`: pids the caller expects (the pid a daemon recorded), whose fds are read first; the
   * answer is the same without them, only found later on a machine with many newer processes.
   */
  async owner(listener: Listener, likely: readonly number[] = []): Promise<Owner> {
    if (!isLinux) {
      const pid = this.portableOwners.get(listener.inode)
      return pid ? {pid} : {pid: null, reason: 'the platform did not report the owning process'}
    }
    const pid = await this.findOwner(listener.inode, likely)
    if (pid !== undefined) return {pid}
    const mine = listener.uid === null || listener.uid === process.getuid?.()
    return {
      pid: null,
      reason: mine
        ? 'no visible process holds this socket (it may have just closed)'
        : `the socket belongs to uid ${listener.uid}; its process is not visible to uid ${process.getuid?.()} (run as that user or root to name it)`,
    }
  }

  private async readLinux(): Promise<Listener[]> {
    const early = this.procRoot === '/proc' ? takeEarlyTables() : null
    const [tcp = '', tcp6 = '', unix = ''] = await (early ??
      Promise.all(NET_TABLES.map((name) => fsp.readFile(`${this.procRoot}/net/${name}`, 'utf8').catch(() => ''))))
    return [...parseTcpTable(tcp, 'tcp'), ...parseTcpTable(tcp6, 'tcp6'), ...parseUnixTable(unix)]
  }

  /**
   * Resolves an inode's owner by scanning /proc/<pid>/fd, newest process first, and stopping as
   * soon as it is found. Every process is scanned at most once per run, and what a scan learns
   * serves every later question: the daemons a doctor asks about are usually recent processes,
   * so most runs read a handful of fd tables instead of all of them. The reads are synchronous in
   * time slices, as the process table's are (/proc answers from memory): one promise-based
   * readlink per fd kept the thread pool busy for ~10 ms beside a daemon, and every file read of
   * the run queued behind it.
   */
  private findOwner(inode: number, likely: readonly number[]): Promise<number | undefined> {
    const next = this.scanning.then(async () => {
      if (this.owners.has(inode)) return
      for (const pid of likely) {
        if (this.owners.has(inode)) return
        if (Number.isSafeInteger(pid) && pid > 0 && !this.scanned.has(pid)) this.scanProcess(pid)
      }
      this.pending ??= (await fsp.readdir(this.procRoot))
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .sort((a, b) => b - a)
      const sliceUp = timeSlice()
      while (this.pending.length > 0 && !this.owners.has(inode)) {
        stopIfAborted(this.signal)
        const pid = this.pending.shift()!
        if (!this.scanned.has(pid)) this.scanProcess(pid)
        if (sliceUp()) {
          await yieldToLoop()
        }
      }
    })
    this.scanning = next.catch(() => undefined)
    return next.then(() => this.owners.get(inode))
  }

  private scanProcess(pid: number): void {
    this.scanned.add(pid)
    const fdDir = `${this.procRoot}/${pid}/fd`
    let fds: string[]
    try {
      fds = readdirSync(fdDir)
    } catch {
      return // exited, or another user's process when not root
    }
    for (const fd of fds) {
      let target: string
      try {
        target = readlinkSync(`${fdDir}/${fd}`)
      } catch {
        continue // closed since the listing
      }
      if (target.startsWith('socket:[')) {
        const inode = Number(target.slice(8, -1))
        if (!this.owners.has(inode)) this.owners.set(inode, pid)
      }
    }
  }

  private async readPortable(): Promise<Listener[]> {
    const si = await import('systeminformation')
    const connections = await si.networkConnections()
    let fakeInode = 1
    const listeners: Listener[] = []
    for (const c of connections) {
      if (c.state !== 'LISTEN' || !/^tcp/.test(c.protocol)) continue
      const inode = fakeInode++
      if (c.pid) this.portableOwners.set(inode, c.pid)
      listeners.push({
        protocol: c.localAddress.includes(':') ? 'tcp6' : 'tcp',
        address: c.localAddress,
        port: Number(c.localPort),
        inode,
        uid: null,
      })
    }
    return listeners
  }
}

export function parseTcpTable(text: string, protocol: 'tcp' | 'tcp6'): Listener[] {
  const out: Listener[] = []
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 10 || cols[3] !== TCP_LISTEN) continue
    const [addrHex, portHex] = (cols[1] ?? '').split(':')
    if (!addrHex || !portHex) continue
    out.push({
      protocol,
      address: protocol === 'tcp' ? ipv4FromProc(addrHex) : ipv6FromProc(addrHex),
      port: parseInt(portHex, 16),
      uid: Number(cols[7]),
      inode: Number(cols[9]),
    })
  }
  return out
}

function parseUnixTable(text: string): Listener[] {
  const out: Listener[] = []
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    // Num RefCount Protocol Flags Type St Inode Path; flag 00010000 = __SO_ACCEPTCON (listening).
    if (cols.length < 8 || cols[3] !== '00010000') continue
    out.push({protocol: 'unix', address: cols.slice(7).join(' '), port: 0, inode: Number(cols[6]), uid: null})
  }
  return out
}

/** /proc/net/tcp stores IPv4 addresses as one little-endian 32-bit hex word. */
function ipv4FromProc(hex: string): string {
  const bytes = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16))
  return bytes.join('.')
}

/** /proc/net/tcp6 stores IPv6 as four little-endian 32-bit words. */
function ipv6FromProc(hex: string): string {
  const groups: string[] = []
  for (let word = 0; word < 4; word++) {
    const w = hex.slice(word * 8, word * 8 + 8)
    const bytes = [6, 4, 2, 0].map((i) => w.slice(i, i + 2)).join('')
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8))
  }
  const full = groups.map((g) => parseInt(g, 16).toString(16))
  // Compress the longest run of zero groups, as inet_ntop does.
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    if (full[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < 8 && full[j] === '0') j++
    if (j - i > bestLen && j - i > 1) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  if (bestStart < 0) return full.join(':')
  const head = full.slice(0, bestStart).join(':')
  const tail = full.slice(bestStart + bestLen).join(':')
  const v4mapped = head === '' && tail.startsWith('ffff:') && bestLen === 5
  if (v4mapped) {
    const [hi, lo] = [parseInt(full[6] ?? '0', 16), parseInt(full[7] ?? '0', 16)]
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  }
  return `${head}::${tail}`
}
