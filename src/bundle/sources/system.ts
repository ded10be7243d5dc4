/**
 * The machine around the products: environment facts (OS, kernel, Node, CPU, memory, timezone),
 * the relevant processes with their command lines, and what listens where. Raw values here; the
 * collector redacts them like every other file.
 */
import {existsSync, readFileSync} from 'node:fs'
import {arch, cpus, freemem, hostname, loadavg, platform, release, totalmem, type, uptime, version as osVersion} from 'node:os'
import {basename} from 'node:path'
import type {CheckContext} from '../../context.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {JsonValue} from '../../types.js'
import {toolVersion} from '../../version.js'
import {userName} from '../describe.js'
import {isSecretEnvName} from '../redact/names.js'

/** Variables that shape how the products resolve their paths, ports and auth. */
const RELEVANT_ENV =
  /^(?:EXECUTOR_|RUNWISP_|XDG_|NODE_|LC_|BUN_)|^(?:HOME|USER|SHELL|LANG|TZ|PATH|CI|TERM|NO_COLOR|FORCE_COLOR|HTTP_PROXY|HTTPS_PROXY|NO_PROXY|http_proxy|https_proxy|no_proxy)$/

/** Secret-looking variables are shown as set, never with their value (Homebrew's `brew config` does the same). */
export function relevantEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of Object.keys(env).sort()) {
    const value = env[name]
    if (value === undefined || !RELEVANT_ENV.test(name)) continue
    out[name] = isSecretEnvName(name) ? '<set; value not shown>' : value
  }
  return out
}

function distro(): string | null {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null
  } catch {
    return null
  }
}

export function environmentFacts(ctx: CheckContext): Record<string, JsonValue> {
  const cpuList = cpus()
  const uid = process.getuid?.() ?? null
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  return {
    doctorkit: toolVersion(),
    // Shown pseudonymised: enough to match it with the logs, not to identify the machine.
    hostname: hostname(),
    os: {
      platform: platform(),
      type: type(),
      arch: arch(),
      kernel: release(),
      kernelBuild: osVersion(),
      distro: distro(),
      wsl: /microsoft/i.test(release()),
      container: existsSync('/.dockerenv') || existsSync('/run/.containerenv'),
      uptimeSeconds: Math.round(uptime()),
    },
    node: {version: process.version, v8: process.versions.v8, openssl: process.versions.openssl ?? null},
    cpu: {model: cpuList[0]?.model.trim() ?? null, count: cpuList.length, loadAverage: loadavg().map((n) => Math.round(n * 100) / 100)},
    memory: {totalBytes: totalmem(), freeBytes: freemem()},
    timezone: {name: zone, utcOffsetMinutes: -new Date().getTimezoneOffset(), env: ctx.env.TZ ?? null},
    user: {uid, gid: process.getgid?.() ?? null, name: uid === null ? null : userName(uid), root: uid === 0},
    cwd: ctx.cwd,
    environment: relevantEnvironment(ctx.env),
  }
}

/** Executor's and RunWisp's default ports (executor-facts §3.1, runwisp-facts §2.1; 8080 before RunWisp 0.4). */
export const PRODUCT_PORTS = [4788, 4789, 9477, 8080]

const PRODUCT_NAME = /^(?:executor|runwisp)(?:\.exe)?$/
/** Executor run from a dev checkout (executor-facts §5, `isDevCliEntrypoint`). */
const DEV_ENTRYPOINT = /apps\/cli\/(?:src\/main|bin\/executor)\.[tj]s$/

function whyRelevant(proc: ProcessInfo): string | null {
  if (PRODUCT_NAME.test(proc.comm)) return `process name ${proc.comm}`
  if (proc.exe && PRODUCT_NAME.test(basename(proc.exe))) return `executable ${basename(proc.exe)}`
  const arg = proc.argv.find(
    (a, i) => (i === 0 && PRODUCT_NAME.test(basename(a))) || (i > 0 && (DEV_ENTRYPOINT.test(a) || /\/(?:executor|runwisp)$/.test(a))),
  )
  return arg ? `runs ${basename(arg)}` : null
}

export interface PortListing {
  protocol: string
  address: string
  port: number
  uid: number | null
  pid: number | null
  process: string | null
}

/** Every listening TCP socket (and the products' unix sockets), with its owner where visible. */
export async function listeningPorts(ctx: CheckContext): Promise<PortListing[]> {
  const out: PortListing[] = []
  for (const listener of await ctx.sockets.listeners()) {
    if (listener.protocol === 'unix' && !/executor|runwisp/i.test(listener.address)) continue
    const owner = await ctx.sockets.owner(listener)
    let name: string | null = null
    if (owner.pid !== null) {
      const lookup = await ctx.processes.get(owner.pid)
      if (lookup.alive === true) name = lookup.info.comm
    }
    out.push({
      protocol: listener.protocol,
      address: listener.address,
      port: listener.port,
      uid: listener.uid,
      pid: owner.pid,
      process: name,
    })
  }
  return out.sort((a, b) => a.port - b.port || a.address.localeCompare(b.address))
}

/** Executor and RunWisp processes, and whatever listens on their ports (a squatter is relevant too). */
export async function relevantProcesses(ctx: CheckContext, ports: PortListing[], extraPorts: number[] = []): Promise<JsonValue[]> {
  const watched = new Set([...PRODUCT_PORTS, ...extraPorts])
  const portsByPid = new Map<number, number[]>()
  for (const p of ports) if (p.pid !== null && p.protocol !== 'unix') portsByPid.set(p.pid, [...(portsByPid.get(p.pid) ?? []), p.port])
  const out: JsonValue[] = []
  for (const proc of await ctx.processes.list()) {
    if (proc.pid === process.pid) continue
    const listens = [...new Set(portsByPid.get(proc.pid) ?? [])].sort((a, b) => a - b)
    const why =
      whyRelevant(proc) ?? (listens.some((p) => watched.has(p)) ? `listens on ${listens.filter((p) => watched.has(p)).join(', ')}` : null)
    if (!why) continue
    out.push({
      pid: proc.pid,
      ppid: proc.ppid,
      uid: proc.uid,
      user: proc.uid === null ? null : userName(proc.uid),
      comm: proc.comm,
      state: proc.state,
      startedAt: Number.isFinite(proc.startedAtMs) ? new Date(proc.startedAtMs).toISOString() : null,
      exe: proc.exe,
      cwd: await ctx.processes.cwd(proc.pid),
      cmdline: proc.cmdline,
      listens,
      why,
    })
  }
  return out
}
