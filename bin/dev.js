#!/usr/bin/env -S node --import tsx
// Runs the CLI from TypeScript sources (no build), with the same routing as bin/run.js.
// CommonJS, as everything in bin/ is (bin/package.json); oclif and the TypeScript commands load
// through import().
const {fileURLToPath, pathToFileURL} = require('node:url')

const ROOT = 'Symbol(SINGLE_COMMAND_CLI)'
const argv = process.argv.slice(2)
const known = ['checks', 'explain', 'bundle', 'preflight', 'undo', 'help']
const routed = argv[0] !== undefined && (known.includes(argv[0]) || argv[0] === '--version') ? argv : [ROOT, ...argv]

async function main() {
  const [{execute, Plugin}, {rootPjson}] = await Promise.all([import('@oclif/core'), import('./root-pjson.mjs')])
  const root = fileURLToPath(new URL('..', pathToFileURL(__filename)))
  const pjson = rootPjson()
  const plugin = new Plugin({root, pjson, isRoot: true, type: 'core', ignoreManifest: true})
  await plugin.load()
  await execute({
    args: routed,
    development: true,
    dir: pathToFileURL(__filename).href,
    loadOptions: {root, pjson, plugins: new Map([[plugin.name, plugin]])},
  })
}

main()
