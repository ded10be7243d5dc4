// Generates oclif.manifest.json at build time, as `oclif manifest` does, without pulling the
// whole oclif CLI (and its cloud-publishing dependencies) into devDependencies.
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'

const root = fileURLToPath(new URL('..', import.meta.url))
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true})
await plugin.load()
if (Object.keys(plugin.manifest.commands).length === 0) {
  console.error('manifest: no commands found under dist/commands; did the build run?')
  process.exit(1)
}
writeFileSync(new URL('../oclif.manifest.json', import.meta.url), JSON.stringify(plugin.manifest, null, 2) + '\n')
