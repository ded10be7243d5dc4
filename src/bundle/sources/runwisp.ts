/**
 * What a maintainer needs from RunWisp, found where the RunWisp target finds it (runwisp-facts
 * §1.1, §1.2, §1.4, §3.3, §5, §8) and through the same per-run context, so the doctor run and the
 * bundle read each unit, process and data dir once. The bundle wants every candidate, not the one
 * the checks settle on: all default data dirs and configs that exist, every unit file with its
 * drop-ins, the launchd plists, the legacy env file, and the dirs and configs that installed units
 * and running daemons name.
 */
import {lstatSync, readdirSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {parse as parseToml} from 'smol-toml'
import type {CheckContext} from '../../context.js'
import {environmentAssignments} from '../../targets/runwisp/formats.js'
import {
  configCandidates,
  dataDirCandidates,
  dataDirNameHint,
  launchdPlists,
  LEGACY_ENV_FILE,
  LEGACY_YAML_CONFIG_NAME,
  runwispPaths,
} from '../../targets/runwisp/paths.js'
import {isPasswordDropIn} from '../../targets/runwisp/secrets.js'
import {findUnitFiles, loadRunwispState, loadUnits, looksLikeRunwispDir, runningDaemons, runwispFacts} from '../../targets/runwisp/state.js'
import type {JsonValue} from '../../types.js'
import {isSecretKey} from '../redact/names.js'
import type {LeftOut, PlannedCopy, PlannedSecretFile, PlannedTail, SourcePlan} from '../types.js'
import {yieldToLoop, timeSlice} from '../../probes/abort.js'

export interface Located {
  path: string
  /** How the path was found: the target's label (flag, env, default), a unit, a running daemon. */
  source: string
}

export interface RunwispLocations {
  dataDirs: Located[]
  configs: Located[]
  /** Unit files, launchd plists and non-secret drop-ins, copied redacted. */
  serviceFiles: Located[]
  /** `<unit>.d/password.conf` drop-ins (§3.3, §8.1): secret, described only. */
  passwordDropIns: string[]
  /** Legacy env file (§8.2) with RUNWISP_PASSWORD among settings: copied redacted. */
  envFiles: string[]
}

/** Candidates in order of discovery, each path once (the first way it was found names it). */
class LocatedList {
  readonly items: Located[] = []

  add(path: string | null | undefined, source: string): void {
    if (path && !this.items.some((l) => l.path === path)) this.items.push({path, source})
  }
}

/**
 * `--runwisp-data-dir` and `--runwisp-config` reach this through `ctx.options.targetOptions.runwisp`,
 * as they reach the checks: an explicit dir or config replaces the defaults, and units and running
 * daemons still add theirs.
 */
export async function runwispLocations(ctx: CheckContext): Promise<RunwispLocations> {
  const dataDirs = new LocatedList()
  const configs = new LocatedList()
  const data = dataDirCandidates(ctx)
  for (const candidate of data.explicit ? [data.explicit] : data.defaults) {
    // ≤0.5 used ./data; `data/` is a common name, so only a dir with RunWisp's own files counts.
    if (candidate.source === 'cwd-legacy' && !(await looksLikeRunwispDir(ctx, candidate.path))) continue
    dataDirs.add(candidate.path, candidate.label)
  }
  const config = configCandidates(ctx)
  for (const candidate of config.explicit ? [config.explicit] : config.defaults) configs.add(candidate.path, candidate.label)
  configs.add(join(ctx.cwd, LEGACY_YAML_CONFIG_NAME), 'legacy YAML config (0.1)')

  const serviceFiles: Located[] = []
  const passwordDropIns: string[] = []
  for (const file of await findUnitFiles(ctx)) {
    serviceFiles.push({path: file.path, source: 'systemd unit'})
    for (const dropIn of file.dropIns) {
      if (isPasswordDropIn(dropIn)) passwordDropIns.push(dropIn)
      else serviceFiles.push({path: dropIn, source: 'systemd drop-in'})
    }
  }
  for (const unit of await loadUnits(ctx)) {
    dataDirs.add(unit.dataDir, `--data of ${unit.name}`)
    configs.add(unit.config, `--config of ${unit.name}`)
  }
  for (const plist of launchdPlists(ctx)) {
    if ((await ctx.files.lstat(plist.path)).ok) serviceFiles.push({path: plist.path, source: 'launchd plist'})
  }
  // A running daemon's own flags, environment and open files say where it really keeps its data.
  for (const daemon of await runningDaemons(ctx)) {
    const by = `running daemon (pid ${daemon.proc.pid})`
    if (daemon.dataDir) dataDirs.add(daemon.dataDir.dataDir, `${by}: ${daemon.dataDir.how}`)
    const named = daemon.facts.config
    if (named) configs.add(named.path, `${by}: ${named.how}`)
  }
  return {dataDirs: dataDirs.items, configs: configs.items, serviceFiles, passwordDropIns, envFiles: [LEGACY_ENV_FILE]}
}

/** `Environment=` assignments of a unit or drop-in, every line of every section: a value reset later is still in the file. */
export function unitEnvironment(text: string): Array<[string, string]> {
  return environmentAssignments([...text.matchAll(/^\s*Environment=(.*)$/gm)].map((m) => m[1] ?? ''))
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

/** runwisp-facts Appendix: what one data dir's files and name say about the generation that wrote it. */
const GENERATION_HINTS: Array<{test: (names: Set<string>, dir: string) => boolean; hint: string}> = [
  {test: (n) => n.has('password'), hint: 'a data/password file exists: written only by ≤0.4 (a leftover after an upgrade is harmless)'},
  {test: (n) => n.has('runwisp.sock'), hint: 'runwisp.sock exists: ≥0.5'},
  {test: (_, dir) => dataDirNameHint(dir) === 'legacy', hint: 'the data dir is ./data: ≤0.5 default'},
  {test: (_, dir) => dataDirNameHint(dir) === 'current', hint: 'the data dir is .runwisp: ≥0.6 default'},
]

/** The generation as the RunWisp target decides it (shared with the doctor run through `ctx`). */
async function generationFacts(ctx: CheckContext): Promise<Record<string, JsonValue>> {
  try {
    const facts = await runwispFacts(ctx)
    return {generation: facts.generation, version: facts.version, generationReason: facts.reason}
  } catch (error) {
    // The bundle is for broken machines: a generation that cannot be told is a fact, not a crash.
    return {generation: null, version: null, generationReason: `could not be determined: ${(error as Error)?.message ?? String(error)}`}
  }
}

export async function planRunwisp(ctx: CheckContext, at: RunwispLocations, runLogs: number): Promise<SourcePlan> {
  const copies: PlannedCopy[] = []
  const tails: PlannedTail[] = []
  const secretFiles: PlannedSecretFile[] = []
  const dataFacts: JsonValue[] = []
  const leftOut: LeftOut[] = []
  const multiple = (n: number, i: number, base: string) => (n > 1 && i > 0 ? `${base}-${i + 1}` : base)

  const configs: Located[] = []
  for (const c of at.configs) if ((await ctx.files.lstat(c.path)).ok) configs.push(c)
  for (const [i, config] of configs.entries()) {
    const dir = multiple(configs.length, i, 'runwisp/config')
    // RunWisp reads its config through a link (home-manager, stow): so does the bundle (runwisp-facts §5).
    copies.push({
      name: `${dir}/${basename(config.path)}`,
      path: config.path,
      what: `RunWisp config (${config.source})`,
      origin: 'runwisp',
      follow: true,
    })
    const read = await ctx.files.read(config.path, 1024 * 1024, {follow: true})
    if (read.ok && config.path.endsWith('.toml')) {
      for (const ref of runwispConfigSecrets(read.text).fileRefs) {
        secretFiles.push({
          path: resolve(dirname(config.path), ref),
          what: 'secret file referenced by ${file:…} in runwisp.toml',
          origin: 'runwisp',
        })
      }
    }
  }
  const existing: Located[] = []
  for (const d of at.dataDirs) if ((await ctx.files.stat(d.path)).ok) existing.push(d)
  for (const [i, data] of existing.entries()) {
    const dir = multiple(existing.length, i, 'runwisp/data')
    const paths = runwispPaths(data.path)
    copies.push({name: `${dir}/daemon.pid`, path: paths.pidFile, what: 'RunWisp daemon pid file', origin: 'runwisp'})
    tails.push({name: `${dir}/daemon.log`, path: paths.log, what: 'RunWisp self-spawned daemon log', origin: 'runwisp'})
    secretFiles.push(
      {path: paths.password, what: 'RunWisp legacy password file (≤0.4)', origin: 'runwisp'},
      {path: paths.db, what: 'RunWisp database (legacy rows hold the JWT key)', origin: 'runwisp'},
    )
    const runs = await recentRunLogs(ctx, paths.logs, runLogs)
    for (const log of runs.logs) {
      tails.push({
        name: `${dir}/logs/${log.task}/${log.file}`,
        path: log.path,
        what: `RunWisp run log (task ${log.task})`,
        origin: 'runwisp',
      })
    }
    if (runs.found > runs.logs.length) {
      const reason = `only the ${runLogs} most recent are included, as --run-logs asks${runs.foundAtLeast ? `; the newest among the first ${runs.found} found` : ''}`
      leftOut.push({
        what: `RunWisp run logs in ${paths.logs}`,
        origin: 'runwisp',
        found: runs.found,
        ...(runs.foundAtLeast ? {foundAtLeast: true} : {}),
        kept: runs.logs.length,
        cause: 'cap',
        reason,
      })
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
    copies.push({name, path: s.path, what: `RunWisp ${s.source}`, origin: 'runwisp', follow: true})
  }
  for (const path of at.envFiles)
    copies.push({name: `runwisp/service/${basename(path)}`, path, what: 'RunWisp legacy env file', origin: 'runwisp', follow: true})
  for (const path of at.passwordDropIns)
    secretFiles.push({path, what: 'RunWisp service password drop-in (RUNWISP_PASSWORD)', origin: 'runwisp'})
  const checked = await loadRunwispState(ctx)
  return {
    origin: 'runwisp',
    copies,
    tails,
    secretFiles,
    leftOut,
    facts: {
      dataDirs: at.dataDirs.map((d) => ({path: d.path, source: d.source, exists: existing.some((e) => e.path === d.path)})),
      dataDirCheckedByDoctor: checked.dataDir,
      configs: at.configs.map((c) => ({path: c.path, source: c.source})),
      found: dataFacts,
      ...(await generationFacts(ctx)),
    },
  }
}

/** Run log files looked at, at most, to find the most recent: a data dir of 100,000 run logs costs a bounded walk. */
const RUN_LOGS_EXAMINED = 200_000

/**
 * The `runLogs` most recently written run logs under `<data>/logs/<task>/` (§1.4); symlinks are
 * not followed. lstat runs synchronously in short slices (a promise per file costs 4× as much on
 * 100,000 files, see probes/walk.ts) and stops at the run's signal with what it has seen.
 */
async function recentRunLogs(
  ctx: CheckContext,
  logsDir: string,
  count: number,
): Promise<{logs: Array<{task: string; file: string; path: string}>; found: number; foundAtLeast: boolean}> {
  if (count <= 0) return {logs: [], found: 0, foundAtLeast: false}
  const tasks = await ctx.files.readdir(logsDir)
  if (!tasks.ok) return {logs: [], found: 0, foundAtLeast: false}
  const newest: Array<{task: string; file: string; path: string; mtimeMs: number}> = []
  let found = 0
  let foundAtLeast = false
  const sliceUp = timeSlice()
  outer: for (const task of tasks.names) {
    const taskDir = join(logsDir, task)
    if (!lstatSync(taskDir, {throwIfNoEntry: false})?.isDirectory()) continue
    let names: string[]
    try {
      names = readdirSync(taskDir)
    } catch {
      continue
    }
    for (const file of names) {
      if (!file.endsWith('.log') || file.startsWith('.')) continue
      if (found >= RUN_LOGS_EXAMINED) {
        foundAtLeast = true
        break outer
      }
      const path = join(taskDir, file)
      const st = lstatSync(path, {throwIfNoEntry: false})
      if (!st?.isFile()) continue
      found++
      if (newest.length < count || st.mtimeMs > newest.at(-1)!.mtimeMs) {
        newest.push({task, file, path, mtimeMs: st.mtimeMs})
        newest.sort((a, b) => b.mtimeMs - a.mtimeMs)
        if (newest.length > count) newest.pop()
      }
      if ((found & 255) === 0 && sliceUp()) {
        await yieldToLoop()
        // Out of time: the newest among those seen so far, and the count says it is not all.
        if (ctx.signal.aborted) {
          foundAtLeast = true
          break outer
        }
      }
    }
  }
  return {logs: newest, found, foundAtLeast}
}
