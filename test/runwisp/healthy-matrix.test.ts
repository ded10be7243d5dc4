/**
 * No false alarm on a healthy machine: each generation's healthy daemon, started as a user starts
 * it (no --data: its generation's default from its working directory and uid, runwisp-facts
 * §1.1), as root and as its own unprivileged user, checked by `doctor` — no flags — from the
 * daemon's own directory, from its parent, from an unrelated directory, with HOME there or
 * elsewhere. Every run exits 0 and nothing fails, warns or errors. The daemons keep runwisp.db
 * closed: the doctor must learn their data dirs from their own facts, not from an open database.
 */
import assert from 'node:assert/strict'
import {chmodSync, chownSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {jsonReport, runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {killRunwisps, startRunwisp, type Generation, type RunwispDaemon} from './helpers.js'

const tmp = tmpDirs()

/** A config each generation loads without complaint (its own key spellings, runwisp-facts §5.1). */
const TOML: Record<Generation, string> = {
  '0.3-0.4': '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\nparallelism = 1\n',
  '0.5-0.15': '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\nmax_concurrent = 1\n',
  '0.16+': '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\nmax_concurrent = 1\non_overlap = "kill"\n[notifiers.ops]\ntype = "slack"\n',
}

type User = 'root' | 'nobody'

/**
 * How each daemon is started, as its generation's users start it. Root's 0.16+ default is
 * /var/lib/runwisp and /etc/runwisp/runwisp.toml (§1.1), which a test must not touch: that daemon
 * is pointed at its directory through RUNWISP_DATA / RUNWISP_CONFIG, relative, as a user would.
 */
const START: Record<Generation, Record<User, {dataDirName: string; env?: Record<string, string>}>> = {
  '0.3-0.4': {root: {dataDirName: 'data'}, nobody: {dataDirName: 'data'}},
  '0.5-0.15': {root: {dataDirName: '.runwisp'}, nobody: {dataDirName: '.runwisp'}},
  '0.16+': {
    root: {dataDirName: '.runwisp', env: {RUNWISP_DATA: '.runwisp', RUNWISP_CONFIG: 'runwisp.toml'}},
    nobody: {dataDirName: '.runwisp'},
  },
}

const NOBODY = 65534

function dir(parent: string | null, owner: User): string {
  const path = parent ? join(parent, 'project') : tmp.make('runwisp-matrix-')
  if (parent) mkdirSync(path)
  chmodSync(path, 0o755)
  if (owner === 'nobody') chownSync(path, NOBODY, NOBODY)
  return path
}

describe('runwisp/healthy-matrix: no false alarm on a healthy machine', function () {
  this.timeout(120_000)
  afterEach(async () => {
    await killRunwisps()
    tmp.cleanup()
  })

  for (const generation of ['0.3-0.4', '0.5-0.15', '0.16+'] as const) {
    for (const user of ['root', 'nobody'] as const) {
      it(`${generation} as ${user}: from its directory, its parent and an unrelated one, HOME there or elsewhere`, async () => {
        const home = dir(null, user)
        const project = dir(home, user)
        const unrelated = dir(null, user)
        const elsewhere = dir(null, user)
        writeFileSync(join(project, 'runwisp.toml'), TOML[generation])
        if (user === 'nobody') chownSync(join(project, 'runwisp.toml'), NOBODY, NOBODY)
        const how = START[generation][user]
        const dataDir = join(project, how.dataDirName)
        const daemon = await startRunwisp({
          generation,
          dataDir,
          cwd: project,
          dataFlag: false,
          binDir: home,
          asNobody: user === 'nobody',
          env: how.env ?? {},
          fake: {dbClosed: true},
        })
        const runs = [
          {cwd: project, home, adopted: false},
          {cwd: project, home: elsewhere, adopted: false},
          {cwd: home, home: elsewhere, adopted: true},
          {cwd: unrelated, home: elsewhere, adopted: true},
        ]
        for (const run of runs) await expectHealthy(generation, daemon, dataDir, project, run, user)
      })
    }
  }
})

async function expectHealthy(
  generation: Generation,
  daemon: RunwispDaemon,
  dataDir: string,
  project: string,
  run: {cwd: string; home: string; adopted: boolean},
  user: User,
): Promise<void> {
  const env = {HOME: run.home}
  const result = await runCli(['--json'], {cwd: run.cwd, env, asNobody: user === 'nobody'})
  const where = `doctor as ${user} in ${run.cwd} with HOME=${run.home}`
  const report = jsonReport(result)
  const bad = report.checks.filter((c) => c.status === 'fail' || c.status === 'error' || (c.target === 'runwisp' && c.status === 'warn'))
  assert.deepEqual(bad, [], `${where}: ${JSON.stringify(bad, null, 2)}`)
  assert.equal(result.code, 0, `${where}: ${result.stderr}`)
  const target = report.targets.find((t) => t.id === 'runwisp')!
  assert.equal(target.detected, true, `${where}: ${JSON.stringify(target)}`)
  assert.equal(target.dataDir, dataDir, `${where}: ${JSON.stringify(target)}`)
  assert.equal(target.generation, generation, `${where}: ${target.generationReason}`)
  if (run.adopted) {
    // Where it learnt the data dir and config is said: the daemon's pid, and the fact it read.
    const said = target.reasons.join('\n')
    assert.ok(said.includes(`data dir ${dataDir} (the data dir of the running RunWisp daemon pid ${daemon.pid}`), `${where}: ${said}`)
    assert.ok(
      said.includes(`config ${join(project, 'runwisp.toml')} (the config of the running RunWisp daemon pid ${daemon.pid}`),
      `${where}: ${said}`,
    )
  }
  const ran = report.checks.filter((c) => c.target === 'runwisp' && c.status === 'pass').map((c) => c.id)
  for (const id of ['duplicate-daemon', 'daemon-health', 'config-valid'])
    assert.ok(
      ran.includes(id),
      `${where}: ${id} did not pass (${JSON.stringify(report.checks.find((c) => c.id === id && c.target === 'runwisp'))})`,
    )
}
