/**
 * An empty RUNWISP_* variable is unset, as RunWisp reads it; RUNWISP_PORT and RUNWISP_AUTH are
 * trimmed first (runwisp-facts §1.1, §2.1, §3.3: root.go resolvePortConfig and daemon_config.go
 * resolveAuthMode trim the value, and `firstNonEmpty` takes "" for unset). A shell or unit that sets
 * one to "" must not turn a healthy daemon into a finding, nor move the port off its default.
 */
import assert from 'node:assert/strict'
import {chmodSync, chownSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createContext} from '../../src/context.js'
import {chosenPort} from '../../src/targets/runwisp/state.js'
import {jsonReport, runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {killRunwisps, startRunwisp} from './helpers.js'

const tmp = tmpDirs()
const NOBODY = 65534

const EMPTY: Record<string, Record<string, string>> = {
  'RUNWISP_PORT=""': {RUNWISP_PORT: ''},
  'RUNWISP_PORT="  "': {RUNWISP_PORT: '  '},
  'RUNWISP_DATA=""': {RUNWISP_DATA: ''},
  'RUNWISP_CONFIG=""': {RUNWISP_CONFIG: ''},
  'RUNWISP_AUTH=""': {RUNWISP_AUTH: ''},
  'RUNWISP_AUTH=" "': {RUNWISP_AUTH: ' '},
  'all of them empty': {RUNWISP_PORT: '', RUNWISP_DATA: '', RUNWISP_CONFIG: '', RUNWISP_AUTH: '', RUNWISP_SOCKET: ''},
}

describe('runwisp/env-empty: empty RUNWISP_* variables are unset', function () {
  this.timeout(120_000)
  afterEach(async () => {
    await killRunwisps()
    tmp.cleanup()
  })

  it('a healthy 0.16+ daemon started with them empty: doctor with the same empty variables finds nothing, as root and as its user', async () => {
    const home = tmp.make('runwisp-env-')
    chmodSync(home, 0o755)
    chownSync(home, NOBODY, NOBODY)
    const project = join(home, 'project')
    mkdirSync(project)
    chownSync(project, NOBODY, NOBODY)
    writeFileSync(join(project, 'runwisp.toml'), '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n')
    chownSync(join(project, 'runwisp.toml'), NOBODY, NOBODY)
    const dataDir = join(project, '.runwisp')
    // Started as its user types it, with every variable empty: RunWisp takes its defaults.
    await startRunwisp({
      generation: '0.16+',
      dataDir,
      cwd: project,
      dataFlag: false,
      binDir: home,
      asNobody: true,
      env: EMPTY['all of them empty'],
    })
    for (const [name, env] of Object.entries(EMPTY)) {
      for (const asNobody of [true, false]) {
        const where = `${name}, doctor as ${asNobody ? 'nobody' : 'root'}`
        const r = await runCli(['--json', '--target', 'runwisp'], {cwd: project, env: {HOME: home, ...env}, asNobody})
        const report = jsonReport(r)
        const bad = report.checks.filter(
          (c) => c.target === 'runwisp' && (c.status === 'fail' || c.status === 'warn' || c.status === 'error'),
        )
        assert.deepEqual(bad, [], `${where}: ${JSON.stringify(bad, null, 2)}`)
        assert.equal(r.code, 0, `${where}: ${r.stderr}`)
        const target = report.targets.find((t) => t.id === 'runwisp')!
        assert.equal(target.dataDir, dataDir, `${where}: ${JSON.stringify(target)}`)
        const passed = report.checks.filter((c) => c.target === 'runwisp' && c.status === 'pass').map((c) => c.id)
        for (const id of ['config-valid', 'daemon-health', 'duplicate-daemon'])
          assert.ok(passed.includes(id), `${where}: ${id} did not pass`)
      }
    }
  })

  it('the port: "" and blanks leave the default, a padded number is that port, as resolvePortConfig reads it', async () => {
    // An empty directory and no daemon of its own: the port comes from the environment or the default.
    const cwd = tmp.make('runwisp-port-')
    const port = async (value: string) => {
      const ctx = createContext({env: {RUNWISP_PORT: value}, cwd, home: cwd})
      try {
        return await chosenPort(ctx, null)
      } finally {
        await ctx.close()
      }
    }
    assert.deepEqual(await port(''), {port: 9477, source: 'the default since 0.4'})
    assert.deepEqual(await port('   '), {port: 9477, source: 'the default since 0.4'})
    assert.deepEqual(await port(' 9478 '), {port: 9478, source: 'RUNWISP_PORT'})
    assert.deepEqual(await port('+9479'), {port: 9479, source: 'RUNWISP_PORT'})
  })
})
