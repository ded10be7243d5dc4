#!/usr/bin/env node
// `doctor` with no subcommand runs the checks; oclif has no default command for a multi-command
// CLI, so anything that is not a known subcommand is routed to the root command (commands/index).
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {execute} from '@oclif/core'

const ROOT = 'Symbol(SINGLE_COMMAND_CLI)'
const argv = process.argv.slice(2)
let known = []
try {
  known = Object.keys(JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8')).commands)
} catch {
  // no manifest (dev): oclif discovers the commands itself; routing below still works
  known = ['checks', 'explain', 'bundle', 'preflight', 'undo']
}
const first = argv[0]
const isCommand = first !== undefined && (known.includes(first) || known.some((id) => id.startsWith(`${first}:`)) || first === 'help')
const isVersion = first === '--version'
// doctorkit has no user-installable plugins: skipping oclif's user-plugin lookup saves a file read
// and a permission warning when run as a user whose HOME is not readable.
const root = fileURLToPath(new URL('..', import.meta.url))
await execute({args: isCommand || isVersion ? argv : [ROOT, ...argv], loadOptions: {root, userPlugins: false}})
