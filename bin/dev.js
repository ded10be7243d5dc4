#!/usr/bin/env -S node --import tsx
// Runs the CLI from TypeScript sources (no build), with the same routing as bin/run.js.
import {execute} from '@oclif/core'

const ROOT = 'Symbol(SINGLE_COMMAND_CLI)'
const argv = process.argv.slice(2)
const known = ['checks', 'explain', 'bundle', 'preflight', 'undo', 'help']
const routed = argv[0] !== undefined && (known.includes(argv[0]) || argv[0] === '--version') ? argv : [ROOT, ...argv]
await execute({args: routed, development: true, dir: import.meta.url})
