/**
 * A RunWisp data dir that is a symlink: `./.runwisp -> /somewhere`, planted by another user
 * (`nobody`, for real) in a shared working directory, or made by the user on purpose. It is a
 * finding of its own, and no RunWisp plan acts through it: root's `doctor --fix --yes` leaves what
 * it points at exactly as it was (modes, bytes, inodes), and prints the exact commands instead.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, lstatSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FixStep} from '../../src/fix/types.js'
import {expectResult, checkById, runCheck} from '../helpers/check-table.js'
import {cleanup, tmp, runwispAt} from './helpers.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {deadPid} from '../helpers/processes.js'
import {hashTree} from '../fix/helpers.js'

const NOBODY = 65534

/** `ln -s target link` run as nobody: the link is nobody's, as one planted by another user is. */
function plantAsNobody(target: string, link: string): void {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'ln', '-s', target, link], {encoding: 'utf8'})
  assert.equal(r.status, 0, r.stderr)
  assert.equal(lstatSync(link).uid, NOBODY)
}

/**
 * A shared working directory (1777, like /tmp) holding a runwisp.toml, and a victim directory of
 * root's that looks like a RunWisp data dir a doctor would repair: 0755, a world-readable password,
 * a daemon.pid naming a dead pid.
 */
async function plantedState() {
  const shared = tmp.make('runwisp-shared-')
  chmodSync(shared, 0o1777)
  writeFileSync(join(shared, 'runwisp.toml'), '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\nparallelism = 1\n')
  const victim = join(tmp.make('runwisp-victim-'), 'precious')
  mkdirSync(victim)
  chmodSync(victim, 0o755)
  writeFileSync(join(victim, 'password'), 'root-only\n')
  chmodSync(join(victim, 'password'), 0o644)
  writeFileSync(join(victim, 'daemon.pid'), `${await deadPid()}\n`)
  chmodSync(join(victim, 'daemon.pid'), 0o644)
  writeFileSync(join(victim, 'runwisp.db'), '')
  const link = join(shared, '.runwisp')
  plantAsNobody(victim, link)
  return {shared, victim, link}
}

const acting = (plan: FixStep[] | undefined) => (plan ?? []).filter((s) => s.kind !== 'manual')

describe('runwisp: a data dir that is a symlink', () => {
  afterEach(cleanup)

  it('planted by another user: a failure naming where it points and who owns it; no plan acts through it', async () => {
    const {shared, victim, link} = await plantedState()
    const result = await runCheck(checkById('data-dir-permissions'), runwispAt(shared, {port: 1}))
    expectResult(result, {
      status: 'fail',
      symptoms: ['runwisp/data-dir-symlink', 'runwisp/data-dir-mode'],
      mentions: [`The data dir ${link} is a symlink to ${victim}`, 'owned by nobody', 'another user could have planted it', `rm ${link}`],
    })
    const mode = result.findings.find((f) => f.symptom === 'runwisp/data-dir-mode')!
    assert.deepEqual(acting(mode.plan), [], JSON.stringify(mode.plan))
    const manual = mode.plan![0] as Extract<FixStep, {kind: 'manual'}>
    assert.ok(manual.instructions.includes(`chmod 0700 -- ${victim}`), JSON.stringify(manual))
    assert.match(manual.why, /does not act through a link/)
    for (const id of ['stale-manifest', 'secret-permissions', 'symlinked-secret', 'daemon-health', 'stale-lock']) {
      const other = await runCheck(checkById(id), runwispAt(shared, {port: 1}))
      for (const f of other.findings) assert.deepEqual(acting(f.plan), [], `${id}: ${JSON.stringify(f.plan)}`)
    }
    const stale = await runCheck(checkById('stale-manifest'), runwispAt(shared, {port: 1}))
    assert.ok(
      stale.findings.some((f) =>
        f.plan?.some(
          (s) => s.kind === 'manual' && s.instructions.includes(`mv -- ${join(victim, 'daemon.pid')} ${join(victim, 'daemon.pid')}.bak`),
        ),
      ),
      JSON.stringify(stale),
    )
  })

  it("secret-permissions, written once, honours RunWisp's guard: the loose secrets behind a planted link get the commands on the real paths", async () => {
    const {shared, victim} = await plantedState()
    const result = await runCheck(checkById('secret-permissions'), runwispAt(shared, {port: 1}))
    expectResult(result, {status: 'fail', symptoms: ['runwisp/secret-mode'], mentions: ['does not act through a link']})
    assert.equal(result.findings.length, 2, JSON.stringify(result.findings))
    for (const f of result.findings) {
      assert.deepEqual(acting(f.plan), [], JSON.stringify(f.plan))
      const manual = f.plan![0] as Extract<FixStep, {kind: 'manual'}>
      assert.ok(
        manual.instructions.some((i) => i.startsWith('chmod 0600 -- ') && i.includes(victim)),
        JSON.stringify(manual),
      )
    }
  })

  it('a link of your own is a warning, and still not acted through', async () => {
    const cwd = tmp.make('runwisp-own-link-')
    writeFileSync(join(cwd, 'runwisp.toml'), '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n')
    const big = join(tmp.make('runwisp-bigdisk-'), 'runwisp-data')
    mkdirSync(big, {mode: 0o755})
    chmodSync(big, 0o755)
    symlinkSync(big, join(cwd, '.runwisp'))
    const result = await runCheck(checkById('data-dir-permissions'), runwispAt(cwd, {port: 1}))
    expectResult(result, {status: 'warn', symptoms: ['runwisp/data-dir-symlink', 'runwisp/data-dir-mode'], mentions: ['owned by root']})
    for (const f of result.findings) assert.deepEqual(acting(f.plan), [])
  })

  it('a link that leads nowhere fails: RunWisp cannot create its data dir through it', async () => {
    const cwd = tmp.make('runwisp-dangling-')
    writeFileSync(join(cwd, 'runwisp.toml'), '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n')
    symlinkSync(join(cwd, 'gone'), join(cwd, '.runwisp'))
    expectResult(await runCheck(checkById('data-dir-permissions'), runwispAt(cwd, {port: 1})), {
      status: 'fail',
      symptoms: ['runwisp/data-dir-symlink'],
      mentions: ['it leads nowhere'],
    })
  })

  it("root's `doctor --fix --yes` on a planted link leaves the target untouched", async () => {
    const {shared, victim, link} = await plantedState()
    const before = hashTree(victim)
    const stateDir = join(tmp.make('runwisp-state-'), 'state')
    const env = {HOME: tmp.make('runwisp-home-'), DOCTORKIT_STATE_DIR: stateDir, XDG_STATE_HOME: '', TZ: 'UTC', PATH: '/usr/bin:/bin'}
    const result = await runCli(['--target', 'runwisp', '--runwisp-port', '1', '--fix', '--yes', '--json'], {
      cwd: shared,
      env,
      timeoutMs: 60_000,
    })
    const report = jsonReport(result)
    assert.deepEqual(hashTree(victim), before, 'the directory the planted link points at is exactly as it was')
    assert.equal(lstatSync(link).isSymbolicLink(), true, 'the link itself is not touched either')
    const applied = report.fix!.steps.filter((s) => s.status !== 'manual' && s.status !== 'planned')
    assert.deepEqual(applied, [], JSON.stringify(applied, null, 2))
    const finding = report.checks.flatMap((c) => c.findings).find((f) => f.symptom === 'runwisp/data-dir-symlink')
    assert.ok(finding && finding.severity === 'fail' && finding.message.includes(victim), JSON.stringify(finding))
    assert.equal(result.code, 1, 'the planted link is a failure')
  })
})
