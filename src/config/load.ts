/**
 * Finds and reads `doctor.config.json`. Without `--config` the file is looked for from the working
 * directory up to the repository root (the first directory holding `.git`, a dir in a clone and a
 * file in a worktree), so `doctor preflight` run from `e2e/` finds the root's config. With no
 * repository above, only the working directory is looked at: never a stray config in `/` or `$HOME`.
 */
import {constants, lstatSync, promises as fsp} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {checks} from '../../checks/index.js'
import {allSymptoms} from '../catalogue.js'
import {UsageError} from '../engine/doctor.js'
import '../targets/index.js'
import {ConfigError, parseConfig, type DoctorConfig, type ExpandFrom, type KnownIds} from './schema.js'

export const CONFIG_FILE = 'doctor.config.json'
/** Far above any real config; a runaway file is refused, never read whole. */
const CONFIG_CAP = 1024 * 1024

export interface LoadedConfig {
  path: string
  config: DoctorConfig
}

export function knownIds(): KnownIds {
  return {
    checks: new Map(checks.map((c) => [c.id, c.symptoms])),
    symptoms: new Set(allSymptoms().map((s) => s.id)),
  }
}

/** The nearest doctor.config.json from `cwd` up to the repository root, else null. */
export async function findConfig(cwd: string): Promise<string | null> {
  let dir = resolve(cwd)
  for (;;) {
    const candidate = join(dir, CONFIG_FILE)
    if (exists(candidate)) return candidate
    if (exists(join(dir, '.git'))) break
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
  return null
}

/**
 * Loads the config. An explicit path that does not exist is an error (the user asked for it); a
 * missing default is simply no config. Returns null when there is none.
 */
export async function loadConfig(init: {cwd: string; explicit?: string; known?: KnownIds} & ExpandFrom): Promise<LoadedConfig | null> {
  const path = init.explicit ? resolve(init.cwd, init.explicit) : await findConfig(init.cwd)
  if (!path) return null
  const text = await readConfigText(path)
  return {
    path,
    config: parseConfig(text, path, init.known ?? knownIds(), {
      ...(init.env ? {env: init.env} : {}),
      ...(init.home ? {home: init.home} : {}),
    }),
  }
}

/** Where a command stands: its working directory, environment, and the `--config` it was given. */
export interface ConfigLookup {
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  /** `--config FILE`, as the user wrote it. */
  explicit?: string | undefined
}

/** The home `~` means in a config: $HOME, else the account's (an empty HOME is no home). */
export const homeOf = (env: Readonly<Record<string, string | undefined>>): string => env.HOME || homedir()

/**
 * The config of a command: every command (`doctor`, `--fix`, `preflight`, `bundle`, `bundle
 * verify`, `explain`, `checks`) finds it here, so each follows the same file. Throws UsageError
 * (exit 2) for a bad config or an empty `--config`.
 */
export async function configFor(lookup: ConfigLookup): Promise<LoadedConfig | null> {
  if (lookup.explicit !== undefined && lookup.explicit.trim() === '')
    throw new UsageError('--config needs a file path', [`for example --config ci/${CONFIG_FILE}`])
  return loadConfig({cwd: lookup.cwd, env: lookup.env, home: homeOf(lookup.env), ...(lookup.explicit ? {explicit: lookup.explicit} : {})})
}

async function readConfigText(path: string): Promise<string> {
  let handle: fsp.FileHandle | undefined
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const stat = await handle.stat()
    if (!stat.isFile()) throw new ConfigError(path, '', 'is not a regular file')
    if (stat.size > CONFIG_CAP)
      throw new ConfigError(path, '', `is ${stat.size} bytes; a doctor config is a few hundred, so this is not one (limit ${CONFIG_CAP})`)
    const bytes = await handle.readFile()
    const text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    if (text.includes('\0')) throw new ConfigError(path, '', 'is binary, not JSON text')
    return text
  } catch (error) {
    if (error instanceof ConfigError) throw error
    if (error instanceof TypeError) throw new ConfigError(path, '', 'is not UTF-8 text')
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read (permission denied)'
          : code === 'EISDIR'
            ? 'is a directory, not a file'
            : `cannot be read (${code ?? (error as Error).message})`
    throw new ConfigError(path, '', why)
  } finally {
    await handle?.close()
  }
}

/**
 * Only "no such file" means absent: anything else (permission denied) is reported when it is read.
 * Synchronous, and without an exception for a missing file: the walk up to the repository root
 * makes a few of these before anything else can run, and each promise-based miss cost ~0.4 ms (a
 * thread-pool round trip and an error with its stack) on the 2-core machine.
 */
function exists(path: string): boolean {
  try {
    return lstatSync(path, {throwIfNoEntry: false}) !== undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code !== 'ENOENT' && code !== 'ENOTDIR'
  }
}
