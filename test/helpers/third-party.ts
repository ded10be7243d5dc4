/**
 * Real third-party daemons as fixtures for declared targets (issue 14 › Tests): nginx (HTTP) and
 * redis-server (a line protocol: PING/PONG, and `-NOAUTH` when a password is required). Each runs
 * from its Debian package's binary on a free loopback port, in a temp dir of its own with its own
 * config, pid file, data dir, log file and secret file, and is stopped by the test. Nothing here
 * touches the packages' system-wide files (/etc/nginx, /var/log/redis, the default ports).
 *
 * Layout of a home (the same for both daemons, so a test can build any state by path):
 *   conf/<daemon>.conf   the daemon's own config (non-secret)
 *   secrets/<file>       the secret the config reads (redis: requirepass; nginx: htpasswd), 0600
 *   run/<daemon>.pid     written by the daemon itself
 *   data/                the daemon's data dir (redis `dir`; nginx temp paths), 0700
 *   log/<daemon>.log     written by the daemon itself
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import type {TargetProfile} from '../../src/targets/profile.js'
import {toTargetId} from '../../src/types.js'
import type {Tool} from './tools.js'
import {freePort} from './ports.js'

export const NGINX: Tool = {command: 'nginx', install: 'apt-get install -y nginx-light'}
export const REDIS: Tool = {command: 'redis-server', install: 'apt-get install -y redis-server'}

export type DaemonKind = 'nginx' | 'redis'

export interface DaemonHome {
  kind: DaemonKind
  dir: string
  port: number
  config: string
  /** The secret file the daemon's config reads. */
  secret: string
  /** The secret value inside it (the redis password; the htpasswd password). */
  secretValue: string
  pidFile: string
  dataDir: string
  log: string
  /** uid the daemon runs as (0 or nobody's 65534). */
  uid: number
  /** The declaration of this daemon for doctor.config.json `targets` (issue 14 §2). */
  declaration(id?: string): Record<string, unknown>
}

export interface RunningDaemon {
  child: ChildProcess
  pid: number
  /** SIGKILL: the pid file stays behind naming a dead pid. */
  kill(): Promise<void>
  /** The daemon's own clean shutdown (SIGTERM / SIGQUIT). */
  stop(): Promise<void>
}

const NOBODY = 65534

/** Writes a home for `kind` under `dir` (which must be empty). `asNobody` chowns it to nobody. */
export async function daemonHome(kind: DaemonKind, dir: string, options: {asNobody?: boolean; port?: number} = {}): Promise<DaemonHome> {
  const port = options.port ?? (await freePort())
  for (const sub of ['conf', 'secrets', 'run', 'data', 'log']) mkdirSync(join(dir, sub), {recursive: true})
  chmodSync(join(dir, 'data'), 0o700)
  chmodSync(join(dir, 'secrets'), 0o700)
  const secretValue = `pw-${randomBytes(12).toString('hex')}`
  const home = kind === 'nginx' ? nginxFiles(dir, port, secretValue) : redisFiles(dir, port, secretValue)
  chmodSync(home.secret, 0o600)
  const uid = options.asNobody ? NOBODY : 0
  if (options.asNobody) chownTree(dir, NOBODY)
  return {...home, kind, dir, port, secretValue, uid}
}

function nginxFiles(dir: string, port: number, secretValue: string) {
  const config = join(dir, 'conf/nginx.conf')
  const secret = join(dir, 'secrets/htpasswd')
  const pidFile = join(dir, 'run/nginx.pid')
  const dataDir = join(dir, 'data')
  const log = join(dir, 'log/nginx.log')
  // master_process off: one process, so SIGKILL leaves no worker holding the port behind it.
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dataDir}/${t};`).join('\n')
  writeFileSync(
    config,
    `daemon off;
master_process off;
worker_processes 1;
pid ${pidFile};
error_log ${log} info;
events { worker_connections 64; }
http {
  access_log ${join(dir, 'log/access.log')};
${temp}
  server {
    listen 127.0.0.1:${port};
    location = /health { default_type text/plain; return 200 "ok"; }
    location /private/ { auth_basic "private"; auth_basic_user_file ${secret}; }
  }
}
`,
  )
  writeFileSync(secret, `admin:{PLAIN}${secretValue}\n`)
  const declaration = (id = 'web') => ({
    id,
    name: 'nginx under test',
    process: {names: ['nginx'], executables: ['/usr/sbin/nginx']},
    ports: [port],
    health: {port, http: {path: '/health', status: 200, body: '^ok$'}},
    pidFile,
    dataDir: {path: dataDir, mode: '0700'},
    secrets: [{path: secret, mode: '0600', values: ['^[^:#\\s]+:(?:\\{PLAIN\\})?(\\S+)$']}],
    configs: [config],
    logs: [log],
    symptoms: [
      {
        id: `${id}/port-in-use`,
        title: 'nginx cannot bind its port',
        patterns: ['bind\\(\\) to \\S+ failed \\(98: Address already in use\\)'],
        cause: 'Another process holds the address nginx listens on.',
        fix: {summary: 'Stop the other process or change the listen directive.', commands: [`ss -ltnp 'sport = :${port}'`]},
      },
    ],
  })
  return {config, secret, pidFile, dataDir, log, declaration}
}

function redisFiles(dir: string, port: number, secretValue: string) {
  const config = join(dir, 'conf/redis.conf')
  const secret = join(dir, 'secrets/auth.conf')
  const pidFile = join(dir, 'run/redis.pid')
  const dataDir = join(dir, 'data')
  const log = join(dir, 'log/redis.log')
  writeFileSync(
    config,
    `bind 127.0.0.1
port ${port}
daemonize no
pidfile ${pidFile}
logfile ${log}
dir ${dataDir}
save ""
appendonly no
include ${secret}
`,
  )
  writeFileSync(secret, `requirepass ${secretValue}\n`)
  const declaration = (id = 'kv') => ({
    id,
    name: 'redis under test',
    process: {names: ['redis-server'], executables: ['/usr/bin/redis-server']},
    ports: [port],
    // Without AUTH a password-protected redis answers -NOAUTH: still alive, still itself.
    health: {port, tcp: {send: 'PING\r\n', expect: '^\\+PONG', aliveToo: ['^-NOAUTH']}},
    pidFile,
    dataDir: {path: dataDir, mode: '0700'},
    secrets: [{path: secret, mode: '0600', values: ['^requirepass\\s+(\\S+)']}],
    configs: [config],
    logs: [log],
    symptoms: [
      {
        id: `${id}/port-in-use`,
        title: 'redis cannot bind its port',
        patterns: ['Could not create server TCP listening socket \\S+: bind: Address already in use'],
        cause: 'Another process holds the address redis listens on.',
        fix: {summary: 'Stop the other process or change `port` in redis.conf.', commands: [`ss -ltnp 'sport = :${port}'`]},
      },
    ],
  })
  return {config, secret, pidFile, dataDir, log, declaration}
}

function chownTree(dir: string, uid: number): void {
  const walk = (path: string) => {
    chownSync(path, uid, uid)
    const out = spawnSync('find', [path, '-mindepth', '1', '-maxdepth', '1'], {encoding: 'utf8'})
    for (const child of out.stdout.split('\n').filter(Boolean)) walk(child)
  }
  walk(dir)
}

function commandFor(home: DaemonHome): string[] {
  return home.kind === 'nginx' ? ['nginx', '-p', home.dir, '-c', home.config, '-e', home.log] : ['redis-server', home.config]
}

function spawnDaemon(home: DaemonHome, extra: string[] = []): ChildProcess {
  const [command, ...args] = commandFor(home)
  return spawn(command!, [...args, ...extra], {
    cwd: home.dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(home.uid !== 0 ? {uid: home.uid, gid: home.uid} : {}),
    env: {PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'},
  })
}

const started = new Set<RunningDaemon>()

/** Starts the daemon and waits (bounded) until its pid file names it and its port accepts. */
export function startDaemon(home: DaemonHome): Promise<RunningDaemon> {
  return launch(home, [], home.port, home.pidFile)
}

/**
 * A second redis on the same config (so the same `dir`: the same data dir), on a free port and a
 * pid file of its own; resolves once it is ready. `stopDaemons` kills it with the others.
 */
export async function startBeside(home: DaemonHome): Promise<RunningDaemon> {
  if (home.kind !== 'redis') throw new Error('startBeside starts redis only: nginx takes its ports from its config')
  const port = await freePort()
  const pidFile = join(home.dir, 'run/beside.pid')
  return launch(home, ['--port', String(port), '--pidfile', pidFile], port, pidFile)
}

async function launch(home: DaemonHome, extra: string[], port: number, pidFile: string): Promise<RunningDaemon> {
  const child = spawnDaemon(home, extra)
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${home.kind} exited before it was ready: ${stderr}${logTail(home)}`)
    if (readPidFile(pidFile) === child.pid && (await accepts(port))) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${home.kind} did not become ready on port ${port} in 10 s: ${stderr}${logTail(home)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const signalAndWait = async (signal: NodeJS.Signals) => {
    started.delete(daemon)
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  const daemon: RunningDaemon = {
    child,
    pid: child.pid!,
    kill: () => signalAndWait('SIGKILL'),
    stop: () => signalAndWait(home.kind === 'nginx' ? 'SIGQUIT' : 'SIGTERM'),
  }
  started.add(daemon)
  return daemon
}

/**
 * Starts a second instance of the daemon with the same config while the port is taken: the
 * daemon itself writes its real bind failure to its own log and exits. Resolves with its exit code.
 */
export async function startSecondInstance(home: DaemonHome): Promise<number | null> {
  // redis: a pid file of its own, so the first instance's stays as it was (nginx writes its pid
  // file only after binding, so the same config is harmless).
  const child = spawnDaemon(home, home.kind === 'redis' ? ['--pidfile', join(home.dir, 'run/second.pid')] : [])
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  clearTimeout(timer)
  return code
}

/** Kills every daemon a test started and did not stop; call from `afterEach`. */
export async function stopDaemons(): Promise<void> {
  await Promise.all([...started].map((d) => d.kill()))
}

export function readPid(home: DaemonHome): number | null {
  return readPidFile(home.pidFile)
}

function readPidFile(path: string): number | null {
  if (!existsSync(path)) return null
  const pid = Number(readFileSync(path, 'utf8').trim())
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null
}

function logTail(home: DaemonHome): string {
  return existsSync(home.log) ? `\n${home.log}:\n${readFileSync(home.log, 'utf8').split('\n').slice(-10).join('\n')}` : ''
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port})
    socket.setTimeout(500)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** One request/answer over a fresh TCP connection (the first line of the answer), bounded. */
export function exchange(port: number, send: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port})
    let buffer = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer on port ${port} in ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => socket.write(send))
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const nl = buffer.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        socket.destroy()
        resolve(buffer.slice(0, nl).replace(/\r$/, ''))
      }
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/**
 * The same declaration as a validated profile, built directly (for in-process engine tests that
 * should not depend on the config parser; the end-to-end tests go through doctor.config.json).
 */
export function profileOf(home: DaemonHome, id?: string): TargetProfile {
  const d = home.declaration(id) as {
    id: string
    name: string
    process: {names: string[]; executables: string[]}
    ports: number[]
    health: {port: number; http?: {path: string; status: number; body: string}; tcp?: {send: string; expect: string; aliveToo: string[]}}
    pidFile: string
    dataDir: {path: string; mode: string}
    secrets: Array<{path: string; mode: string; values: string[]}>
    configs: string[]
    logs: string[]
    symptoms: Array<{id: string; title: string; patterns: string[]; cause: string; fix: {summary: string; commands: string[]}}>
  }
  const health: TargetProfile['health'] = d.health.http
    ? {kind: 'http', port: d.health.port, path: d.health.http.path, status: d.health.http.status, body: new RegExp(d.health.http.body)}
    : {
        kind: 'tcp',
        port: d.health.port,
        send: d.health.tcp!.send,
        expect: new RegExp(d.health.tcp!.expect),
        aliveToo: d.health.tcp!.aliveToo.map((r) => new RegExp(r)),
      }
  return {
    id: toTargetId(d.id),
    name: d.name,
    process: d.process,
    ports: d.ports,
    health,
    pidFile: {path: d.pidFile},
    dataDir: {path: d.dataDir.path, mode: parseInt(d.dataDir.mode, 8)},
    secrets: d.secrets.map((s) => ({path: s.path, mode: parseInt(s.mode, 8), values: s.values.map((v) => new RegExp(v, 'm'))})),
    env: [],
    configs: d.configs,
    logs: d.logs,
    symptoms: d.symptoms.map((s) => ({...s, severity: 'fail' as const, patterns: s.patterns.map((p) => new RegExp(p))})),
    source: {configPath: join(home.dir, 'doctor.config.json')},
  }
}
