/**
 * RunWisp's unauthenticated identity endpoint (runwisp-facts §2.4): `GET /api/daemon/identity`
 * (0.16+) or `/api/instance` (0.11–0.15), answered only from loopback, with the daemon's app name,
 * version, pid, data dir, config and socket. Nothing here logs in.
 */
import type {CheckContext} from '../../context.js'
import type {Listener} from '../../probes/sockets.js'
import {parseIdentity, type RunwispIdentity} from './formats.js'
import {identityPaths} from './generations.js'

export type IdentityAnswer =
  | {kind: 'runwisp'; identity: RunwispIdentity; path: string; url: string}
  | {kind: 'local-only'; path: string; url: string}
  | {kind: 'none'; tried: Array<{url: string; result: string}>}

/** Loopback for wildcard binds; the identity endpoint answers only locally (runwisp-facts §2.4). */
export function probeHost(listener: Listener): string {
  const a = listener.address
  if (a === '0.0.0.0' || a === '127.0.0.1' || a.startsWith('127.')) return '127.0.0.1'
  if (a === '::' || a === '::1') return '[::1]'
  if (a.startsWith('::ffff:')) return a.slice(7)
  return listener.protocol === 'tcp6' ? `[${a}]` : a
}

/** `GET /api/daemon/identity` (0.16+) then `/api/instance` (0.11–0.15): unauthenticated, loopback only. */
export function probeIdentity(ctx: CheckContext, host: string, port: number): Promise<IdentityAnswer> {
  return ctx.memo(`runwisp:identity:${host}:${port}`, async () => {
    const tried: Array<{url: string; result: string}> = []
    for (const path of identityPaths({generation: null, version: null})) {
      const url = `http://${host}:${port}${path}`
      const r = await ctx.http.get(url, {maxBytes: 16 * 1024, headers: {accept: 'application/json'}})
      if (!r.ok) {
        tried.push({url, result: r.message})
        if (r.error === 'timeout' || r.error === 'refused') break
        continue
      }
      if (r.status === 403 && r.body.includes('instance endpoint is only available locally')) return {kind: 'local-only', path, url}
      const parsed = r.status === 200 ? parseIdentity(r.body) : null
      if (parsed?.ok && parsed.value.app === 'runwisp') return {kind: 'runwisp', identity: parsed.value, path, url}
      tried.push({url, result: `${r.status}${parsed && !parsed.ok ? ` (${parsed.reason})` : ''}`})
    }
    return {kind: 'none', tried}
  })
}
