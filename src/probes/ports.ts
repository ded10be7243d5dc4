/**
 * Active port probes: "does something accept connections here?" and "could a server bind here?",
 * asked the way a test suite asks before it boots its servers. Nothing is left behind: a probe
 * connection is closed at once and a probe listener is closed before the call returns.
 * And, for ports that refuse binding with nobody listening, the sockets that use the port as
 * their *local* end (outbound connections squat ephemeral-range ports too).
 */
import {promises as fsp} from 'node:fs'
import {createConnection, createServer} from 'node:net'

export type ConnectResult = 'accepted' | 'refused' | 'timeout' | 'unavailable'
export type BindResult = 'free' | 'in-use' | 'unavailable' | 'denied'

/** TCP connect; `accepted` means a listener is there. `unavailable`: the address family is absent (no IPv6). */
export function connectProbe(host: string, port: number, timeoutMs = 1000): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const socket = createConnection({host, port})
    const done = (result: ConnectResult) => {
      clearTimeout(timer)
      socket.removeAllListeners()
      socket.on('error', () => undefined)
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => done('timeout'), timeoutMs)
    socket.once('connect', () => done('accepted'))
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') done('refused')
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENETUNREACH' || error.code === 'EAFNOSUPPORT') done('unavailable')
      else done('refused')
    })
  })
}

/** Listens on (host, port) and closes at once; `in-use` is EADDRINUSE. */
export function bindProbe(host: string, port: number, options: {ipv6Only?: boolean} = {}): Promise<BindResult> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('in-use')
      else if (error.code === 'EACCES' || error.code === 'EPERM') resolve('denied')
      else resolve('unavailable')
    })
    server.listen({host, port, exclusive: true, ...(options.ipv6Only ? {ipv6Only: true} : {})}, () => {
      server.close(() => resolve('free'))
    })
  })
}

export interface LocalPortSocket {
  protocol: 'tcp' | 'tcp6'
  /** Kernel TCP state as hex (01 ESTABLISHED, 06 TIME_WAIT, 0A LISTEN, …). */
  state: string
  remote: string
  inode: number
  uid: number
}

/** Every TCP socket (any state) whose local port is `port`; Linux only, [] elsewhere. */
export async function socketsOnLocalPort(port: number, procRoot = '/proc'): Promise<LocalPortSocket[]> {
  if (process.platform !== 'linux') return []
  const out: LocalPortSocket[] = []
  for (const protocol of ['tcp', 'tcp6'] as const) {
    const text = await fsp.readFile(`${procRoot}/net/${protocol}`, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10) continue
      const localPort = parseInt((cols[1] ?? '').split(':')[1] ?? '', 16)
      if (localPort !== port) continue
      out.push({protocol, state: cols[3] ?? '', remote: cols[2] ?? '', inode: Number(cols[9]), uid: Number(cols[7])})
    }
  }
  return out
}
