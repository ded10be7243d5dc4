// Bundles the root run's fast path (dist/src/cli/fast-root.js and everything it imports from this
// project) into one module, dist/fast-root.js. Measured on the 2-core machine: loading the 160-odd
// compiled modules one by one costs ~100 ms of ESM resolution; the single bundle loads in ~30 ms.
// npm packages stay external (and are still imported lazily where the code does so).
import {build} from 'esbuild'

await build({
  entryPoints: [new URL('../dist/src/cli/fast-root.js', import.meta.url).pathname],
  outfile: new URL('../dist/fast-root.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  // `npm run coverage` maps what the CLI children ran back to the sources.
  sourcemap: process.env.DOCTORKIT_SOURCEMAP === '1',
})

// The library entry the same way (package.json `exports`): a host's `import 'doctorkit'` loads one
// module instead of resolving ~160 (measured: 367 ms unbundled against 87 ms for bare node).
await build({
  entryPoints: [new URL('../dist/src/index.js', import.meta.url).pathname],
  outfile: new URL('../dist/index.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
})
