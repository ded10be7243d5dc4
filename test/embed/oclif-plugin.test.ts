/**
 * doctorkit as an oclif plugin: fixtures/oclif-host lists it in `oclif.plugins` and gets every
 * command under `fixture doctor …`, with help under its own name; doctorkit's own `doctor` binary
 * keeps the same commands at its root. The host is installed as a user installs one: a
 * node_modules holding doctorkit (this checkout) and @oclif/core.
 */
import assert from 'node:assert/strict'
import {cpSync, existsSync, mkdirSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import type {Report} from '../../src/types.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import {REPO} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const SQUAT_LINE = 'Port 4788 is in use. Starting daemon on available port 47912 instead.'

/** The host's own `bin/run.js`, run from `home` as its user would. */
function fixture(dir: string, home: string, args: string[]): Promise<CliResult> {
  return runCli(args, {bin: join(dir, 'bin/run.js'), cwd: home, env: {HOME: home, EXECUTOR_DATA_DIR: ''}, timeoutMs: 60_000})
}

describe('embedding: doctorkit as an oclif plugin', function () {
  this.timeout(120_000)
  let host: string
  let home: string

  before(() => {
    assert.ok(existsSync(join(REPO, 'oclif.manifest.json')), 'oclif.manifest.json is missing: run `npm run build` first')
    host = tmp.make()
    home = tmp.make()
    cpSync(join(REPO, 'fixtures/oclif-host'), host, {recursive: true})
    mkdirSync(join(host, 'node_modules/@oclif'), {recursive: true})
    symlinkSync(REPO, join(host, 'node_modules/doctorkit'))
    symlinkSync(join(REPO, 'node_modules/@oclif/core'), join(host, 'node_modules/@oclif/core'))
  })

  after(() => tmp.cleanup())

  it('runs `fixture doctor --json`: one schema-valid report, with doctor --json’s checks', async () => {
    const ran = await fixture(host, home, ['doctor', '--json', '--target', 'executor'])
    const report = JSON.parse(ran.stdout) as Report
    assertValidReport(report)
    const own = JSON.parse(
      (await runCli(['--json', '--target', 'executor'], {env: {HOME: home, EXECUTOR_DATA_DIR: ''}, cwd: home})).stdout,
    ) as Report
    assert.deepEqual(
      report.checks.map((c) => `${c.target}:${c.id} ${c.status}`),
      own.checks.map((c) => `${c.target}:${c.id} ${c.status}`),
    )
  })

  it('explains under `fixture doctor explain`', async () => {
    const ran = await fixture(host, home, ['doctor', 'explain', '--json', SQUAT_LINE])
    assert.equal(ran.code, 0, ran.stderr)
    assert.equal((JSON.parse(ran.stdout) as {matches: Array<{symptom: string}>}).matches[0]?.symptom, 'executor/port-squatter')
  })

  it("gives help under the host's name, and lists the doctor topic beside the host's own commands", async () => {
    const help = await fixture(host, home, ['doctor', '--help'])
    assert.equal(help.code, 0, help.stderr)
    assert.match(help.stdout, /\$ fixture doctor \[FLAGS\]/)
    assert.match(help.stdout, /\$ fixture doctor --fix --dry-run/)
    const root = await fixture(host, home, ['--help'])
    assert.match(root.stdout, /^ {2}doctor /m)
    assert.match(root.stdout, /^ {2}status /m)
    for (const sub of ['bundle', 'bundle verify', 'explain', 'checks', 'preflight', 'undo']) {
      const page = await fixture(host, home, ['doctor', ...sub.split(' '), '--help'])
      assert.equal(page.code, 0, `fixture doctor ${sub} --help: ${page.stderr}`)
      assert.match(page.stdout, new RegExp(`\\$ fixture doctor ${sub}`), page.stdout)
    }
  })

  it('runs `fixture doctor checks --json` and `fixture doctor undo --list`', async () => {
    const checks = await fixture(host, home, ['doctor', 'checks', '--json'])
    assert.ok((JSON.parse(checks.stdout) as {checks: unknown[]}).checks.length > 10)
    const undo = await fixture(host, home, ['doctor', 'undo', '--list', '--json'])
    assert.equal(undo.code, 0, undo.stderr)
    assert.deepEqual((JSON.parse(undo.stdout) as {runs: unknown[]}).runs, [])
  })

  it("leaves doctorkit's own binary with its commands at the root", async () => {
    const help = await runCli(['--help'], {cwd: home, env: {HOME: home}})
    assert.match(help.stdout, /^ {2}checks /m)
    assert.doesNotMatch(help.stdout, /doctor doctor/)
    const checks = await runCli(['checks', '--json'], {cwd: home, env: {HOME: home}})
    assert.equal(checks.code, 0, checks.stderr)
  })
})
