import {skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import type {Finding} from '../../../types.js'
import {isTable, loadConfig} from '../config.js'
import {hasSocket, infoPath} from '../generations.js'
import {loadRunwispState, ourDaemon, runwispFacts} from '../state.js'

/**
 * RunWisp's half beside the generic clock-skew (checks/clock-skew.ts): cron runs in the zone the
 * daemon took from its environment, which may not be the host's (runwisp-facts §4).
 */
export const runwispTimezone: TargetCheck = withDocumentedPlans({
  symptoms: ['runwisp/timezone-mismatch'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    const facts = await runwispFacts(ctx)
    const sock = await ctx.files.lstat(state.socket.path)
    const useSocket = sock.ok && sock.stat.isSocket() && hasSocket(facts) !== 'no'
    const tz = await timezoneFinding(ctx, useSocket ? state.socket.path : null)
    return tz ? [tz] : skip("the daemon schedules in the host's timezone, or in one its config sets")
  },
})

/** The host's zone: TZ, else the /etc/localtime link, else /etc/timezone. */
async function hostTimezone(ctx: CheckContext): Promise<string | null> {
  if (ctx.env.TZ) return ctx.env.TZ.replace(/^:/, '')
  const link = await ctx.files.readlink('/etc/localtime')
  if (link.ok) {
    const m = /zoneinfo\/(.+)$/.exec(link.target)
    if (m) return m[1]!
  }
  const file = await ctx.files.read('/etc/timezone', 1024)
  return file.ok ? file.text.trim() || null : null
}

const normalize = (tz: string) => (/^(Etc\/)?(UTC|UCT|Universal|Zulu|GMT|GMT0|Etc\/GMT)$/i.test(tz) ? 'UTC' : tz)

/**
 * runwisp-facts §4: cron runs in task timezone > [daemon]/[scheduler] timezone > the system zone the
 * daemon sees > UTC. Only a zone the daemon took from its *environment* can surprise: an explicit one
 * in the config is intended. Asked over the socket (trusted, no login) or read from the daemon's env.
 */
async function timezoneFinding(ctx: CheckContext, socketPath: string | null): Promise<Finding | null> {
  const config = await loadConfig(ctx)
  if (config.kind === 'ok') {
    const d = config.data
    if ((isTable(d.daemon) && d.daemon.timezone) || (isTable(d.scheduler) && d.scheduler.timezone)) return null
  }
  const host = await hostTimezone(ctx)
  if (!host) return null
  let daemonTz: string | null = null
  let source = ''
  if (socketPath) {
    const facts = await runwispFacts(ctx)
    const r = await ctx.http.get(`http://runwisp${infoPath(facts)}`, {
      socketPath,
      maxBytes: 64 * 1024,
      headers: {accept: 'application/json'},
    })
    if (r.ok && r.status === 200) {
      try {
        const info = JSON.parse(r.body) as Record<string, unknown>
        const tz = info.resolvedTimezone ?? info.resolved_timezone
        const from = info.timezoneSource ?? info.timezone_source
        if (typeof tz === 'string' && from !== 'config') {
          daemonTz = tz
          source = `the daemon reports it, source "${String(from ?? 'system')}"`
        }
      } catch {
        // not JSON: fall back to the environment below
      }
    }
  }
  if (!daemonTz) {
    const daemon = await ourDaemon(ctx)
    const env = daemon ? await ctx.processes.environ(daemon.pid) : null
    if (env?.TZ) {
      daemonTz = env.TZ.replace(/^:/, '')
      source = `TZ=${env.TZ} in the daemon's environment`
    }
  }
  if (!daemonTz || normalize(daemonTz) === normalize(host)) return null
  return finding('runwisp/timezone-mismatch', {
    vars: {daemonTz, source, hostTz: host},
    evidence: {daemonTimezone: daemonTz, daemonTimezoneSource: source, hostTimezone: host},
  })
}
