import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, renameSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import serviceUnit from '../../checks/service-unit.js'
import {createContext} from '../../src/context.js'
import {lingerState, parseLaunchdPlist, parseSystemdUnit} from '../../src/targets/executor/service-unit.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {executorShim} from '../helpers/processes.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'

/** The unit `executor service install` writes on Linux (executor-facts §8), systemd-quoted. */
function unitText(binary: string, opts: {port?: number; version?: string; dataDir: string}): string {
  const logs = join(opts.dataDir, 'logs')
  return [
    '[Unit]',
    'Description=Executor supervised daemon',
    'After=default.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart="${binary}" daemon run --foreground --port ${opts.port ?? 4789} --hostname 127.0.0.1`,
    `Environment="EXECUTOR_SUPERVISED=1" "EXECUTOR_DATA_DIR=${opts.dataDir}" "EXECUTOR_SCOPE_DIR=${opts.dataDir}"`,
    `Environment="EXECUTOR_SERVICE_VERSION=${opts.version ?? '1.5.35'}" "PATH=/usr/bin:/bin"`,
    `WorkingDirectory=${opts.dataDir}`,
    `StandardOutput=append:${logs}/daemon.log`,
    `StandardError=append:${logs}/daemon.error.log`,
    'Restart=on-failure',
    'RestartSec=5s',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n')
}

describe('executor config: service-unit', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  /** A home with an installed unit, and an npm-installed `executor` of `cliVersion` on PATH. */
  function setup(opts: {binary?: string; unitVersion?: string; cliVersion?: string; unitDataDir?: string; port?: number} = {}) {
    const home = tmp.make()
    const dataDir = join(home, '.executor')
    const binary = opts.binary ?? executorShim(join(home, '.executor'))
    const unitPath = join(home, '.config', 'systemd', 'user', 'sh.executor.daemon.service')
    writeTree(home, {
      '.config/systemd/user/sh.executor.daemon.service': unitText(binary, {
        dataDir: opts.unitDataDir ?? dataDir,
        version: opts.unitVersion,
        port: opts.port,
      }),
    })
    const pkg = join(tmp.make(), 'node_modules', 'executor')
    writeTree(pkg, {
      'package.json': JSON.stringify({name: 'executor', version: opts.cliVersion ?? '1.5.35'}),
      'bin/executor': '#!/usr/bin/env node\n',
    })
    chmodSync(join(pkg, 'bin', 'executor'), 0o755)
    return {home, dataDir, unitPath, env: {HOME: home, PATH: join(pkg, 'bin')}}
  }

  it('parses the unit the way systemd splits it', () => {
    const unit = parseSystemdUnit('/u', unitText('/opt/my tools/executor', {dataDir: '/home/a/.executor', port: 4790}))
    assert.ok(unit.ok)
    assert.deepEqual(unit.value.program.slice(0, 3), ['/opt/my tools/executor', 'daemon', 'run'])
    assert.equal(unit.value.port, 4790)
    assert.equal(unit.value.env.EXECUTOR_SERVICE_VERSION, '1.5.35')
    assert.equal(unit.value.stderrLog, '/home/a/.executor/logs/daemon.error.log')
  })

  it('parses the launchd plist', () => {
    const plist = `<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>sh.executor.daemon</string>
<key>ProgramArguments</key><array><string>/Users/a/.executor/bin/executor</string><string>daemon</string><string>run</string><string>--foreground</string><string>--port</string><string>4789</string></array>
<key>EnvironmentVariables</key><dict><key>EXECUTOR_SERVICE_VERSION</key><string>1.5.27</string><key>EXECUTOR_DATA_DIR</key><string>/Users/a/.executor</string></dict>
<key>StandardErrorPath</key><string>/Users/a/.executor/logs/daemon.error.log</string></dict></plist>`
    const parsed = parseLaunchdPlist('/p', plist)
    assert.ok(parsed.ok)
    assert.equal(parsed.value.program[0], '/Users/a/.executor/bin/executor')
    assert.equal(parsed.value.env.EXECUTOR_SERVICE_VERSION, '1.5.27')
    assert.equal(parsed.value.stderrLog, '/Users/a/.executor/logs/daemon.error.log')
  })

  it("reads lingering from logind's linger files", async () => {
    const root = tmp.make()
    // Probes are memoised per run: each question gets a fresh context, as each doctor run does.
    const ask = async () => {
      const ctx = createContext({env: {}})
      try {
        return (await lingerState(ctx, 'alice', root)).state
      } finally {
        await ctx.close()
      }
    }
    assert.equal(await ask(), 'unknown')
    mkdirSync(join(root, 'run', 'systemd', 'system'), {recursive: true})
    assert.equal(await ask(), 'off')
    writeTree(root, {'var/lib/systemd/linger/alice': ''})
    assert.equal(await ask(), 'on')
  })

  it('skips when no service is installed', async () => {
    const home = tmp.make()
    expectResult(await runCheck(serviceUnit, {cwd: home, home, env: {HOME: home}}), {
      status: 'skip',
      mentions: ['no Executor service is installed'],
    })
  })

  it('passes for a unit whose binary exists and whose version matches the CLI', async () => {
    const {home, env} = setup()
    expectResult(await runCheck(serviceUnit, {cwd: home, home, env}), {status: 'pass'})
  })

  it('follows a unit that is a symlink (home-manager, stow), as systemd does', async () => {
    const {home, unitPath, env} = setup()
    const store = join(tmp.make(), 'home-manager-files', 'sh.executor.daemon.service')
    mkdirSync(dirname(store), {recursive: true})
    renameSync(unitPath, store)
    symlinkSync(store, unitPath)
    expectResult(await runCheck(serviceUnit, {cwd: home, home, env}), {status: 'pass'})
  })

  it("fails when the unit's binary is gone, and names the logs", async () => {
    const {home, env, dataDir} = setup({binary: '/nonexistent/executor-1.5.30/bin/executor'})
    expectResult(await runCheck(serviceUnit, {cwd: home, home, env}), {
      status: 'fail',
      symptoms: ['executor/service-binary-missing'],
      mentions: ['no longer exists', 'executor service install', join(dataDir, 'logs', 'daemon.error.log')],
    })
  })

  it('warns on version drift, a data dir the CLI does not use, and MCP clients on the other port', async () => {
    const {home, env} = setup({unitVersion: '1.5.27', cliVersion: '1.5.35', unitDataDir: '/srv/executor-data'})
    writeTree(home, {'.cursor/mcp.json': JSON.stringify({mcpServers: {executor: {url: 'http://127.0.0.1:4788/mcp'}}})})
    const result = await runCheck(serviceUnit, {cwd: home, home, env})
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/service-version-drift', 'executor/service-data-dir-differs', 'executor/service-port-mismatch'],
      mentions: ['installed by Executor 1.5.27', '1.5.35', '/srv/executor-data', 'http://127.0.0.1:4788', 'serves port 4789'],
    })
  })

  it('warns against a downgrade', async () => {
    const {home, env} = setup({unitVersion: '1.5.35', cliVersion: '1.5.30'})
    expectResult(await runCheck(serviceUnit, {cwd: home, home, env}), {
      status: 'warn',
      symptoms: ['executor/service-version-drift'],
      mentions: ['do not downgrade'],
    })
  })

  it('reports a unit it cannot use', async () => {
    const {home, env, unitPath} = setup()
    writeFileSync(unitPath, '[Service]\nType=simple\n')
    expectResult(await runCheck(serviceUnit, {cwd: home, home, env}), {
      status: 'fail',
      symptoms: ['executor/service-unit-invalid'],
      mentions: ['no ExecStart'],
    })
  })
})
