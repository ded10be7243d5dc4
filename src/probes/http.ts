/**
 * HTTP probes through undici, memoised per run. Every probe has a hard deadline (default 2 s, the
 * same budget Executor's own CLI gives its health probe), never keeps a connection alive past the
 * run, never sends credentials unless a check passes them, and caps the body it reads.
 */
import type {Dispatcher} from 'undici'

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
  | {ok: true; status: number; headers: Record<string, string>; body: string; truncated: boolean; durationMs: number; receivedAtMs: number}
  | {ok: false; error: HttpErrorKind; message: string; durationMs: number}

export const DEFAULT_HTTP_TIMEOUT_MS = 2000

export class HttpProbe {
  private readonly cache = new Map<string, Promise<HttpResult>>()
  private readonly agents: Dispatcher[] = []

  constructor(private readonly defaultTimeoutMs = DEFAULT_HTTP_TIMEOUT_MS) {}

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

  /** Drops every connection; called once when the run ends so nothing keeps the process alive. */
  async close(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.destroy().catch(() => undefined)))
  }

  private async send(req: HttpRequest): Promise<HttpResult> {
    const timeout = req.timeoutMs ?? this.defaultTimeoutMs
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const {Agent, request} = await import('undici')
    const agent = new Agent({
      connect: {timeout, ...(req.socketPath ? {socketPath: req.socketPath} : {})},
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 1,
      pipelining: 0,
    })
    this.agents.push(agent)
    const signal = AbortSignal.timeout(timeout)
    try {
      const response = await request(req.url, {
        method: req.method ?? 'GET',
        headers: {'user-agent': 'doctorkit', connection: 'close', ...req.headers},
        body: req.body,
        dispatcher: agent,
        signal,
      })
      const max = req.maxBytes ?? 64 * 1024
      const chunks: Buffer[] = []
      let size = 0
      let truncated = false
      for await (const chunk of response.body) {
        const buf = chunk as Buffer
        if (size < max) chunks.push(buf.subarray(0, max - size))
        size += buf.length
        if (size > max) truncated = true
      }
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
      }
      return {ok: true, status: response.statusCode, headers, body: Buffer.concat(chunks).toString('utf8'), truncated, durationMs: elapsed(), receivedAtMs: Date.now()}
    } catch (error) {
      return {ok: false, ...classify(error, timeout), durationMs: elapsed()}
    } finally {
      agent.destroy().catch(() => undefined)
    }
  }
}

function classify(error: unknown, timeout: number): {error: HttpErrorKind; message: string} {
  const err = error as {code?: string; name?: string; message?: string; cause?: {code?: string}}
  const code = err.code ?? err.cause?.code ?? ''
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || /TIMEOUT/.test(code)) {
    return {error: 'timeout', message: `no answer within ${timeout} ms`}
  }
  if (code === 'ECONNREFUSED' || code === 'ENOENT') return {error: 'refused', message: `connection refused (${code})`}
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return {error: 'reset', message: `connection closed without an answer (${code})`}
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return {error: 'unreachable', message: `${code}`}
  }
  if (/^HPE_|UND_ERR_INVALID|UND_ERR_RES/.test(code)) return {error: 'protocol', message: `not a valid HTTP answer (${code})`}
  return {error: 'other', message: err.message ?? String(error)}
}
