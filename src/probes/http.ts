/**
 * HTTP probes, memoised per run. Every probe has a hard deadline (default 2 s, the same budget
 * Executor's own CLI gives its health probe), uses a fresh connection that is closed afterwards
 * (nothing keeps the process alive), never sends credentials unless a check passes them, and caps
 * the body it reads. Unix sockets are supported (RunWisp serves HTTP on one).
 *
 * Decision (measured, see README › Performance): DESIGN.md names undici for probes, but importing
 * undici costs ~120 ms on the 2-core machine — more than the rest of a healthy run — while
 * node:http is already loaded and does everything a probe needs. So probes use node:http.
 */
import type {IncomingMessage} from 'node:http'
import {NEVER} from './abort.js'

export interface HttpRequest {
  url: string
  method?: 'GET' | 'HEAD' | 'POST'
  /** Talk to a unix socket instead of TCP; `url` still gives the path and Host. */
  socketPath?: string
  headers?: Record<string, string>
  body?: string
  timeoutMs?: number
  /** Bytes of body kept; the rest is drained and dropped. */
  maxBytes?: number
}

export type HttpErrorKind = 'timeout' | 'refused' | 'reset' | 'unreachable' | 'protocol' | 'other'

export type HttpResult =
  | {
      ok: true
      status: number
      headers: Record<string, string>
      body: string
      truncated: boolean
      /** Why the body is partial, in words ("cut at the 64 KiB cap; it announced 1073741824 bytes"): an endless or huge body is never read whole. */
      cut?: string
      durationMs: number
      receivedAtMs: number
    }
  | {ok: false; error: HttpErrorKind; message: string; durationMs: number}

export const DEFAULT_HTTP_TIMEOUT_MS = 2000

export class HttpProbe {
  private readonly cache = new Map<string, Promise<HttpResult>>()

  /**
   * `signal` ends every request still in flight when it fires (the run is over): a hung server
   * never keeps the process alive past the run. A check that stops waiting earlier leaves the
   * shared request to its own deadline, as another check may still want the answer.
   */
  constructor(
    private readonly defaultTimeoutMs = DEFAULT_HTTP_TIMEOUT_MS,
    private readonly signal: AbortSignal = NEVER,
  ) {}

  request(req: HttpRequest): Promise<HttpResult> {
    const key = JSON.stringify([req.method ?? 'GET', req.url, req.socketPath ?? '', req.headers ?? {}, req.body ?? ''])
    let pending = this.cache.get(key)
    if (!pending) {
      pending = this.send(req)
      this.cache.set(key, pending)
    }
    return pending
  }

  get(url: string, options: Omit<HttpRequest, 'url'> = {}): Promise<HttpResult> {
    return this.request({...options, url})
  }

  /** Kept for the run's teardown contract; each probe already closes its own connection. */
  async close(): Promise<void> {}

  private async send(req: HttpRequest): Promise<HttpResult> {
    const timeout = req.timeoutMs ?? this.defaultTimeoutMs
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    let url: URL
    try {
      url = new URL(req.url)
    } catch {
      return {ok: false, error: 'other', message: `not a URL: ${req.url}`, durationMs: 0}
    }
    const lib = url.protocol === 'https:' ? await import('node:https') : await import('node:http')
    const max = req.maxBytes ?? 64 * 1024
    return new Promise<HttpResult>((resolve) => {
      let settled = false
      // The first bytes the server sent, whatever they were: what it "answered" when it is not HTTP.
      const sent: Buffer[] = []
      let sentBytes = 0
      let answered: ((why: string) => void) | null = null
      const finish = (result: HttpResult) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.signal.removeEventListener('abort', onAbort)
        request.destroy()
        resolve(result)
      }
      const onAbort = () =>
        answered
          ? answered('the run ended before the body did')
          : finish({
              ok: false,
              error: 'timeout',
              message: `stopped before an answer came: ${(this.signal.reason as Error)?.message ?? 'the run ended'}`,
              durationMs: elapsed(),
            })
      const request = lib.request(
        {
          ...(req.socketPath
            ? {socketPath: req.socketPath}
            : {host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (url.protocol === 'https:' ? 443 : 80)}),
          path: url.pathname + url.search,
          method: req.method ?? 'GET',
          headers: {'user-agent': 'doctorkit', connection: 'close', host: url.host, ...req.headers},
          agent: false,
          // A local daemon with a self-signed certificate is still worth a health answer.
          rejectUnauthorized: false,
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = []
          let size = 0
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
          }
          const declared = headers['content-length']
          // Ends the probe with what arrived: the status and headers are an answer even when the body never ends.
          const done = (cut?: string) =>
            finish({
              ok: true,
              status: response.statusCode ?? 0,
              headers,
              body: Buffer.concat(chunks).toString('utf8'),
              truncated: cut !== undefined,
              ...(cut ? {cut} : {}),
              durationMs: elapsed(),
              receivedAtMs: Date.now(),
            })
          answered = (why) => done(`${why}; ${formatBytes(size)} of it read${declared ? ` of the ${declared} bytes it announced` : ''}`)
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk.subarray(0, max - size))
            size += chunk.length
            // Past the cap nothing more is read: an endless body or a 1 GB Content-Length costs `max` bytes.
            if (size > max)
              done(`cut at the ${formatBytes(max)} cap${declared ? `; it announced ${declared} bytes` : '; it did not say how long it is'}`)
          })
          response.on('end', () => done())
          response.on('error', (error) => finish({ok: false, ...classify(error, timeout, sent), durationMs: elapsed()}))
        },
      )
      request.on('socket', (socket) => {
        socket.on('data', (chunk: Buffer) => {
          if (sentBytes < PREVIEW_BYTES) sent.push(chunk.subarray(0, PREVIEW_BYTES - sentBytes))
          sentBytes += chunk.length
        })
      })
      const timer = setTimeout(() => {
        if (answered) return answered(`the body did not end within ${timeout} ms`)
        if (sentBytes > 0)
          return finish({
            ok: false,
            error: 'protocol',
            message: `it sent ${formatBytes(sentBytes)} within ${timeout} ms but no complete HTTP answer: ${preview(Buffer.concat(sent))}`,
            durationMs: elapsed(),
          })
        finish({ok: false, error: 'timeout', message: `no answer within ${timeout} ms`, durationMs: elapsed()})
      }, timeout)
      request.on('error', (error) => finish({ok: false, ...classify(error, timeout, sent), durationMs: elapsed()}))
      if (this.signal.aborted) return onAbort()
      this.signal.addEventListener('abort', onAbort, {once: true})
      request.end(req.body)
    })
  }
}

/** How much of a non-HTTP answer a message quotes. */
const PREVIEW_BYTES = 256
const PREVIEW_CHARS = 80

/**
 * Bytes a server sent, quoted for a message: printable ASCII as is, everything else escaped
 * (`\n`, `\x1b`), so an ESC from a hostile server never reaches a terminal raw; cut at 80 characters.
 */
export function preview(bytes: Buffer): string {
  const named: Record<number, string> = {0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x22: '\\"', 0x5c: '\\\\'}
  let out = ''
  for (const byte of bytes) {
    const escaped = named[byte] ?? (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)
    if (out.length + escaped.length > PREVIEW_CHARS) return `"${out}…"`
    out += escaped
  }
  return `"${out}"`
}

function formatBytes(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : n === 1 ? '1 byte' : `${n} bytes`
}

function classify(error: unknown, timeout: number, sent: Buffer[]): {error: HttpErrorKind; message: string} {
  const err = error as {code?: string; message?: string; rawPacket?: Buffer}
  const code = err.code ?? ''
  if (code === 'ETIMEDOUT') return {error: 'timeout', message: `no answer within ${timeout} ms`}
  if (code === 'ECONNREFUSED' || code === 'ENOENT') return {error: 'refused', message: `connection refused (${code})`}
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(err.message ?? ''))
    return {error: 'reset', message: `connection closed without an answer (${code || 'socket hang up'})`}
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return {error: 'unreachable', message: code}
  if (code.startsWith('HPE_') || code === 'ERR_INVALID_HTTP_RESPONSE') {
    const bytes =
      sent.length > 0 ? Buffer.concat(sent) : Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, PREVIEW_BYTES) : Buffer.alloc(0)
    return {
      error: 'protocol',
      message: `it answered with something that is not HTTP (${code})${bytes.length > 0 ? `: ${preview(bytes)}` : ''}`,
    }
  }
  if (code === 'ENOTSOCK' || code === 'ECONNREFUSED') return {error: 'refused', message: code}
  return {error: 'other', message: err.message ?? String(error)}
}
