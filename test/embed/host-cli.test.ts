/**
 * doctorkit embedded in another program: fixtures/host-cli (an Executor-like host importing only
 * the package's public entry) compiled with `bun build --compile` into one executable, then run
 * against real broken states — the real Executor 1.5.9 killed with SIGKILL, a foreign server
 * squatting on 4788 — beside `doctor --json` on the same state. The same host runs uncompiled
 * under Node and under Bun (processes, sockets, files and HTTP probes behave the same there).
 */
import assert from 'node:assert/strict'
import type {ChildProcess} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {runCli, runProgram, type CliResult} from '../helpers/cli.js'
import {startExecutorDaemon} from '../helpers/executor-cli.js'
import {executorBinary} from '../helpers/executor-cli.js'
import {waitForFreePort} from '../helpers/ports.js'
import {killAll, REPO, startFixture, stop, TSX} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const PORT = 4788
const BUN = join(REPO, 'node_modules/.bin/bun')
const HOST_SOURCE = join(REPO, 'fixtures/host-cli/host.ts')
const FORCE = ['--target', 'executor']
const SQUAT_LINE = 'Port 4788 is in use. Starting daemon on available port 47912 instead.'

/** What two reports must agree on: which targets were found, and each check's status and symptoms. */
function verdicts(report: Report): string[] {
  return [
    ...report.targets.map((t) => `target ${t.id} detected=${t.detected} forced=${t.forced}`),
    ...report.checks.map((c) => `${c.target}:${c.id} ${c.status} [${c.findings.map((f) => f.symptom).join(', ')}]`),
  ]
}

function parsed(ran: CliResult, what: string): Report {
  let report: Report
  try {
    report = JSON.parse(ran.stdout) as Report
  } catch {
    throw new Error(`${what} printed no JSON report (exit ${ran.code}):\n${ran.stdout}\n${ran.stderr}`)
  }
  assertValidReport(report)
  return report
}

describe('embedding: the host CLI compiled with bun build --compile', function () {
  this.timeout(180_000)
  let binDir: string
  let host: string
  let daemon: ChildProcess | undefined

  before(async function () {
    this.timeout(300_000)
    assert.ok(existsSync(join(REPO, 'dist/index.js')), 'the package entry dist/index.js is missing: run `npm run build` first')
    assert.ok(existsSync(BUN), 'bun is missing from node_modules/.bin: `npm install` installs it (devDependency)')
    executorBinary()
    // One compile per run, into a temp dir of its own.
    binDir = mkdtempSync(join(tmpdir(), 'doctorkit-host-bin-'))
    host = join(binDir, 'host')
    const built = await runProgram([BUN, 'build', '--compile', HOST_SOURCE, '--outfile', host], {
      env: process.env,
      cwd: REPO,
      timeoutMs: 240_000,
    })
    assert.equal(built.code, 0, `bun build --compile failed:\n${built.stdout}\n${built.stderr}`)
  })

  after(() => rmSync(binDir, {recursive: true, force: true}))

  beforeEach(() => waitForFreePort(PORT))

  afterEach(async () => {
    if (daemon) {
      daemon.kill('SIGKILL')
      await new Promise((resolve) =>
        daemon!.exitCode !== null || daemon!.signalCode !== null ? resolve(null) : daemon!.once('exit', resolve),
      )
      daemon = undefined
    }
    await killAll()
    tmp.cleanup()
  })

  const envFor = (home: string): NodeJS.ProcessEnv => ({...process.env, HOME: home, EXECUTOR_DATA_DIR: '', NO_COLOR: '1', CI: '1'})

  async function both(home: string, args: string[] = []): Promise<{doctor: Report; host: Report}> {
    const cli = await runCli(['--json', ...args], {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, cwd: home})
    const embedded = await runProgram([host, 'doctor', '--json', ...args], {env: envFor(home), cwd: home})
    return {doctor: parsed(cli, 'doctor --json'), host: parsed(embedded, 'host doctor --json')}
  }

  async function squatter(): Promise<{pid: number; child: ChildProcess}> {
    const s = await startFixture('squatter.ts', ['--port', String(PORT)])
    return {pid: s.pid, child: s.child}
  }

  it('reports what doctor --json reports on a real Executor 1.5.9 killed with SIGKILL', async () => {
    const home = tmp.make()
    daemon = await startExecutorDaemon(home, PORT)
    const manifest = JSON.parse(readFileSync(join(home, '.executor/server-control/server.json'), 'utf8')) as {pid: number}
    daemon.kill('SIGKILL')
    await new Promise((resolve) => daemon!.once('exit', resolve))
    daemon = undefined
    const {doctor, host: embedded} = await both(home)
    assert.deepEqual(verdicts(embedded), verdicts(doctor))
    const stale = embedded.checks.find((c) => c.id === 'stale-manifest' && c.target === 'executor')!
    assert.equal(stale.status, 'fail')
    assert.ok(
      stale.findings.some((f) => f.evidence.pid === manifest.pid),
      JSON.stringify(stale),
    )
  })

  it('reports what doctor --json reports with a foreign server squatting on 4788, and exits 1 as doctor does', async () => {
    const home = tmp.make()
    const s = await squatter()
    // A fresh HOME has no Executor state: the target is forced, as `--target executor` does.
    const {doctor, host: embedded} = await both(home, FORCE)
    assert.deepEqual(verdicts(embedded), verdicts(doctor))
    const squat = embedded.checks.find((c) => c.id === 'port-squatter' && c.target === 'executor')!
    assert.equal(squat.status, 'fail')
    assert.ok(
      squat.findings.some((f) => f.message.includes(`pid ${s.pid}`)),
      JSON.stringify(squat),
    )
    assert.notEqual(embedded.checks.find((c) => c.id === 'daemon-health' && c.target === 'executor')?.status, 'pass')
    const code = (await runProgram([host, 'doctor', '--json', ...FORCE], {env: envFor(home), cwd: home})).code
    assert.equal(code, 1)
    await stop(s.child)
  })

  it('explains a message as doctor explain does', async () => {
    const home = tmp.make()
    const embedded = await runProgram([host, 'doctor', 'explain', '--json', SQUAT_LINE], {env: envFor(home), cwd: home})
    const cli = await runCli(['explain', '--json', SQUAT_LINE], {env: {HOME: home}, cwd: home})
    assert.equal(embedded.code, 0, embedded.stderr)
    assert.equal(embedded.stdout, cli.stdout)
    assert.equal((JSON.parse(embedded.stdout) as {matches: Array<{symptom: string}>}).matches[0]?.symptom, 'executor/port-squatter')
    const human = await runProgram([host, 'doctor', 'explain', SQUAT_LINE], {env: envFor(home), cwd: home})
    assert.match(human.stdout, /confirm: host doctor --only port-squatter --target executor/)
  })

  it('writes a bundle that doctor bundle verify finds clean', async () => {
    const home = tmp.make()
    daemon = await startExecutorDaemon(home, PORT)
    daemon.kill('SIGKILL')
    await new Promise((resolve) => daemon!.once('exit', resolve))
    daemon = undefined
    const written = await runProgram([host, 'doctor', 'bundle', '--output', 'b.tar.gz'], {env: envFor(home), cwd: home})
    assert.equal(written.code, 0, written.stderr)
    assert.match(written.stdout, /^Wrote b\.tar\.gz \(\d+ files/)
    assert.equal(statSync(join(home, 'b.tar.gz')).mode & 0o777, 0o600)
    const verified = await runCli(['bundle', 'verify', join(home, 'b.tar.gz')], {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, cwd: home})
    assert.equal(verified.code, 0, verified.stdout + verified.stderr)
    // The bundle holds the doctor's report of the dead daemon's state.
    const tar = await runProgram(['tar', '-xzOf', join(home, 'b.tar.gz'), 'report.json'], {env: process.env, cwd: home})
    const inside = JSON.parse(tar.stdout) as Report
    assert.equal(inside.checks.find((c) => c.id === 'stale-manifest' && c.target === 'executor')?.status, 'fail')
  })

  it('still works copied into an empty directory with no node_modules, no NODE_PATH and no node on PATH', async () => {
    const alone = tmp.make()
    const home = tmp.make()
    copyFileSync(host, join(alone, 'host'))
    const s = await squatter()
    const env = {PATH: join(alone, 'no-such-bin'), HOME: home, NO_COLOR: '1'}
    const ran = await runProgram([join(alone, 'host'), 'doctor', '--json', ...FORCE], {env, cwd: alone})
    const report = parsed(ran, 'the copied host binary')
    assert.equal(report.checks.find((c) => c.id === 'port-squatter' && c.target === 'executor')?.status, 'fail')
    const explained = await runProgram([join(alone, 'host'), 'doctor', 'explain', '--json', SQUAT_LINE], {env, cwd: alone})
    assert.equal(explained.code, 0, explained.stderr)
    await stop(s.child)
  })

  it('uncompiled, under Node and under Bun, gives the report doctor --json gives', async () => {
    const home = tmp.make()
    const s = await squatter()
    const cli = parsed(await runCli(['--json', ...FORCE], {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, cwd: home}), 'doctor --json')
    const underNode = await runProgram([process.execPath, '--import', TSX, HOST_SOURCE, 'doctor', '--json', ...FORCE], {
      env: envFor(home),
      cwd: home,
    })
    const underBun = await runProgram([BUN, HOST_SOURCE, 'doctor', '--json', ...FORCE], {env: envFor(home), cwd: home})
    assert.equal(cli.checks.find((c) => c.id === 'port-squatter' && c.target === 'executor')?.status, 'fail')
    assert.deepEqual(verdicts(parsed(underNode, 'host under node')), verdicts(cli))
    assert.deepEqual(verdicts(parsed(underBun, 'host under bun')), verdicts(cli))
    await stop(s.child)
  })
})
