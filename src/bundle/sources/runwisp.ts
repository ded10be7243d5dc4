/**
 * Where RunWisp keeps what a maintainer needs, resolved from the fact sheet (runwisp-facts §1.1,
 * §1.2, §1.4, §3.3, §5, §8) without depending on the RunWisp target: data dir (flag >
 * RUNWISP_DATA > /var/lib/runwisp as root or ./.runwisp; legacy ./data), config (flag >
 * RUNWISP_CONFIG > /etc/runwisp/runwisp.toml as root or ./runwisp.toml), the service units and
 * their drop-ins, and the data dirs and configs that running daemons and installed units name.
 */
import {basename, dirname, isAbsolute, join, resolve} from 'node:path'
import {parse as parseToml} from 'smol-toml'
import type {CheckContext} from '../../context.js'
import type {JsonValue} from '../../types.js'
import {isSecretKey} from '../redact/names.js'
import type {PlannedCopy, PlannedSecretFile, PlannedTail, SourcePlan} from '../types.js'

export interface RunwispOverrides {
  dataDir?: string
  config?: string
}

export interface Located {
  path: string
  /** How the path was found: flag, env, default, legacy default, service unit, running daemon. */
  source: string
}

export interface RunwispLocations {
  dataDirs: Located[]
  configs: Located[]
  /** Unit files, launchd plists and non-secret drop-ins, copied redacted. */
  serviceFiles: Located[]
  /** `<unit>.d/password.conf` drop-ins (§3.3): secret, described only. */
  passwordDropIns: string[]
  /** Legacy env file (§8.2) with RUNWISP_PASSWORD among settings: copied redacted. */
  envFiles: string[]
}

const SYSTEM_UNIT_DIR = '/etc/systemd/system'
const LEGACY_ENV_FILE = '/etc/runwisp/runwisp.env'

export async function runwispLocations(ctx: CheckContext, overrides: RunwispOverrides = {}): Promise<RunwispLocations> {
  const euid = process.geteuid?.() ?? ctx.uid
  const isRoot = euid === 0
  const dataDirs: Located[] = []
  const configs: Located[] = []
  const add = (list: Located[], path: string | undefined, source: string) => {
    if (!path) return
    const abs = resolve(ctx.cwd, path)
    if (!list.some((l) => l.path === abs)) list.push({path: abs, source})
  }

  if (overrides.dataDir) add(dataDirs, overrides.dataDir, '--runwisp-data-dir')
  else if (ctx.env.RUNWISP_DATA) add(dataDirs, ctx.env.RUNWISP_DATA, 'RUNWISP_DATA')
  else {
    add(dataDirs, isRoot ? '/var/lib/runwisp' : '.runwisp', isRoot ? 'default for root (≥0.14)' : 'default (≥0.6)')
    if (isRoot) add(dataDirs, '.runwisp', 'default for non-root users (≥0.6)')
    // ≤0.5 used ./data; only a dir with RunWisp's own files counts, `data/` is a common name.
    for (const marker of ['runwisp.db', 'password', 'daemon.pid']) {
      if ((await ctx.files.lstat(join(ctx.cwd, 'data', marker))).ok) {
        add(dataDirs, 'data', 'legacy default (≤0.5)')
        break
      }
    }
  }
  if (overrides.config) add(configs, overrides.config, '--runwisp-config')
  else if (ctx.env.RUNWISP_CONFIG) add(configs, ctx.env.RUNWISP_CONFIG, 'RUNWISP_CONFIG')
  else {
    add(configs, isRoot ? '/etc/runwisp/runwisp.toml' : 'runwisp.toml', 'default')
    if (isRoot) add(configs, 'runwisp.toml', 'default for non-root users')
  }
  add(configs, 'runwisp.yaml', 'legacy YAML config (0.1)')

  const serviceFiles: Located[] = []
  const passwordDropIns: string[] = []
  const userUnitDir = join(ctx.home, '.config', 'systemd', 'user')
  const unitCandidates: string[] = [join(SYSTEM_UNIT_DIR, 'runwisp.service'), join(SYSTEM_UNIT_DIR, 'runwisp-cron-failsafe.service')]
  const userUnits = await ctx.files.readdir(userUnitDir)
  if (userUnits.ok) unitCandidates.push(...userUnits.names.filter((n) => /^runwisp.*\.service$/.test(n)).map((n) => join(userUnitDir, n)))
  for (const unit of unitCandidates) {
    if (!(await ctx.files.lstat(unit)).ok) continue
    serviceFiles.push({path: unit, source: 'systemd unit'})
    const read = await ctx.files.read(unit, 256 * 1024)
    if (read.ok) {
      const args = execStartArgs(read.text)
      add(dataDirs, flagValue(args, '--data'), `ExecStart of ${basename(unit)}`)
      add(configs, flagValue(args, '--config'), `ExecStart of ${basename(unit)}`)
    }
    const dropInDir = `${unit}.d`
    const dropIns = await ctx.files.readdir(dropInDir)
    if (!dropIns.ok) continue
    for (const name of dropIns.names.filter((n) => n.endsWith('.conf'))) {
      if (name === 'password.conf') passwordDropIns.push(join(dropInDir, name))
      else serviceFiles.push({path: join(dropInDir, name), source: 'systemd drop-in'})
    }
  }
  for (const plist of [join(ctx.home, 'Library', 'LaunchAgents', 'com.runwisp.daemon.plist'), '/Library/LaunchDaemons/com.runwisp.daemon.plist']) {
    if ((await ctx.files.lstat(plist)).ok) serviceFiles.push({path: plist, source: 'launchd plist'})
  }

  // A running daemon's own flags and environment say where it really keeps its data.
  if (ctx.platform === 'linux') {
    for (const proc of (await ctx.processes.list()).filter((p) => p.comm === 'runwisp' || (p.exe && basename(p.exe) === 'runwisp'))) {
      const cwd = (await ctx.processes.cwd(proc.pid)) ?? ctx.cwd
      const environ = await ctx.processes.environ(proc.pid)
      const data = flagValue(proc.argv, '--data') ?? environ?.RUNWISP_DATA
      const config = flagValue(proc.argv, '--config') ?? environ?.RUNWISP_CONFIG
      if (data) add(dataDirs, isAbsolute(data) ? data : join(cwd, data), `running daemon (pid ${proc.pid})`)
      if (config) add(configs, isAbsolute(config) ? config : join(cwd, config), `running daemon (pid ${proc.pid})`)
    }
  }
  return {dataDirs, configs, serviceFiles, passwordDropIns, envFiles: [LEGACY_ENV_FILE]}
}

/** `ExecStart=` split into arguments (double quotes respected, as systemd does). */
export function execStartArgs(unitText: string): string[] {
  const line = /^ExecStart=[-@:+!]*(.*)$/m.exec(unitText)?.[1] ?? ''
  return splitQuoted(line)
}

export function splitQuoted(line: string): string[] {
  const out: string[] = []
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!)
  return out
}

export function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === flag) return args[i + 1]
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1)
  }
  return undefined
}

/** `Environment=` assignments of a unit or drop-in (`Environment="A=1" "B=2"`, `Environment=A=1`). */
export function unitEnvironment(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const m of text.matchAll(/^\s*Environment=(.*)$/gm)) {
    for (const assignment of splitQuoted(m[1] ?? '')) {
      const at = assignment.indexOf('=')
      if (at > 0) out.push([assignment.slice(0, at), assignment.slice(at + 1)])
    }
  }
  return out
}

/** `KEY=VALUE` lines of an env file (optionally `export`, optionally quoted; comments skipped). */
export function envFileAssignments(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const m of text.matchAll(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/gm)) {
    let value = m[2] ?? ''
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1)
    out.push([m[1]!, value])
  }
  return out
}

export interface ConfigSecrets {
  /** Literal secret values and the TOML key path each sits at. */
  values: Array<{value: string; key: string}>
  /** `${file:path}` references in secret positions: the file holds the secret (§5.1 substitution). */
  fileRefs: string[]
  /** `${VAR}` references in secret positions: the variable holds the secret. */
  envRefs: string[]
  parseError?: string
}

/** Notifier tables: `[notifiers.<id>]` (≥0.16) and `[[notifier]]` (0.4–0.15) (§5.1). */
const inNotifier = (path: string[]) => path[0] === 'notifiers' || path[0] === 'notifier'

/**
 * The secrets of a runwisp.toml: values under secret-looking keys anywhere (task env included),
 * every URL and header of a notifier (webhook URLs carry their credential in the path), and
 * passwords in URLs. A file that does not parse is scanned line by line for the same keys.
 */
export function runwispConfigSecrets(text: string): ConfigSecrets {
  const result: ConfigSecrets = {values: [], fileRefs: [], envRefs: []}
  const consider = (value: string, path: string[]) => {
    const key = path.at(-1) ?? ''
    const secretPosition = isSecretKey(key) || (inNotifier(path) && (/url|webhook|header/i.test(path.join('.')) || /:\/\//.test(value)))
    for (const m of value.matchAll(/\$\{file:([^}]+)\}/g)) if (secretPosition) result.fileRefs.push(m[1]!)
    for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) if (secretPosition) result.envRefs.push(m[1]!)
    const literal = value.replace(/\$\{[^}]*\}/g, '')
    if (secretPosition && literal.trim().length > 0 && !/^\$\{[^}]*\}$/.test(value)) result.values.push({value, key: path.join('.')})
    const credentials = /:\/\/[^\s:/@]+:([^\s/@]+)@/.exec(value)
    if (credentials && !secretPosition) result.values.push({value: credentials[1]!, key: path.join('.')})
  }
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string') consider(node, path)
    // Array items keep their key's path: `[[notifier]]` entries are still notifiers.
    else if (Array.isArray(node)) for (const item of node) walk(item, path)
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k])
  }
  try {
    walk(parseToml(text), [])
  } catch (error) {
    result.parseError = (error as Error).message.split('\n')[0] ?? 'invalid TOML'
    let section: string[] = []
    for (const line of text.split('\n')) {
      const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line)
      if (header) section = header[1]!.split('.').map((s) => s.trim().replace(/^"|"$/g, ''))
      const kv = /^\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(line)
      if (kv) consider(kv[2] ?? kv[3] ?? '', [...section, kv[1]!])
    }
  }
  return result
}

/** runwisp-facts Appendix: what the files say about the generation, when `runwisp --version` is not asked. */
const GENERATION_HINTS: Array<{test: (names: Set<string>, dir: string) => boolean; hint: string}> = [
  {test: (n) => n.has('password'), hint: 'a data/password file exists: written only by ≤0.4 (a leftover after an upgrade is harmless)'},
  {test: (n) => n.has('runwisp.sock'), hint: 'runwisp.sock exists: ≥0.5'},
  {test: (_, dir) => basename(dir) === 'data', hint: 'the data dir is ./data: ≤0.5 default'},
  {test: (_, dir) => basename(dir) === '.runwisp', hint: 'the data dir is .runwisp: ≥0.6 default'},
]

export async function planRunwisp(ctx: CheckContext, at: RunwispLocations, runLogs: number): Promise<SourcePlan> {
  const copies: PlannedCopy[] = []
  const tails: PlannedTail[] = []
  const secretFiles: PlannedSecretFile[] = []
  const dataFacts: JsonValue[] = []
  const multiple = (n: number, i: number, base: string) => (n > 1 && i > 0 ? `${base}-${i + 1}` : base)

  const configs: Located[] = []
  for (const c of at.configs) if ((await ctx.files.lstat(c.path)).ok) configs.push(c)
  for (const [i, config] of configs.entries()) {
    const dir = multiple(configs.length, i, 'runwisp/config')
    copies.push({name: `${dir}/${basename(config.path)}`, path: config.path, what: `RunWisp config (${config.source})`, origin: 'runwisp'})
    const read = await ctx.files.read(config.path, 1024 * 1024)
    if (read.ok && config.path.endsWith('.toml')) {
      for (const ref of runwispConfigSecrets(read.text).fileRefs) {
        secretFiles.push({path: resolve(dirname(config.path), ref), what: 'secret file referenced by ${file:…} in runwisp.toml', origin: 'runwisp'})
      }
    }
  }
  const existing: Located[] = []
  for (const d of at.dataDirs) if ((await ctx.files.stat(d.path)).ok) existing.push(d)
  for (const [i, data] of existing.entries()) {
    const dir = multiple(existing.length, i, 'runwisp/data')
    copies.push({name: `${dir}/daemon.pid`, path: join(data.path, 'daemon.pid'), what: 'RunWisp daemon pid file', origin: 'runwisp'})
    tails.push({name: `${dir}/daemon.log`, path: join(data.path, 'daemon.log'), what: 'RunWisp self-spawned daemon log', origin: 'runwisp'})
    secretFiles.push(
      {path: join(data.path, 'password'), what: 'RunWisp legacy password file (≤0.4)', origin: 'runwisp'},
      {path: join(data.path, 'runwisp.db'), what: 'RunWisp database (legacy rows hold the JWT key)', origin: 'runwisp'},
    )
    for (const log of await recentRunLogs(ctx, join(data.path, 'logs'), runLogs)) {
      tails.push({name: `${dir}/logs/${log.task}/${log.file}`, path: log.path, what: `RunWisp run log (task ${log.task})`, origin: 'runwisp'})
    }
    const listing = await ctx.files.readdir(data.path)
    const names = new Set(listing.ok ? listing.names : [])
    dataFacts.push({
      path: data.path,
      source: data.source,
      generationHints: GENERATION_HINTS.filter((h) => h.test(names, data.path)).map((h) => h.hint),
    })
  }
  for (const s of at.serviceFiles) {
    const inDropIn = basename(dirname(s.path)).endsWith('.service.d')
    const name = inDropIn ? `runwisp/service/${basename(dirname(s.path))}/${basename(s.path)}` : `runwisp/service/${basename(s.path)}`
    copies.push({name, path: s.path, what: `RunWisp ${s.source}`, origin: 'runwisp'})
  }
  for (const path of at.envFiles) copies.push({name: `runwisp/service/${basename(path)}`, path, what: 'RunWisp legacy env file', origin: 'runwisp'})
  for (const path of at.passwordDropIns) secretFiles.push({path, what: 'RunWisp service password drop-in (RUNWISP_PASSWORD)', origin: 'runwisp'})
  return {
    origin: 'runwisp',
    copies,
    tails,
    secretFiles,
    facts: {
      dataDirs: at.dataDirs.map((d) => ({path: d.path, source: d.source, exists: existing.some((e) => e.path === d.path)})),
      configs: at.configs.map((c) => ({path: c.path, source: c.source})),
      found: dataFacts,
    },
  }
}

/** The `runLogs` most recently written run logs under `<data>/logs/<task>/` (§1.4); symlinks are not followed. */
async function recentRunLogs(ctx: CheckContext, logsDir: string, count: number): Promise<Array<{task: string; file: string; path: string}>> {
  if (count <= 0) return []
  const tasks = await ctx.files.readdir(logsDir)
  if (!tasks.ok) return []
  const found: Array<{task: string; file: string; path: string; mtimeMs: number}> = []
  for (const task of tasks.names.slice(0, 1000)) {
    const taskDir = join(logsDir, task)
    const st = await ctx.files.lstat(taskDir)
    if (!st.ok || !st.stat.isDirectory()) continue
    const files = await ctx.files.readdir(taskDir)
    if (!files.ok) continue
    for (const file of files.names.filter((n) => n.endsWith('.log') && !n.startsWith('.')).slice(0, 10_000)) {
      const fst = await ctx.files.lstat(join(taskDir, file))
      if (fst.ok) found.push({task, file, path: join(taskDir, file), mtimeMs: fst.stat.mtimeMs})
    }
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, count)
}
