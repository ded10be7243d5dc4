/**
 * The generic fix guard (issue 13 §1), as root against links another user planted: `nobody`
 * (runuser) points a secret, or the whole data dir, at a root-owned 0644 file or directory. Root's
 * `doctor --fix --yes` must leave what the link points at unchanged — mode, owner, bytes — and
 * offer only manual commands for what sits behind another user's link.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, lstatSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FixStep} from '../../src/fix/types.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {hashTree} from './helpers.js'

const NOBODY = 65534
const tmp = tmpDirs()

describe('fix/planted-links', () => {
  afterEach(() => tmp.cleanup())

  before(function () {
    if (process.getuid?.() !== 0) throw new Error('these tests plant links as another user: run them as root (the CI container does)')
  })

  /** Runs `sh -c script` as nobody; util-linux's runuser is part of the test image. */
  function asNobody(script: string, ...args: string[]): void {
    const result = spawnSync('runuser', ['-u', 'nobody', '--', 'sh', '-c', script, 'sh', ...args], {encoding: 'utf8'})
    assert.equal(result.status, 0, `runuser -u nobody failed (util-linux is needed): ${result.stderr}`)
  }

  /** A root-owned 0644 file in a root-owned 0755 dir: what a planted link aims root's fix at. */
  function rootFile(root: string) {
    const dir = join(root, 'system')
    mkdirSync(dir)
    chmodSync(dir, 0o755)
    const file = join(dir, 'passwd')
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/sh\n')
    chmodSync(file, 0o644)
    return {dir, file}
  }

  function machine() {
    const root = tmp.make()
    chmodSync(root, 0o755)
    const home = join(root, 'home')
    mkdirSync(home)
    chownSync(home, NOBODY, NOBODY)
    const state = join(root, 'state')
    const env = {HOME: home, DOCTORKIT_STATE_DIR: state, XDG_STATE_HOME: '', EXECUTOR_DATA_DIR: '', PATH: '/usr/bin:/bin'}
    const doctor = (args: string[]) =>
      runCli(['--target', 'executor', '--skip', 'port-squatter,daemon-health,clock-skew', ...args], {env, timeoutMs: 60_000})
    return {root, home, dataDir: join(home, '.executor'), doctor}
  }

  const acting = (steps: Array<{step: FixStep; status: string}>) => steps.filter((s) => s.step.kind !== 'manual')

  it("Executor: server-control/auth.json planted by nobody as a link to a root-owned 0644 file: root's --fix --yes leaves that file unchanged", async () => {
    const m = machine()
    const target = rootFile(m.root)
    asNobody('mkdir -p -m 700 "$1/server-control" && ln -s "$2" "$1/server-control/auth.json"', m.dataDir, target.file)
    const before = hashTree(target.dir)
    const report = jsonReport(await m.doctor(['--fix', '--yes', '--json']))
    assert.deepEqual(hashTree(target.dir), before, 'the root-owned file kept its mode, owner and bytes')
    assert.equal(lstatSync(target.file).uid, 0)
    assert.ok(lstatSync(join(m.dataDir, 'server-control', 'auth.json')).isSymbolicLink(), "nobody's link is theirs to replace")
    assert.deepEqual(
      acting(report.fix!.steps).filter((s) => s.status === 'applied'),
      [],
      JSON.stringify(report.fix),
    )
    const manual = report.fix!.steps.filter((s) => s.step.kind === 'manual').map((s) => s.step as Extract<FixStep, {kind: 'manual'}>)
    // Copying what a planted link leads to would hand root's copy of any file to the link's owner
    // (a new file in their directory, readable until the chmod): the commands replace the link with
    // an empty private file instead, after a look at where it leads.
    const instructions = manual.flatMap((s) => s.instructions)
    assert.ok(
      instructions.some((i) => i.startsWith('install -m 600 /dev/null')),
      JSON.stringify(report.fix),
    )
    assert.ok(!instructions.some((i) => i.startsWith('cp ')), JSON.stringify(report.fix))
  })

  it('Executor: a data dir that is a link planted by nobody to a root-owned dir: nothing in it is moved or chmod-ed, and the commands are printed', async () => {
    const m = machine()
    const target = rootFile(m.root)
    // What the link leads to looks like a broken Executor data dir: a truncated manifest, a 0644 bearer token.
    const victim = join(m.root, 'victim-data')
    mkdirSync(join(victim, 'server-control'), {recursive: true})
    chmodSync(victim, 0o755)
    writeFileSync(join(victim, 'server-control', 'server.json'), '{"version":1,"kind":"cli-dae')
    writeFileSync(join(victim, 'server-control', 'auth.json'), JSON.stringify({token: 'c'.repeat(43)}))
    chmodSync(join(victim, 'server-control', 'auth.json'), 0o644)
    asNobody('ln -s "$2" "$1"', m.dataDir, victim)
    const before = hashTree(victim)
    const targetBefore = hashTree(target.dir)
    const report = jsonReport(await m.doctor(['--fix', '--yes', '--json']))
    assert.deepEqual(hashTree(victim), before, "nothing behind nobody's link changed")
    assert.deepEqual(hashTree(target.dir), targetBefore)
    assert.deepEqual(acting(report.fix!.steps), [], JSON.stringify(report.fix))
    const manual = report.fix!.steps.map((s) => s.step as Extract<FixStep, {kind: 'manual'}>)
    assert.ok(
      manual.some((s) => s.why.includes(`${m.dataDir}, on the way to`) && s.why.includes('owned by uid 65534')),
      JSON.stringify(report.fix),
    )
    assert.ok(
      manual.some((s) => s.instructions.some((i) => i.startsWith('mv -- ') && i.includes('server.json'))),
      JSON.stringify(report.fix),
    )
  })

  it("a data dir reached through a link owned by root (the machine's layout) is still repaired", async () => {
    const root = tmp.make()
    chmodSync(root, 0o755)
    const real = join(root, 'real-home')
    mkdirSync(join(real, '.executor', 'server-control'), {recursive: true})
    writeFileSync(join(real, '.executor', 'server-control', 'server.json'), '{"version":1,"kind":"cli-dae')
    const home = join(root, 'home')
    spawnSync('ln', ['-s', real, home])
    const env = {HOME: home, DOCTORKIT_STATE_DIR: join(root, 'state'), XDG_STATE_HOME: '', EXECUTOR_DATA_DIR: '', PATH: '/usr/bin:/bin'}
    const report = jsonReport(await runCli(['--target', 'executor', '--only', 'stale-manifest', '--fix', '--json'], {env}))
    assert.deepEqual(
      report.fix!.steps.map((s) => [s.step.kind, s.status]),
      [['quarantine', 'applied']],
      JSON.stringify(report.fix),
    )
  })
})
