/**
 * doctor.config.json for the library: a path (as `--config`), the config as an object (a host
 * that keeps its settings elsewhere), none (null), or found as `doctor` finds it (absent).
 */
import {join} from 'node:path'
import type {CheckDefinition} from '../check.js'
import {UsageError} from '../engine/doctor.js'
import {knownIds, loadConfig, type LoadedConfig} from '../config/load.js'
import {parseConfig} from '../config/schema.js'
import type {TargetProfile} from '../targets/profile.js'

/**
 * The JSON a doctor.config.json holds (docs/preflight.md, docs/targets.md). A member set to
 * `undefined` is left out, as JSON.stringify leaves it out: a host's object literals often infer
 * optional members that way (a list of suppressions, some with a `target`, some without).
 */
export type ConfigObject = {readonly [key: string]: ConfigJson | undefined}

/** JSON as a host's literals type it: read-only lists, members possibly undefined. */
type ConfigJson = string | number | boolean | null | readonly ConfigJson[] | {readonly [key: string]: ConfigJson | undefined}

export type ConfigSource = string | ConfigObject | null | undefined

/** How an object config is named in messages and in the report's `config.path`; relative paths in it are relative to cwd. */
export const CONFIG_OBJECT_NAME = '(config object)'

export interface ConfigLoad {
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  home: string
  config: ConfigSource
  /** A host's own checks: the config may skip, time or suppress them like built-in ones. */
  extraChecks?: readonly CheckDefinition[]
  /** A host's targets (`defineTarget`): the config may skip and suppress them and their symptoms like its own. */
  hostTargets?: readonly TargetProfile[]
}

export async function loadRunConfig(init: ConfigLoad): Promise<LoadedConfig | null> {
  if (init.config === null) return null
  if (typeof init.config === 'string' && init.config.trim() === '')
    throw new UsageError('--config needs a file path', ['for example --config ci/doctor.config.json'])
  const base = knownIds()
  const known = {
    checks: new Map([...base.checks, ...(init.extraChecks ?? []).map((c) => [c.id, c.symptoms] as const)]),
    symptoms: base.symptoms,
    hostTargets: init.hostTargets ?? [],
  }
  const from = {env: init.env, home: init.home}
  if (typeof init.config === 'object') {
    const path = join(init.cwd, CONFIG_OBJECT_NAME)
    return {path, config: parseConfig(JSON.stringify(init.config), path, known, from)}
  }
  return loadConfig({cwd: init.cwd, ...(init.config === undefined ? {} : {explicit: init.config}), known, ...from})
}
