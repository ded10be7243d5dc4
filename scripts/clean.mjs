// Removes build output so a renamed or deleted source never lingers in dist/.
import {rmSync} from 'node:fs'
rmSync(new URL('../dist', import.meta.url), {recursive: true, force: true})
rmSync(new URL('../oclif.manifest.json', import.meta.url), {force: true})
