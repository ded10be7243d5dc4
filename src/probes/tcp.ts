/**
 * TCP exchanges for line protocols (a banner, a PING/PONG): connect, optionally send, read the
 * first line of the answer. Memoised per run like the HTTP probe; always bounded by its timeout,
 * the connection is destroyed afterwards, and the bytes read are capped.
 */
import {connect} from 'node:net'
import {NEVER} from './abort.js'

export interface TcpRequest {
  host: string
  port: number
  /** Sent once connected; absent: connect only (or read a banner when `read` is set). */
  send?: string
  /** Wait for the first line of an answer (implied by `send`). */
  read?: boolean
  timeoutMs?: number
}

export type TcpResult =
  | {ok: true; connected: true; line: string | null; durationMs: number}
  | {ok: false; error: 'refused' | 'timeout' | 'reset' | 'closed' | 'other'; message: string; connected: boolean; durationMs: number}

const MAX_BYTES = 4096

export class TcpProbe {
  private readonly cache = new Map<string, Promise<TcpResult>>()

  constructor(
    private readonly defaultTimeoutMs: number,
    private readonly signal: AbortSignal = NEVER,
  ) {}

  exchange(req: TcpRequest): Promise<TcpResult> {
    const key = JSON.stringify([req.host, req.port, req.send ?? null, req.read ?? false])
    let pending = this.cache.get(key)
    if (!pending) {
      pending = this.run(req)
      this.cache.set(key, pending)
    }
    return pending
  }

  private run(req: TcpRequest): Promise<TcpResult> {
    const timeout = req.timeoutMs ?? this.defaultTimeoutMs
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const wantsLine = req.send !== undefined || req.read === true
    return new Promise((resolve) => {
      let connected = false
      let buffer = ''
      let done = false
      const socket = connect({host: req.host, port: req.port})
      const finish = (result: TcpResult) => {
        if (done) return
        done = true
        clearTimeout(timer)
        this.signal.removeEventListener('abort', onAbort)
        socket.destroy()
        resolve(result)
      }
      const onAbort = () =>
        finish({ok: false, error: 'timeout', message: 'the run ended before the answer came', connected, durationMs: elapsed()})
      this.signal.addEventListener('abort', onAbort, {once: true})
      const timer = setTimeout(
        () =>
          finish({
            ok: false,
            error: 'timeout',
            message: connected ? `connected, but no answer within ${timeout} ms` : `no connection within ${timeout} ms`,
            connected,
            durationMs: elapsed(),
          }),
        timeout,
      )
      socket.once('connect', () => {
        connected = true
        if (!wantsLine) return finish({ok: true, connected: true, line: null, durationMs: elapsed()})
        if (req.send !== undefined) socket.write(req.send)
      })
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8')
        const nl = buffer.indexOf('\n')
        if (nl >= 0 || buffer.length >= MAX_BYTES)
          finish({ok: true, connected: true, line: (nl >= 0 ? buffer.slice(0, nl) : buffer).replace(/\r$/, ''), durationMs: elapsed()})
      })
      socket.once('end', () =>
        buffer.length > 0
          ? finish({ok: true, connected: true, line: buffer.replace(/\r?\n?$/, ''), durationMs: elapsed()})
          : finish({ok: false, error: 'closed', message: 'the connection was closed without an answer', connected, durationMs: elapsed()}),
      )
      socket.once('error', (error: NodeJS.ErrnoException) => {
        const kind = error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ECONNRESET' ? 'reset' : 'other'
        finish({
          ok: false,
          error: kind,
          message: error.code ? `${error.code}: ${error.message}` : error.message,
          connected,
          durationMs: elapsed(),
        })
      })
    })
  }
}
