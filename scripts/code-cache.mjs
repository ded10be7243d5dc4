// Makes dist/fast-root.cache (scripts/bundle.mjs runs it after bundling): one `doctor --json` in an
// empty temporary home, run by bin/run.js itself in this process, then the V8 code cache of the
// compiled bundle as that run left it, so the cache holds every function a healthy run compiles.
// Arguments are added to the run's (`--target executor`): a pass over an existing cache loads it
// first, so what it writes holds both passes' functions.
// Only this process can ask for it (a global hook, never an environment variable or a flag): the
// doctor never writes a cache at run time.
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const out = fileURLToPath(new URL('../dist/fast-root.cache', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'doctorkit-code-cache-'))

let compiled = null
globalThis[Symbol.for('doctorkit.fast-root.compiled')] = (script, file) => {
  // What bin/run.js checks before it hands the cache to V8 (which itself compares only lengths).
  const {size, mtimeMs} = statSync(file)
  compiled = {script, header: {size, mtimeMs, sha256: createHash('sha256').update(readFileSync(file)).digest('hex')}}
}
process.on('exit', () => {
  rmSync(home, {recursive: true, force: true})
  // The doctor's exit code says how the machine is; this process says whether the cache was made.
  process.exitCode = 1
  if (!compiled) return process.stderr.write('code-cache: bin/run.js did not compile dist/fast-root.cjs\n')
  const tmp = `${out}.${process.pid}.tmp`
  writeFileSync(tmp, Buffer.concat([Buffer.from(JSON.stringify(compiled.header) + '\n'), compiled.script.createCachedData()]), {
    mode: 0o644,
  })
  renameSync(tmp, out)
  process.exitCode = 0
})

process.env.HOME = home
process.env.EXECUTOR_DATA_DIR = ''
process.env.NO_COLOR = '1'
process.chdir(home)
process.argv = [process.argv[0], bin, '--json', ...process.argv.slice(2)]
await import(bin)
