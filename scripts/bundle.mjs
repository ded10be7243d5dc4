// Bundles the root run's fast path (dist/src/cli/fast-root.js and everything it imports from this
// project) into one script, dist/fast-root.cjs, and makes its V8 code cache (dist/fast-root.cache).
// Measured on the 2-core machine: loading the 160-odd compiled modules one by one costs ~100 ms of
// ESM resolution; the single bundle loads in ~30 ms, and ~10 ms with the code cache (bin/run.js
// compiles it with node:vm; Node 20 has no code cache for ES modules). npm packages stay external
// (and are still imported lazily where the code does so).
import {spawnSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {build} from 'esbuild'

const dist = (file) => new URL(`../dist/${file}`, import.meta.url).pathname

// One compiled entry (relative to dist/) into one bundled module beside it.
function bundle(entry, outfile, options = {}) {
  return build({
    entryPoints: [dist(entry)],
    outfile: dist(outfile),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    ...options,
  })
}

// Modules the fast path imports statically but a healthy run never calls: loaded on first call
// instead (measured on the 2-core machine, ~2.5 ms for node:crypto, ~1.5 ms for node:net, ~5 ms for
// smol-toml, of a ~60 ms run). Each becomes a module of functions that require the real one when
// first called; a name that is not a function of it (a class, a constant) fails the build, so
// nothing changes meaning.
const LAZY = ['node:crypto', 'node:net', 'node:readline', 'node:child_process', 'smol-toml']
const lazyModules = {
  name: 'lazy-modules',
  setup(build) {
    const filter = new RegExp(`^(?:${LAZY.join('|')})$`)
    build.onResolve({filter}, (args) => {
      if (args.namespace === 'lazy' || args.kind !== 'import-statement') return {path: args.path, external: true}
      return {path: args.path, namespace: 'lazy'}
    })
    build.onLoad({filter: /.*/, namespace: 'lazy'}, async ({path}) => {
      const real = await import(path)
      const names = Object.keys(real).filter((name) => name !== 'default' && /^[a-z]/.test(name) && typeof real[name] === 'function')
      const contents = [
        `let loaded`,
        `const real = () => (loaded ??= require(${JSON.stringify(path)}))`,
        ...names.map((name) => `export function ${name}(...args) { return real().${name}(...args) }`),
      ].join('\n')
      return {contents, loader: 'js', resolveDir: process.cwd()}
    })
  },
}

// A cache left from an earlier bundle must never meet this one (V8 only compares source lengths).
rmSync(dist('fast-root.cache'), {force: true})
// CommonJS, since node:vm compiles scripts, not modules, written inside CommonJS's module wrapper
// (so the file is exactly what V8 compiles: coverage offsets and source maps hold) with one more
// parameter, `__import`: bin/run.js's own import(). A script's own import() would need
// vm's importModuleDynamically, which on Node 20 prints an experimental warning and is lost when
// the script comes from a code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). The bundled code
// imports only packages and built-ins dynamically, so bin/ resolves them as dist/ would.
// `import.meta` is not used by the bundled code (esbuild would warn). `npm run coverage` maps what
// the CLI children ran back to the sources.
const fast = await bundle('src/cli/fast-root.js', 'fast-root.cjs', {
  format: 'cjs',
  banner: {js: '(function (exports, require, module, __filename, __dirname, __import) {'},
  footer: {js: '})'},
  sourcemap: process.env.DOCTORKIT_SOURCEMAP === '1',
  metafile: true,
  write: false,
  plugins: [lazyModules],
  inject: [new URL('./bundle-shims/performance.mjs', import.meta.url).pathname],
})
// A warning here can be a name a lazy module lacks (`import * as` then reads undefined): not a bundle to ship.
if (fast.warnings.length > 0) throw new Error(`dist/fast-root.cjs: esbuild warned (above); fix it before shipping this bundle`)
const dynamic = Object.values(fast.metafile.inputs).flatMap((input) =>
  input.imports.filter((i) => i.kind === 'dynamic-import' && i.external),
)
for (const file of fast.outputFiles) {
  if (!file.path.endsWith('.cjs')) {
    writeFileSync(file.path, file.contents)
    continue
  }
  let rewritten = 0
  let text = file.text.replace(/\bimport\(("[^"\\]+")\)/g, (_, specifier) => {
    if (specifier.startsWith('".')) throw new Error(`dist/fast-root.cjs: import(${specifier}) is relative; bin/run.js resolves from bin/`)
    rewritten++
    return `__import(${specifier})`
  })
  // Every dynamic import esbuild left, and nothing else (a string that reads `import("…")` would fail here).
  if (rewritten !== dynamic.length || /\bimport\(/.test(text))
    throw new Error(
      `dist/fast-root.cjs: rewrote ${rewritten} import() calls, esbuild reports ${dynamic.length}; look for an import( that is not a call`,
    )
  // Pure ASCII, so bin/run.js reads it as latin1: a one-byte string, copied rather than decoded
  // (~3 ms less for the 850 KB bundle on the 2-core machine). esbuild escapes strings itself; what
  // is left (comments, a regex literal's µ or …) means the same as a \u escape.
  if (/\\[^\x00-\x7f]/.test(text))
    throw new Error('dist/fast-root.cjs: a backslash before a non-ASCII character; its \\u escape would change meaning')
  text = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  // The injected `performance` has now() only (scripts/bundle-shims/performance.mjs).
  const shim = /\/\/ scripts\/bundle-shims\/performance\.mjs\n[\s\S]*?\n\}\);\n/
  if (!shim.test(text) || /\bperformance\b(?!\.now\(\))/.test(text.replace(shim, '')))
    throw new Error('dist/fast-root.cjs: the bundled code uses performance for more than now(); drop the shim or extend it')
  writeFileSync(file.path, text)
}

// The code cache, from healthy runs in an empty home (scripts/code-cache.mjs): it then holds the
// functions such a run compiles, not only the top level. Two passes, the second over the first's
// cache: nothing running, then Executor forced, whose checks then compile what a run beside its
// daemon needs (measured on the 2-core machine: ~5 ms less beside the real daemon, the same with
// nothing running; forcing RunWisp too made the cache 8% larger and the empty run ~1 ms slower).
// So a build on a quiet machine still holds what a run beside a daemon needs. Made by the node that builds,
// which is the node `npm install` ran; another node (or other V8 flags) rejects it and compiles as
// usual. Without it the doctor is only slower, so a failure here is a warning, not a failed build.
if (process.env.DOCTORKIT_SOURCEMAP !== '1') {
  for (const pass of [[], ['--target', 'executor']]) {
    const made = spawnSync(process.execPath, [new URL('./code-cache.mjs', import.meta.url).pathname, ...pass], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 120_000,
    })
    if (made.status === 0) continue
    process.stderr.write('warning: no code cache for dist/fast-root.cjs; the doctor starts slower\n')
    break
  }
}

// The library entry the same way (package.json `exports`): a host's `import 'doctorkit'` loads one
// module instead of resolving ~160 (measured: 367 ms unbundled against 87 ms for bare node).
await bundle('src/index.js', 'index.js')
