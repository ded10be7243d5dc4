// doctorkit's package.json as its own `doctor` binary sees it: package.json `oclif` describes the
// plugin an oclif host loads (commands under `doctor`); the binary itself loads the root table of
// src/cli/commands.ts (commands at its root) and the root manifest (scripts/manifest.mjs).
import {readFileSync} from 'node:fs'

export function rootPjson() {
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const report = pjson.oclif.topics['doctor:report']
  pjson.oclif = {...pjson.oclif, commands: {...pjson.oclif.commands, identifier: 'default'}, topics: {report}}
  return pjson
}
