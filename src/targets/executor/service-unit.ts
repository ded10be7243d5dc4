/**
 * Executor's OS service definition (executor-facts §8): the systemd user unit on Linux, the
 * launchd plist on macOS, read and parsed without asking systemctl/launchctl (checks only read).
 */
import {join} from 'node:path'
import type {CheckContext} from '../../context.js'
import {SERVICE_PORT} from './paths.js'

export const SERVICE_LABEL = 'sh.executor.daemon'

export interface ServiceDefinition {
  manager: 'systemd --user' | 'launchd'
  path: string
  /** argv the service runs: [execPath, "daemon", "run", "--foreground", "--port", N, …]. */
  program: string[]
  env: Record<string, string>
  port: number
  stdoutLog: string | null
  stderrLog: string | null
}

export function serviceUnitPath(ctx: CheckContext): {manager: ServiceDefinition['manager']; path: string} | null {
  if (ctx.platform === 'linux')
    return {manager: 'systemd --user', path: join(ctx.home, '.config', 'systemd', 'user', `${SERVICE_LABEL}.service`)}
  if (ctx.platform === 'darwin') return {manager: 'launchd', path: join(ctx.home, 'Library', 'LaunchAgents', `${SERVICE_LABEL}.plist`)}
  return null
}

/** systemd's word splitting for ExecStart= and Environment=: quotes, backslash escapes. */
export function systemdWords(value: string): string[] {
  const words: string[] = []
  let current = ''
  let quote: '"' | "'" | null = null
  let inWord = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    if (quote) {
      if (c === quote) quote = null
      else if (c === '\\' && i + 1 < value.length) current += escape(value[++i]!)
      else current += c
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < value.length) {
      current += escape(value[++i]!)
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += c
      inWord = true
    }
  }
  if (inWord) words.push(current)
  return words
}

const escape = (c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)

function portOf(program: string[]): number {
  const at = program.indexOf('--port')
  const value = at >= 0 ? Number(program[at + 1]) : NaN
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : SERVICE_PORT
}

export function parseSystemdUnit(path: string, text: string): {ok: true; value: ServiceDefinition} | {ok: false; reason: string} {
  let program: string[] | null = null
  const env: Record<string, string> = {}
  let stdoutLog: string | null = null
  let stderrLog: string | null = null
  // Continuation lines end with a backslash.
  for (const line of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(.*)$/.exec(line)
    if (!match) continue
    const [, key, value] = match as unknown as [string, string, string]
    if (key === 'ExecStart') program = systemdWords(value.replace(/^[-@:+!]+/, ''))
    else if (key === 'Environment') {
      for (const word of systemdWords(value)) {
        const eq = word.indexOf('=')
        if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1)
      }
    } else if (key === 'StandardOutput' && value.startsWith('append:')) stdoutLog = value.slice(7)
    else if (key === 'StandardError' && value.startsWith('append:')) stderrLog = value.slice(7)
  }
  if (!program || program.length === 0) return {ok: false, reason: 'it has no ExecStart= line'}
  return {ok: true, value: {manager: 'systemd --user', path, program, env, port: portOf(program), stdoutLog, stderrLog}}
}

const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')

/** The plist keys the service writes: ProgramArguments, EnvironmentVariables, StandardOutPath, StandardErrorPath. */
export function parseLaunchdPlist(path: string, text: string): {ok: true; value: ServiceDefinition} | {ok: false; reason: string} {
  const args = /<key>\s*ProgramArguments\s*<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text)
  if (!args) return {ok: false, reason: 'it has no ProgramArguments array'}
  const program = [...args[1]!.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => xmlText(m[1]!))
  if (program.length === 0) return {ok: false, reason: 'ProgramArguments is empty'}
  const env: Record<string, string> = {}
  const dict = /<key>\s*EnvironmentVariables\s*<\/key>\s*<dict>([\s\S]*?)<\/dict>/.exec(text)
  if (dict)
    for (const m of dict[1]!.matchAll(/<key>([\s\S]*?)<\/key>\s*<string>([\s\S]*?)<\/string>/g)) env[xmlText(m[1]!)] = xmlText(m[2]!)
  const str = (key: string) => {
    const m = new RegExp(`<key>\\s*${key}\\s*</key>\\s*<string>([\\s\\S]*?)</string>`).exec(text)
    return m ? xmlText(m[1]!) : null
  }
  return {
    ok: true,
    value: {
      manager: 'launchd',
      path,
      program,
      env,
      port: portOf(program),
      stdoutLog: str('StandardOutPath'),
      stderrLog: str('StandardErrorPath'),
    },
  }
}

export type Linger = {state: 'on' | 'off'; file: string} | {state: 'unknown'; reason: string}

/**
 * `loginctl enable-linger` creates /var/lib/systemd/linger/<user>; that file is what logind reads.
 * Without systemd as init (no /run/systemd/system), lingering does not apply.
 */
export async function lingerState(ctx: CheckContext, user: string, systemRoot = '/'): Promise<Linger> {
  const booted = await ctx.files.stat(join(systemRoot, 'run', 'systemd', 'system'))
  if (!booted.ok) return {state: 'unknown', reason: 'systemd is not running as init here'}
  const file = join(systemRoot, 'var', 'lib', 'systemd', 'linger', user)
  const stat = await ctx.files.stat(file)
  if (stat.ok) return {state: 'on', file}
  if (stat.code === 'ENOENT' || stat.code === 'ENOTDIR') return {state: 'off', file}
  return {state: 'unknown', reason: `cannot stat ${file} (${stat.code})`}
}

/** The login name for a uid: $USER/$LOGNAME when they agree with it, else /etc/passwd. */
export async function userName(ctx: CheckContext, passwd = '/etc/passwd'): Promise<string | null> {
  const read = await ctx.files.read(passwd, 4 * 1024 * 1024)
  if (read.ok && ctx.uid !== null) {
    const line = read.text.split('\n').find((l) => l.split(':')[2] === String(ctx.uid))
    if (line) return line.split(':')[0]!
  }
  return ctx.env.USER ?? ctx.env.LOGNAME ?? null
}
