#!/usr/bin/env -S node --import tsx
// Runs the CLI from TypeScript sources (no build), with the same routing as bin/run.js.
import {fileURLToPath} from 'node:url'
import {execute, Plugin} from '@oclif/core'
import {rootPjson} from './root-pjson.js'

const ROOT = 'Symbol(SINGLE_COMMAND_CLI)'
const argv = process.argv.slice(2)
const known = ['checks', 'explain', 'bundle', 'preflight', 'undo', 'help']
const routed = argv[0] !== undefined && (known.includes(argv[0]) || argv[0] === '--version') ? argv : [ROOT, ...argv]
const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = rootPjson()
const plugin = new Plugin({root, pjson, isRoot: true, type: 'core', ignoreManifest: true})
await plugin.load()
await execute({
  args: routed,
  development: true,
  dir: import.meta.url,
  loadOptions: {root, pjson, plugins: new Map([[plugin.name, plugin]])},
})
