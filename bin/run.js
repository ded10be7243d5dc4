#!/usr/bin/env node
// `doctor` with no subcommand runs the checks. oclif has no default command for a multi-command
// CLI, so anything that is not a known subcommand is routed to the root command. The root run
// itself takes a fast path that does not load oclif (src/cli/fast-root.ts); help, versions,
// subcommands and anything the fast parser does not accept go through oclif.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const ROOT = 'Symbol(SINGLE_COMMAND_CLI)'
// A reader that closes the pipe early (`doctor --json | head -c 100`, `| true`) gets what it took;
// the doctor says on stderr that the rest was not delivered and ends with 2, as it does for
// `--output /dev/stdout` (src/output/destination.ts), never with a stack trace.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error
  process.stderr.write('doctor: the reader of stdout closed it before the end; what it got is incomplete\n')
  process.exit(2)
})
// `doctor help [command…]` is `doctor [command…] --help`: oclif's help command is a plugin this CLI
// does not ship.
const given = process.argv.slice(2)
const argv = given[0] === 'help' ? [...given.slice(1), '--help'] : given
let manifest = null
try {
  manifest = JSON.parse(readFileSync(new URL('../dist/root.manifest.json', import.meta.url), 'utf8'))
} catch {
  // no manifest (a build without one): oclif discovers the commands itself
}
const known = manifest ? Object.keys(manifest.commands) : ['checks', 'explain', 'bundle', 'preflight', 'undo']
const first = argv[0]
const isCommand = first !== undefined && (known.includes(first) || known.some((id) => id.startsWith(`${first}:`)))
const isVersion = first === '--version'
const wantsHelp = argv.some((a) => a === '--help' || a === '-h')

let handled = false
if (!isCommand && !isVersion && !wantsHelp && manifest?.commands?.[ROOT]) {
  // The bundled fast path (scripts/bundle.mjs), else the compiled modules it is built from.
  const {tryFastRoot} = await import('../dist/fast-root.js').catch(() => import('../dist/src/cli/fast-root.js'))
  handled = await tryFastRoot(argv, manifest.commands[ROOT].flags)
}
if (!handled) {
  const [{execute, Plugin}, {rootPjson}] = await Promise.all([import('@oclif/core'), import('./root-pjson.js')])
  // package.json `oclif` is the plugin view an oclif host loads (commands under `doctor`); this
  // binary loads its root view (bin/root-pjson.js). oclif.manifest.json is the plugin's, so the
  // root plugin reads its commands from the table itself.
  const root = fileURLToPath(new URL('..', import.meta.url))
  const pjson = rootPjson()
  const plugin = new Plugin({root, pjson, isRoot: true, type: 'core', ignoreManifest: true})
  await plugin.load()
  // doctorkit has no user-installable plugins: skipping oclif's user-plugin lookup saves a file
  // read and a permission warning when run as a user whose HOME is not readable.
  await execute({
    args: isCommand || isVersion ? argv : [ROOT, ...argv],
    loadOptions: {root, pjson, plugins: new Map([[plugin.name, plugin]]), userPlugins: false},
  })
}
