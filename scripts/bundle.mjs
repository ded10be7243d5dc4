// Bundles the root run's fast path (dist/src/cli/fast-root.js and everything it imports from this
// project) into one module, dist/fast-root.js. Measured on the 2-core machine: loading the 160-odd
// compiled modules one by one costs ~100 ms of ESM resolution; the single bundle loads in ~30 ms.
// npm packages stay external (and are still imported lazily where the code does so).
import {build} from 'esbuild'

// One compiled entry (relative to dist/) into one bundled module beside it.
function bundle(entry, outfile, options = {}) {
  return build({
    entryPoints: [new URL(`../dist/${entry}`, import.meta.url).pathname],
    outfile: new URL(`../dist/${outfile}`, import.meta.url).pathname,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    ...options,
  })
}

// `npm run coverage` maps what the CLI children ran back to the sources.
await bundle('src/cli/fast-root.js', 'fast-root.js', {sourcemap: process.env.DOCTORKIT_SOURCEMAP === '1'})

// The library entry the same way (package.json `exports`): a host's `import 'doctorkit'` loads one
// module instead of resolving ~160 (measured: 367 ms unbundled against 87 ms for bare node).
await bundle('src/index.js', 'index.js')
