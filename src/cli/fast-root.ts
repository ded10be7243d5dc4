/**
 * The fast path of the root run. Loading oclif costs more than a whole healthy doctor run (~100 ms
 * of the 2-core machine's start-up; README › Performance), so bin/run.js parses the root command's
 * flags with node:util from the definitions oclif itself wrote into oclif.manifest.json, and runs
 * the same body as the oclif command. Anything this parser does not accept exactly (unknown flag,
 * a value outside a flag's options, positional arguments) goes back to oclif, which then reports
 * the error in its own words — so behaviour never differs, only start-up time.
 */
import {parseArgs, type ParseArgsConfig} from 'node:util'
import {UsageError} from '../engine/doctor.js'
import {runRoot, type RootFlags} from './root-run.js'

export interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  multiple?: boolean
  options?: string[]
  default?: string | boolean
}

/** Runs the root command and returns true, or returns false for oclif to take over. */
export async function tryFastRoot(argv: string[], flags: Record<string, ManifestFlag>): Promise<boolean> {
  const options: NonNullable<ParseArgsConfig['options']> = {}
  for (const flag of Object.values(flags)) {
    options[flag.name] = {
      type: flag.type === 'boolean' ? 'boolean' : 'string',
      ...(flag.char ? {short: flag.char} : {}),
      ...(flag.multiple ? {multiple: true} : {}),
    }
  }
  let values: Record<string, unknown>
  try {
    values = parseArgs({args: argv, options, strict: true, allowPositionals: false}).values
  } catch {
    return false
  }
  for (const flag of Object.values(flags)) {
    const value = values[flag.name]
    if (value === undefined) {
      if (flag.default !== undefined) values[flag.name] = flag.default
      continue
    }
    const given = Array.isArray(value) ? value : [value]
    if (flag.options && given.some((v) => typeof v !== 'string' || !flag.options!.includes(v))) return false
  }
  try {
    await runRoot(values as unknown as RootFlags, argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    // The same shape oclif gives a command error.
    process.stderr.write(` ›   Error: ${error.message}\n${error.suggestions.map((s) => ` ›   Try this: ${s}\n`).join('')}`)
    process.exitCode = 2
  }
  return true
}
