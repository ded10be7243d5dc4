#!/usr/bin/env node
// `doctor` with no subcommand runs the checks. oclif has no default command for a multi-command
// CLI, so anything that is not a known subcommand is routed to the root command. The root run
// itself takes a fast path that does not load oclif (src/cli/fast-root.ts); help, versions,
// subcommands and anything the fast parser does not accept go through oclif.
//
// CommonJS (bin/package.json): an ES module as the main entry starts node's ES module loader, ~5 ms
// of a healthy run on the 2-core machine, and the fast path needs none of it (the rest is loaded
// with import() when used). Built-ins come from process.getBuiltinModule, so none gets the ES
// module facade an `import` of it builds (it copies every export; fs's lazy getters load streams).
const {readFileSync, openSync, fstatSync, closeSync} = process.getBuiltinModule('node:fs')
const {fileURLToPath, pathToFileURL} = process.getBuiltinModule('node:url')
const HERE = pathToFileURL(__filename)

const ROOT = 'Symbol(SINGLE_COMMAND_CLI)'
// `doctor help [command…]` is `doctor [command…] --help`: oclif's help command is a plugin this CLI
// does not ship.
const given = process.argv.slice(2)
const argv = given[0] === 'help' ? [...given.slice(1), '--help'] : given
let manifest = null
try {
  manifest = JSON.parse(readFileSync(new URL('../dist/root.manifest.json', HERE), 'utf8'))
} catch {
  // no manifest (a build without one): oclif discovers the commands itself
}
const known = manifest ? Object.keys(manifest.commands) : ['checks', 'explain', 'bundle', 'preflight', 'undo']
const first = argv[0]
const isCommand = first !== undefined && (known.includes(first) || known.some((id) => id.startsWith(`${first}:`)))
const isVersion = first === '--version'
const wantsHelp = argv.some((a) => a === '--help' || a === '-h')

/**
 * dist/fast-root.cjs, compiled with node:vm from the V8 code cache the build made for it
 * (scripts/code-cache.mjs): measured on the 2-core machine, ~20 ms less than compiling the bundle
 * as an ES module. The cache is read only from this package's own dist/, beside the bundle it was
 * made from, and is used only when it names that very bundle (size, and mtime or else sha256: V8
 * itself compares only the length) and is no easier to write than the bundle; a node or V8 flags
 * other than the build's make V8 reject it and compile the source as usual. Nothing is written.
 */
function loadFastRoot() {
  const file = fileURLToPath(new URL('../dist/fast-root.cjs', HERE))
  let source, bundle
  try {
    const fd = openSync(file, 'r')
    try {
      bundle = fstatSync(fd)
      // Pure ASCII (scripts/bundle.mjs): latin1 makes the one-byte string without decoding UTF-8.
      source = readFileSync(fd, 'latin1')
    } finally {
      closeSync(fd)
    }
  } catch {
    return null
  }
  const {Script} = process.getBuiltinModule('node:vm')
  // The file is a function in CommonJS's module wrapper, plus `__import` for the bundle's import()
  // of packages (scripts/bundle.mjs).
  const script = new Script(source, {
    filename: file,
    cachedData: codeCache(fileURLToPath(new URL('../dist/fast-root.cache', HERE)), bundle, source),
  })
  globalThis[Symbol.for('doctorkit.fast-root.compiled')]?.(script, file)
  const module = {exports: {}}
  const {createRequire} = process.getBuiltinModule('node:module')
  const dir = fileURLToPath(new URL('../dist', HERE))
  script.runInThisContext()(module.exports, createRequire(file), module, file, dir, bundleImport)
  return module.exports
}

/**
 * The bundle's import(): a built-in (node:http for a probe) without starting the ES module loader,
 * shaped as import() gives it (its exports, and itself as default); a package through import().
 */
function bundleImport(specifier) {
  if (!specifier.startsWith('node:')) return import(specifier)
  return Promise.resolve().then(() => {
    const builtin = process.getBuiltinModule(specifier)
    return {...builtin, default: builtin}
  })
}

/** The cache made for this bundle, or undefined (then V8 compiles the source). */
function codeCache(path, bundle, source) {
  let raw, stat
  try {
    const fd = openSync(path, 'r')
    try {
      stat = fstatSync(fd)
      raw = readFileSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    return undefined
  }
  if (!stat.isFile() || stat.uid !== bundle.uid || stat.mode & ~bundle.mode & 0o022) return undefined
  const end = raw.indexOf(10)
  let header
  try {
    header = JSON.parse(raw.subarray(0, end).toString())
  } catch {
    return undefined
  }
  if (header?.size !== bundle.size) return undefined
  if (header.mtimeMs !== bundle.mtimeMs) {
    // Copied or unpacked (npm sets every mtime): the content decides.
    const {createHash} = process.getBuiltinModule('node:crypto')
    if (createHash('sha256').update(source).digest('hex') !== header.sha256) return undefined
  }
  return raw.subarray(end + 1)
}

/**
 * Starts reading the kernel's socket tables in the thread pool, so the kernel's walks of its
 * connection hash (~1.6 ms each on the 2-core, 24 GB machine, however few sockets there are)
 * overlap compiling the bundle; the run's first socket snapshot takes them (src/probes/sockets.ts,
 * same order). A TCP table is read in 2 KiB reads and only as far as its listeners, which the
 * kernel lists first (SYN_RECV rows among them before Linux 4.4): the first row in another state
 * ends them. A read the kernel answers short is the end (seq_file fills a read of at most half its
 * 4 KiB page whole, unless the table ends), so the walk that would only find that is not asked for.
 */
function startNetTables() {
  if (process.platform !== 'linux') return
  const {open, read, close} = process.getBuiltinModule('node:fs')
  const LISTEN_OR_SYN_RECV = /^\s*\d+: \S+ \S+ (?:0A|03) /
  const table = (name, tcp) =>
    new Promise((resolve) => {
      open(`/proc/net/${name}`, 'r', (error, fd) => {
        if (error) return resolve('')
        const chunk = Buffer.alloc(tcp ? 2048 : 16 * 1024)
        // Whole rows kept so far, and the row a read cut: each row is looked at once.
        const rows = []
        let partial = ''
        const done = (text) => close(fd, () => resolve(text))
        const next = () =>
          read(fd, chunk, 0, chunk.length, null, (error, n) => {
            if (error) return done('')
            const lines = (partial + chunk.toString('latin1', 0, n)).split('\n')
            partial = lines.pop()
            for (const line of lines) {
              rows.push(line)
              if (tcp && rows.length > 1 && !LISTEN_OR_SYN_RECV.test(line)) return done(rows.join('\n') + '\n')
            }
            if (n === 0 || (tcp && n < chunk.length)) return done(rows.join('\n') + (rows.length > 0 ? '\n' : '') + partial)
            next()
          })
        next()
      })
    })
  // One after another, in one pool thread: the other core stays with the compile.
  const tables = table('tcp', true).then(async (tcp) => [tcp, await table('tcp6', true), await table('unix', false)])
  globalThis[Symbol.for('doctorkit.early-net-tables')] = {startedAtMs: Date.now(), tables}
}

async function main() {
  let handled = false
  if (!isCommand && !isVersion && !wantsHelp && manifest?.commands?.[ROOT]) {
    startNetTables()
    // The bundled fast path (scripts/bundle.mjs), else the compiled modules it is built from.
    const {tryFastRoot} = loadFastRoot() ?? (await import('../dist/src/cli/fast-root.js'))
    handled = await tryFastRoot(argv, manifest.commands[ROOT].flags)
  }
  if (!handled) {
    // A reader that closes stdout early, or a stdout that cannot take the output (a full disk), ends
    // the doctor with one line and exit 2 (src/cli/stdout.ts). Before oclif loads: its own
    // listener rethrows all but EPIPE, and the first listener to see the error decides.
    const {guardStdout} = await import('../dist/src/cli/stdout.js')
    guardStdout()
    const [{execute, Plugin}, {rootPjson}] = await Promise.all([import('@oclif/core'), import('./root-pjson.mjs')])
    // package.json `oclif` is the plugin view an oclif host loads (commands under `doctor`); this
    // binary loads its root view (bin/root-pjson.mjs). oclif.manifest.json is the plugin's, so the
    // root plugin reads its commands from the table itself.
    const root = fileURLToPath(new URL('..', HERE))
    const pjson = rootPjson()
    const plugin = new Plugin({root, pjson, isRoot: true, type: 'core', ignoreManifest: true})
    await plugin.load()
    // doctorkit has no user-installable plugins: skipping oclif's user-plugin lookup saves a file
    // read and a permission warning when run as a user whose HOME is not readable.
    await execute({
      args: isCommand || isVersion ? argv : [ROOT, ...argv],
      loadOptions: {root, pjson, plugins: new Map([[plugin.name, plugin]]), userPlugins: false},
    })
  }
}

// A rejection ends the process as an uncaught error (a stack, exit 1), as it did at top level.
main()
