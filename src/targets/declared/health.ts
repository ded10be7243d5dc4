/**
 * The declared health probe (issue 14 §2 `health`): HTTP (path, status, body regex), TCP with a
 * send/expect exchange (a PING/PONG; some answers such as redis's `-NOAUTH` still mean alive), or
 * TCP connect only. Always bounded by the probe timeout; taken once per run, since clock-skew reads
 * the same HTTP answer's Date header.
 */
import type {CheckContext} from '../../context.js'
import {excerpt} from '../../text.js'
import type {Evidence} from '../../types.js'
import type {HealthProbe, TargetFacts} from '../profile.js'

export type HealthAnswer =
  | {kind: 'healthy'; evidence: Evidence; date?: string; receivedAtMs: number}
  | {kind: 'wrong'; answer: string; expected: string; evidence: Evidence}
  | {kind: 'hung'; timeoutMs: number; evidence: Evidence}
  | {kind: 'refused'; error: string; evidence: Evidence}

const hostPart = (host: string) => (host.includes(':') ? `[${host}]` : host)

/** What a user runs to see the same answer. */
export function probeCommand(health: HealthProbe, host: string): string {
  if (health.kind === 'http') return `curl -sS -i --max-time 5 http://${hostPart(host)}:${health.port}${health.path}`
  if (health.send === undefined) return `nc -vz -w 2 ${host} ${health.port}`
  const printable = health.send.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/'/g, "'\\''")
  return `printf '${printable}' | nc -w 2 ${host} ${health.port}`
}

export function probeHealth(ctx: CheckContext, profile: TargetFacts, health: HealthProbe, host: string): Promise<HealthAnswer> {
  return ctx.memo(`declared:${profile.id}:health:${host}`, async () => {
    const timeoutMs = health.timeoutMs ?? ctx.options.httpTimeoutMs
    if (health.kind === 'http') {
      const url = `http://${hostPart(host)}:${health.port}${health.path}`
      const res = await ctx.http.get(url, {timeoutMs, maxBytes: 64 * 1024})
      if (!res.ok) {
        const evidence = {url, error: res.error, message: res.message, durationMs: res.durationMs}
        if (res.error === 'timeout') return {kind: 'hung', timeoutMs, evidence}
        if (res.error === 'refused') return {kind: 'refused', error: res.message, evidence}
        return {kind: 'wrong', answer: `${res.error}: ${res.message}`, expected: `HTTP ${health.status}`, evidence}
      }
      const body = excerpt(res.body, 120)
      const evidence: Evidence = {url, status: res.status, body, durationMs: res.durationMs}
      if (res.status !== health.status)
        return {kind: 'wrong', answer: `HTTP ${res.status} (${body || 'empty body'})`, expected: `HTTP ${health.status}`, evidence}
      if (health.body && !health.body.test(res.body))
        return {
          kind: 'wrong',
          answer: `a body that does not match ${health.body} (${body || 'empty'})`,
          expected: `HTTP ${health.status}, body ${health.body}`,
          evidence,
        }
      return {kind: 'healthy', evidence, ...(res.headers.date ? {date: res.headers.date} : {}), receivedAtMs: res.receivedAtMs}
    }
    const exchange = await ctx.tcp.exchange({
      host,
      port: health.port,
      ...(health.send !== undefined ? {send: health.send} : {}),
      read: health.expect !== undefined,
      timeoutMs,
    })
    const sent = health.send === undefined ? null : excerpt(health.send, 60)
    if (!exchange.ok) {
      const evidence = {host, port: health.port, sent, error: exchange.error, message: exchange.message, durationMs: exchange.durationMs}
      if (exchange.error === 'timeout' && exchange.connected) return {kind: 'hung', timeoutMs, evidence}
      if (exchange.error === 'refused') return {kind: 'refused', error: exchange.message, evidence}
      return {
        kind: 'wrong',
        answer: exchange.message,
        expected: health.expect ? `a line matching ${health.expect}` : 'a connection',
        evidence,
      }
    }
    const line = exchange.line === null ? null : excerpt(exchange.line, 120)
    const evidence: Evidence = {host, port: health.port, sent, answer: line, durationMs: exchange.durationMs}
    if (!health.expect || exchange.line === null) return {kind: 'healthy', evidence, receivedAtMs: ctx.now()}
    if (health.expect.test(exchange.line)) return {kind: 'healthy', evidence, receivedAtMs: ctx.now()}
    const alive = health.aliveToo?.find((r) => r.test(exchange.line!))
    if (alive) return {kind: 'healthy', evidence: {...evidence, aliveBecause: `the answer matches ${alive}`}, receivedAtMs: ctx.now()}
    return {kind: 'wrong', answer: JSON.stringify(line), expected: `a line matching ${health.expect}`, evidence}
  })
}
