import {skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {hasSocket, infoPath} from '../generations.js'
import {isTable} from '../config.js'
import {chosenPort, loadRunwispState, ourDaemon, probeHealth, runwispFacts, type HealthAnswer} from '../state.js'
import {loadConfig} from '../config.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * Thresholds. The Date header is truncated to the second and the probe takes up to its timeout,
 * so within 5 s is noise. Cron has minute resolution: past 60 s a task fires in the wrong minute.
 * (Client skew never explains "Invalid or expired challenge": runwisp-facts §4.)
 */
export const WARN_SKEW_S = 5
export const FAIL_SKEW_S = 60

export const runwispClockSkew: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/clock-skew', 'runwisp/timezone-mismatch'],
    async detect(ctx, _target) {
      const state = await loadRunwispState(ctx)
      const facts = await runwispFacts(ctx)
      const sock = await ctx.files.lstat(state.socket.path)
      const useSocket = sock.ok && sock.stat.isSocket() && hasSocket(facts) !== 'no'
      const answer: HealthAnswer = useSocket
        ? await probeHealth(ctx, {socketPath: state.socket.path})
        : await probeHealth(ctx, {host: '127.0.0.1', port: (await chosenPort(ctx, facts)).port})
      if (answer.kind !== 'healthy') return skip('the daemon did not answer its health check, so there is no Date header to compare')
      const findings: Finding[] = []
      const date = answer.response.headers.date
      const serverMs = date ? Date.parse(date) : NaN
      if (!Number.isNaN(serverMs)) {
        const localMs = Math.floor(answer.response.receivedAtMs / 1000) * 1000
        const skewS = Math.round((localMs - serverMs) / 1000)
        const abs = Math.abs(skewS)
        if (abs > WARN_SKEW_S) {
          findings.push(
            finding('runwisp/clock-skew', {
              vars: {skewS: abs, direction: skewS > 0 ? 'behind' : 'ahead of', dateHeader: date!},
              severity: abs > FAIL_SKEW_S ? 'fail' : 'warn',
              evidence: {
                dateHeader: date!,
                localTime: new Date(answer.response.receivedAtMs).toISOString(),
                skewSeconds: skewS,
                via: answer.via,
                warnAboveS: WARN_SKEW_S,
                failAboveS: FAIL_SKEW_S,
              },
            }),
          )
        }
      }
      const tz = await timezoneFinding(ctx, useSocket ? state.socket.path : null)
      if (tz) findings.push(tz)
      if (findings.length === 0 && Number.isNaN(serverMs))
        return skip(`the daemon's answer has no usable Date header (${date ?? 'absent'})`)
      return findings
    },
  }),
)

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
