// Generates the oclif manifests at build time, as `oclif manifest` does, without pulling the
// whole oclif CLI (and its cloud-publishing dependencies) into devDependencies:
//   oclif.manifest.json       what an oclif host listing doctorkit in `oclif.plugins` loads (the
//                             package.json view: every command under the `doctor` topic);
//   dist/root.manifest.json   doctorkit's own `doctor` binary (bin/run.js): the commands at its root.
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'
import {rootPjson} from '../bin/root-pjson.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const views = [
  ['../oclif.manifest.json', undefined],
  ['../dist/root.manifest.json', rootPjson()],
]
for (const [file, pjson] of views) {
  const plugin = new Plugin({
    root,
    type: 'core',
    ignoreManifest: true,
    errorOnManifestCreate: true,
    isRoot: true,
    ...(pjson ? {pjson} : {}),
  })
  await plugin.load()
  if (Object.keys(plugin.manifest.commands).length === 0) {
    console.error(`manifest: no commands found for ${file}; did the build run?`)
    process.exit(1)
  }
  writeFileSync(new URL(file, import.meta.url), JSON.stringify(plugin.manifest, null, 2) + '\n')
}
