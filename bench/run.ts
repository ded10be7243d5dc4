/**
 * `npm run bench`: measures doctor side by side with its baselines in one run, and how its cost
 * grows with the machine. Writes bench/results/latest.json and the README's results table.
 * Loopback only; every process it starts is stopped before it exits.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import {cpus, totalmem, tmpdir, release} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {median, round, timeCommand, timeScale, type CommandStats, type ScaleStats} from './measure.js'
import {optionalCases, scaleCases} from './scale.js'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const DOCTOR = join(REPO, 'bin/run.js')
const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const quick = process.argv.includes('--quick')

const started: ChildProcess[] = []
const scratch: string[] = []
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'doctorkit-bench-'))
  scratch.push(dir)
  return dir
}

function cleanup(): void {
  for (const child of started) child.kill('SIGKILL')
  for (const dir of scratch) rmSync(dir, {recursive: true, force: true})
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

async function executorBinary(): Promise<string | null> {
  try {
    const helper = await import('../test/helpers/executor-cli.js')
    return helper.executorBinary()
  } catch (error) {
    log(`(real Executor unavailable: ${(error as Error).message})`)
    return null
  }
}

async function startRealExecutor(bin: string, home: string): Promise<ChildProcess> {
  const child = spawn(bin, ['daemon', 'run', '--foreground', '--port', '4788', '--hostname', '127.0.0.1'], {
    cwd: home,
    env: {...process.env, HOME: home, EXECUTOR_DISABLE_UPDATE_CHECK: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  started.push(child)
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('executor daemon did not start in 30 s')), 30_000)
    const onData = (c: Buffer) => {
      out += c.toString()
      if (out.includes('Daemon ready')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
  })
  return child
}

/** A fake RunWisp daemon, when the build has the fixture (issue 3). */
async function startFakeRunwisp(home: string): Promise<{env: NodeJS.ProcessEnv} | null> {
  const fixture = join(REPO, 'fixtures', 'runwisp-daemon.ts')
  if (!existsSync(fixture)) return null
  const helper = join(REPO, 'bench', 'runwisp.ts')
  if (!existsSync(helper)) return null
  const mod = (await import(pathToFileURL(helper).href).catch(() => null)) as {
    startBenchRunwisp?: (home: string) => Promise<{child: ChildProcess; env: NodeJS.ProcessEnv}>
  } | null
  if (!mod?.startBenchRunwisp) return null
  const {child, env} = await mod.startBenchRunwisp(home)
  started.push(child)
  return {env}
}

/** Import cost of each heavy module, each in a fresh process (median of 5). */
function moduleStartup(): Array<{module: string; medianMs: number}> {
  const modules = [
    'node:http',
    '@oclif/core',
    'listr2',
    'chalk',
    'systeminformation',
    'smol-toml',
    'tar',
    './dist/fast-root.cjs',
    './dist/src/engine/doctor.js',
    './dist/src/cli/commands.js',
  ]
  return modules.map((module) => {
    const samples: number[] = []
    for (let i = 0; i < 5; i++) {
      const code = `const t=performance.now();await import(${JSON.stringify(module)});process.stdout.write(String(performance.now()-t))`
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {cwd: REPO, encoding: 'utf8'})
      if (r.status === 0) samples.push(Number(r.stdout))
    }
    return {module, medianMs: samples.length ? round(median(samples)) : NaN}
  })
}

interface Results {
  machine: {cpus: number; cpuModel: string; memoryGb: number; node: string; kernel: string; date: string}
  commands: CommandStats[]
  ratios: Record<string, number>
  startup: Array<{module: string; medianMs: number}>
  scale: ScaleStats[]
  notes: string[]
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'oclif.manifest.json'))) throw new Error('build first: npm install (or npm run build)')
  const notes: string[] = []
  const runs = quick ? 5 : RUNS
  const commands: CommandStats[] = []
  const empty = tmp()
  const emptyEnv = {HOME: empty, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'}

  log('baselines…')
  commands.push(timeCommand('node -e 0 (bare start-up)', [process.execPath, '-e', '0'], {runs}))
  log('doctor on an empty machine…')
  const bare = [process.execPath, '-e', '0']
  commands.push(
    timeCommand('doctor --json, nothing running', [process.execPath, DOCTOR, '--json'], {env: emptyEnv, cwd: empty, runs, against: bare}),
  )
  commands.push(timeCommand('doctor --help', [process.execPath, DOCTOR, '--help'], {env: emptyEnv, cwd: empty, runs}))

  log('embedding: the library, in-process and in a compiled Bun host…')
  const entry = pathToFileURL(join(REPO, 'dist/index.js')).href
  commands.push(
    timeCommand('node: import of the library', [process.execPath, '--input-type=module', '-e', `await import(${JSON.stringify(entry)})`], {
      env: emptyEnv,
      cwd: empty,
      runs,
    }),
  )
  const inProcess = `const {runDoctor} = await import(${JSON.stringify(entry)}); await runDoctor(); process.exit(0)`
  commands.push(
    timeCommand('node: runDoctor() in-process, nothing running', [process.execPath, '--input-type=module', '-e', inProcess], {
      env: emptyEnv,
      cwd: empty,
      runs,
    }),
  )
  const bun = join(REPO, 'node_modules/.bin/bun')
  const hostBin = join(tmp(), 'host')
  const compiled = existsSync(bun)
    ? spawnSync(bun, ['build', '--compile', join(REPO, 'fixtures/host-cli/host.ts'), '--outfile', hostBin], {cwd: REPO, timeout: 240_000})
    : null
  if (compiled?.status === 0) {
    commands.push(timeCommand('bun -e 0 (bare start-up)', [bun, '-e', '0'], {runs}))
    commands.push(
      timeCommand('compiled host: host doctor --json, nothing running', [hostBin, 'doctor', '--json'], {env: emptyEnv, cwd: empty, runs}),
    )
  } else notes.push('bun (devDependency) is missing or could not compile fixtures/host-cli; the Bun rows are missing.')

  const bin = await executorBinary()
  if (bin) {
    log('real Executor daemon…')
    const home = tmp()
    const daemon = await startRealExecutor(bin, home)
    const env = {HOME: home, EXECUTOR_DATA_DIR: '', NO_COLOR: '1', EXECUTOR_DISABLE_UPDATE_CHECK: '1'}
    commands.push(timeCommand('executor daemon status (daemon running)', [bin, 'daemon', 'status'], {env, cwd: home, runs}))
    commands.push(
      timeCommand('doctor --json, real Executor daemon', [process.execPath, DOCTOR, '--json'], {env, cwd: home, runs, against: bare}),
    )
    daemon.kill('SIGKILL')
    await new Promise((resolve) => daemon.once('exit', resolve))
  } else notes.push('The real Executor CLI could not be installed; its rows are missing.')

  const rwHome = tmp()
  const runwisp = await startFakeRunwisp(rwHome)
  if (runwisp) {
    log('fake RunWisp daemon…')
    commands.push(
      timeCommand('doctor --json, fake RunWisp daemon', [process.execPath, DOCTOR, '--json'], {
        env: {...runwisp.env, NO_COLOR: '1'},
        cwd: rwHome,
        runs,
        against: bare,
      }),
    )
  } else notes.push('No fake RunWisp daemon in this build; that row is missing.')

  log('doctor bundle over 2.1 GB of logs…')
  const bigHome = tmp()
  const bigLogs = join(bigHome, '.executor', 'logs')
  mkdirSync(join(bigHome, '.executor', 'server-control'), {recursive: true})
  mkdirSync(bigLogs, {recursive: true})
  for (const name of ['daemon.log', 'daemon.error.log']) {
    // Sparse: the real size of a 1 GB log each, without the disk cost.
    const fd = openSync(join(bigLogs, name), 'w')
    ftruncateSync(fd, Math.round(1.05 * 1024 ** 3))
    writeSync(fd, 'Daemon ready on http://localhost:4789\n', Math.round(1.05 * 1024 ** 3) - 64)
    closeSync(fd)
  }
  commands.push(
    timeCommand('doctor bundle, 2.1 GB of logs', [process.execPath, DOCTOR, 'bundle', '--force', '--output', join(bigHome, 'b.tar.gz')], {
      env: {HOME: bigHome, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'},
      cwd: bigHome,
      runs: Math.min(runs, 7),
    }),
  )

  const byLabel = (prefix: string) => commands.find((c) => c.label.startsWith(prefix))
  const node = byLabel('node -e 0')!
  const ratios: Record<string, number> = {}
  // Two decimals: issue 14's lines are 1.5x and 1.9x. Measured against node -e 0 run by run.
  for (const c of commands.filter((x) => x.label.startsWith('doctor --json')))
    ratios[`${c.label} / bare node`] = c.ratioToBaseline ?? Number((c.medianMs / node.medianMs).toFixed(2))
  const bunBare = byLabel('bun -e 0')
  for (const [label, base] of [
    ['node: import of the library', node],
    ['node: runDoctor() in-process', node],
    ['compiled host: host doctor --json', bunBare],
  ] as const) {
    const row = byLabel(label)
    if (row && base) ratios[`${row.label} / ${base.label.replace(/ \(.*/, '')}`] = round(row.medianMs / base.medianMs)
  }
  const status = byLabel('executor daemon status')
  const withExecutor = byLabel('doctor --json, real Executor')
  if (status && withExecutor)
    ratios['doctor (real Executor) / executor daemon status'] = Number((withExecutor.medianMs / status.medianMs).toFixed(2))

  log('module start-up…')
  const startup = moduleStartup()
  log('scale cases…')
  const scale: ScaleStats[] = []
  for (const c of [...scaleCases(quick), ...(await optionalCases(quick))]) {
    log(`  ${c.label}…`)
    try {
      scale.push(await timeScale(c.label, c.unit, c.sizes, c.prepare, c.runs))
    } catch (error) {
      notes.push(`${c.label}: not measured (${(error as Error).message})`)
    } finally {
      await c.teardown?.()
    }
  }

  const results: Results = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      kernel: release(),
      date: new Date().toISOString(),
    },
    commands,
    ratios,
    startup,
    scale,
    notes,
  }
  mkdirSync(join(REPO, 'bench', 'results'), {recursive: true})
  // The results are committed: no path of the machine that measured them (node, the checkout, temp dirs).
  writeFileSync(join(REPO, 'bench', 'results', 'latest.json'), withoutMachinePaths(JSON.stringify(results, null, 2)) + '\n')
  const table = renderTable(results)
  process.stdout.write(table + '\n')
  if (!quick) updateReadme(table)
}

function renderTable(r: Results): string {
  const lines = [
    `Measured by \`npm run bench\` on ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}, Linux ${r.machine.kernel} (${r.machine.date.slice(0, 10)}); medians of ${r.commands[0]?.runs ?? '?'} runs.`,
    '',
    '| command | median | p90 | peak RSS |',
    '| --- | ---: | ---: | ---: |',
    ...r.commands.map((c) => `| ${c.label} | ${c.medianMs} ms | ${c.p90Ms} ms | ${c.peakRssMb ?? '–'} MB |`),
    '',
    '| ratio | value |',
    '| --- | ---: |',
    ...Object.entries(r.ratios).map(([k, v]) => `| ${k} | ${v}× |`),
    '',
    'The `doctor --json … / bare node` ratios are medians of per-round ratios: each doctor run is timed right after a `node -e 0` of its own, so a machine whose speed drifts during the bench moves both alike.',
    '',
    '| start-up cost of a module (fresh process, import only) | median |',
    '| --- | ---: |',
    ...r.startup.map((m) => `| \`${m.module}\` | ${m.medianMs} ms |`),
    '',
    '| scale case | sizes → median ms | slope | growth exponent |',
    '| --- | --- | ---: | ---: |',
    ...r.scale.map(
      (s) =>
        `| ${s.label} | ${s.points.map((p) => `${p.size}: ${p.medianMs}`).join(', ')} | ${s.slopeMsPerUnit} ms/${s.unit} | ${s.growthExponent} |`,
    ),
  ]
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `- ${n}`))
  return lines.join('\n')
}

function updateReadme(table: string): void {
  const path = join(REPO, 'README.md')
  const text = readFileSync(path, 'utf8')
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  if (!text.includes(start)) return
  writeFileSync(path, text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), `${start}\n${table}\n${end}`))
}

// Stop by itself: the daemons it started would otherwise keep the event loop (and themselves) alive.
main()
  .catch((error) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`)
    process.exitCode = 1
  })
  .finally(() => {
    cleanup()
    process.exit()
  })

/** `node`, `.` and `$TMPDIR` for the node binary, the checkout and the temp dir the run used. */
export function withoutMachinePaths(text: string): string {
  const escape = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return text
    .replace(new RegExp(escape(process.execPath), 'g'), 'node')
    .replace(new RegExp(escape(REPO) + '/?', 'g'), './')
    .replace(new RegExp(escape(tmpdir()), 'g'), '$TMPDIR')
}
