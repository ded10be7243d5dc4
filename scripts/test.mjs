#!/usr/bin/env node
// The mocha part of `npm test`: the test files split into shards that run side by side, each in a
// network and PID namespace of its own (unshare). The tests use what a machine has one of — fixed
// product ports (4788, 9477), the process table the doctor scans, the kernel's ephemeral ports —
// so two mocha processes sharing a machine see each other's daemons and fail each other's checks
// (a healthy host judged broken by another file's daemon). Inside its namespaces a shard has its
// own loopback and sees only its own processes, and whatever it leaves running ends with it.
// Where namespaces are not available (not root, a container without CAP_SYS_ADMIN) the files run
// in one mocha process, as `npx mocha` would.
//
//   node scripts/test.mjs [files or directories…]   the whole suite, or only these
//   DOCTORKIT_TEST_SHARDS=1                           one shard, no namespaces
//   node scripts/test.mjs --record-timings            also rewrite test/timings.json
//   node scripts/test.mjs --static                    first typecheck, lint and format:check, side by side
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const TIMINGS = join(REPO, 'test', 'timings.json')
const MOCHA = join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js')
/** A file not in test/timings.json yet counts as this many ms when the shards are balanced. */
const UNKNOWN_FILE_MS = 3_000

const args = process.argv.slice(2)
const record = args.includes('--record-timings')
const given = args.filter((a) => !a.startsWith('--'))
const files = (given.length > 0 ? given : ['test']).flatMap((p) => testFiles(resolve(p))).sort()
if (files.length === 0) {
  console.error(`no test files under ${given.join(' ') || 'test/'}`)
  process.exit(2)
}

if (args.includes('--static')) await staticChecks()

const timings = readTimings()
const wanted = Number(process.env.DOCTORKIT_TEST_SHARDS ?? Math.min(3, Math.max(1, availableParallelism())))
const isolation = wanted > 1 ? namespacesUsable() : {ok: false, why: 'DOCTORKIT_TEST_SHARDS=1'}
const shards = isolation.ok ? balance(files, Math.min(wanted, files.length)) : [files]
if (!isolation.ok && wanted > 1) console.log(`(one mocha process for all files: ${isolation.why})`)

const scratch = mkdtempSync(join(tmpdir(), 'doctorkit-shards-'))
const started = Date.now()
const results = await Promise.all(shards.map((shard, i) => runShard(shard, i)))
rmSync(scratch, {recursive: true, force: true})

const total = {passed: 0, failed: 0, skipped: 0}
const measured = {}
let crashed = false
for (const r of results) {
  if (shards.length > 1)
    process.stdout.write(`\n── shard ${r.index + 1}/${shards.length}: ${r.files.length} files, ${Math.round(r.ms / 1000)} s ──\n`)
  if (!r.streamed) process.stdout.write(r.output)
  const counts = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(r.output)
  if (counts) {
    total.passed += Number(counts[1])
    total.failed += Number(counts[2])
    total.skipped += Number(counts[3])
  }
  if (r.code !== 0 && (!counts || Number(counts[2]) === 0)) {
    crashed = true
    process.stdout.write(`\nshard ${r.index + 1} ended with ${r.signal ?? `exit code ${r.code}`} without a failing test to show for it\n`)
  }
  Object.assign(measured, r.timings)
}
if (record) {
  const merged = {...timings, ...measured}
  const sorted = Object.fromEntries(
    Object.keys(merged)
      .sort()
      .filter((f) => existsSync(join(REPO, f)))
      .map((f) => [f, merged[f]]),
  )
  writeFileSync(TIMINGS, `${JSON.stringify(sorted, null, 2)}\n`)
}
const wall = Math.round((Date.now() - started) / 1000)
if (shards.length > 1)
  process.stdout.write(`\nall shards (${wall} s): ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`)
process.exit(total.failed > 0 || crashed ? 1 : 0)

/** `npm run typecheck`, `lint` and `format:check` at once (each is mostly one core); any failure ends the run. */
async function staticChecks() {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm']
  const runs = await Promise.all(
    ['typecheck', 'lint', 'format:check'].map(
      (script) =>
        new Promise((done) => {
          const child = spawn(npm[0], [...npm.slice(1), 'run', '--silent', script], {cwd: REPO, stdio: ['ignore', 'pipe', 'pipe']})
          let output = ''
          child.stdout.on('data', (c) => (output += c))
          child.stderr.on('data', (c) => (output += c))
          child.on('error', (e) => done({script, code: 1, output: String(e)}))
          child.on('close', (code) => done({script, code, output}))
        }),
    ),
  )
  for (const r of runs) {
    process.stdout.write(`${r.code === 0 ? '✔' : '✖'} npm run ${r.script}\n`)
    if (r.code !== 0) process.stdout.write(r.output)
  }
  if (runs.some((r) => r.code !== 0)) process.exit(1)
}

function testFiles(path) {
  if (!existsSync(path)) {
    console.error(`${relative(REPO, path) || path}: no such file or directory`)
    process.exit(2)
  }
  if (statSync(path).isFile()) return [relative(REPO, path)]
  return readdirSync(path, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? testFiles(join(path, e.name)) : e.name.endsWith('.test.ts') ? [relative(REPO, join(path, e.name))] : [],
  )
}

function readTimings() {
  try {
    return JSON.parse(readFileSync(TIMINGS, 'utf8'))
  } catch {
    return {}
  }
}

/** Longest first onto the lightest shard; each shard then runs its files in path order. */
function balance(list, count) {
  const bins = Array.from({length: count}, () => ({ms: 0, files: []}))
  const weight = (f) => (typeof timings[f] === 'number' ? timings[f] : UNKNOWN_FILE_MS)
  for (const f of [...list].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))) {
    const lightest = bins.reduce((min, b) => (b.ms < min.ms ? b : min))
    lightest.ms += weight(f)
    lightest.files.push(f)
  }
  return bins.map((b) => b.files.sort()).filter((b) => b.length > 0)
}

/** Whether this process may make a network and PID namespace with a loopback up in it. */
function namespacesUsable() {
  if (process.platform !== 'linux') return {ok: false, why: `namespaces are Linux's (${process.platform})`}
  const probe = spawnSync('unshare', ['--net', '--pid', '--fork', '--mount-proc', 'sh', '-c', 'ip link set lo up'], {
    encoding: 'utf8',
    timeout: 10_000,
  })
  if (probe.error) return {ok: false, why: `unshare could not run (${probe.error.code ?? probe.error.message})`}
  if (probe.status !== 0) return {ok: false, why: `unshare --net --pid failed: ${(probe.stderr || '').trim().split('\n')[0]}`}
  return {ok: true}
}

/**
 * One mocha process over `list`. In namespaces, sh stays PID 1 (not exec'd): it reaps the orphans
 * the tests leave, which a node PID 1 would keep as zombies, and a zombie looks alive in /proc.
 */
function runShard(list, index) {
  const timingsFile = join(scratch, `timings-${index}.json`)
  const mocha = [process.execPath, MOCHA, ...(process.stdout.isTTY ? ['--color'] : []), ...list]
  const argv = isolation.ok
    ? ['unshare', '--net', '--pid', '--fork', '--mount-proc', 'sh', '-c', 'ip link set lo up && "$@"; exit $?', 'sh', ...mocha]
    : mocha
  const begun = Date.now()
  return new Promise((done) => {
    // Output is kept and shown per shard, whole, when the shard ends: interleaved lines of two
    // spec reporters cannot be read. A single shard streams as mocha itself would.
    const streaming = shards.length === 1
    const child = spawn(argv[0], argv.slice(1), {
      cwd: REPO,
      env: {...process.env, DOCTORKIT_TEST_TIMINGS: timingsFile},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // A streamed shard keeps only its tail, for the closing line's counts.
    let output = ''
    const take = (stream) => (chunk) => {
      if (streaming) {
        stream.write(chunk)
        if (stream === process.stdout) output = (output + chunk).slice(-400)
      } else output += chunk
    }
    child.stdout.on('data', take(process.stdout))
    child.stderr.on('data', take(process.stderr))
    child.on('close', (code, signal) => {
      let measured = {}
      try {
        measured = JSON.parse(readFileSync(timingsFile, 'utf8'))
      } catch {
        // a shard that crashed before its end wrote none
      }
      done({index, files: list, code, signal, output, streamed: streaming, ms: Date.now() - begun, timings: measured})
    })
  })
}
