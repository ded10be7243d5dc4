/**
 * doctor.config.json for the library: a path (as `--config`), the config as an object (a host
 * that keeps its settings elsewhere), none (null), or found as `doctor` finds it (absent).
 */
import {join} from 'node:path'
import type {CheckDefinition} from '../check.js'
import {UsageError} from '../engine/doctor.js'
import {knownIds, loadConfig, type LoadedConfig} from '../config/load.js'
import {parseConfig} from '../config/schema.js'
import type {JsonValue} from '../types.js'

/** The JSON a doctor.config.json holds (docs/preflight.md, docs/targets.md). */
export type ConfigObject = {readonly [key: string]: JsonValue}

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
}

export async function loadRunConfig(init: ConfigLoad): Promise<LoadedConfig | null> {
  if (init.config === null) return null
  if (typeof init.config === 'string' && init.config.trim() === '')
    throw new UsageError('--config needs a file path', ['for example --config ci/doctor.config.json'])
  const base = knownIds()
  const known = {
    checks: new Map([...base.checks, ...(init.extraChecks ?? []).map((c) => [c.id, c.symptoms] as const)]),
    symptoms: base.symptoms,
  }
  const from = {env: init.env, home: init.home}
  if (typeof init.config === 'object') {
    const path = join(init.cwd, CONFIG_OBJECT_NAME)
    return {path, config: parseConfig(JSON.stringify(init.config), path, known, from)}
  }
  return loadConfig({cwd: init.cwd, ...(init.config === undefined ? {} : {explicit: init.config}), known, ...from})
}
