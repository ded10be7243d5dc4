import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import authEnv from '../../checks/auth-env.js'
import tokenDrift from '../../checks/token-drift.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'

describe('executor config: auth-env and token-drift', () => {
  const tmp = tmpDirs()
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  /** A home with a running (fake, current-generation) daemon: real server.json and auth.json. */
  async function daemonHome(generation: 'current' | 'legacy' = 'current') {
    const home = tmp.make()
    const dataDir = join(home, '.executor')
    const daemon = await startFixture('executor-daemon.ts', [
      'daemon',
      'run',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--generation',
      generation,
    ])
    return {home, dataDir, token: daemon.ready.token as string, origin: daemon.ready.origin as string, pid: daemon.pid}
  }

  it('passes on a healthy install with a plain environment', async () => {
    const {home} = await daemonHome()
    expectResult(await runCheck(authEnv, {cwd: home, home, env: {HOME: home}}), {status: 'pass'})
    expectResult(await runCheck(tokenDrift, {cwd: home, home, env: {HOME: home}}), {status: 'pass'})
  })

  it('warns that an exported token disables auto-start, says where it is set, never prints it', async () => {
    const {home, token} = await daemonHome()
    writeFileSync(join(home, '.bashrc'), `alias ll='ls -l'\nexport EXECUTOR_AUTH_TOKEN=${token}\n`)
    const result = await runCheck(authEnv, {cwd: home, home, env: {HOME: home, EXECUTOR_AUTH_TOKEN: token}})
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/env-token-set'],
      mentions: ['EXECUTOR_AUTH_TOKEN', '~/.bashrc line 2', 'auto-start', 'matches the local server'],
    })
    assert.ok(!JSON.stringify(result).includes(token), 'the token value must never be printed')
  })

  it('fails when the exported token disagrees with the running server (401), never printing either', async () => {
    const {home, token} = await daemonHome()
    const stale = 'stale-token-0123456789abcdefghijklmnopqrstuvwxyz'
    const result = await runCheck(authEnv, {cwd: home, home, env: {HOME: home, EXECUTOR_API_KEY: stale, EXECUTOR_AUTH_TOKEN: token}})
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/env-token-mismatch'],
      mentions: ['EXECUTOR_API_KEY', '401', 'EXECUTOR_API_KEY wins'],
    })
    const dump = JSON.stringify(result)
    assert.ok(!dump.includes(stale) && !dump.includes(token), 'no secret value in the result')
  })

  it('warns on a global EXECUTOR_WEB_BASE_URL and a relative EXECUTOR_DATA_DIR', async () => {
    const home = tmp.make()
    const result = await runCheck(authEnv, {
      cwd: home,
      home,
      env: {HOME: home, EXECUTOR_WEB_BASE_URL: 'https://user:secret@executor.example.com', EXECUTOR_DATA_DIR: 'state/executor'},
    })
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/env-web-base-url', 'executor/env-relative-data-dir'],
      mentions: ['https://***@executor.example.com', `export EXECUTOR_DATA_DIR=${join(home, 'state/executor')}`],
    })
    assert.ok(!JSON.stringify(result).includes('secret@'))
  })

  it("does not flag EXECUTOR_WEB_BASE_URL when it is the daemon's own origin", async () => {
    const home = tmp.make()
    expectResult(await runCheck(authEnv, {cwd: home, home, env: {HOME: home, EXECUTOR_WEB_BASE_URL: 'http://localhost:4788/'}}), {
      status: 'pass',
    })
  })

  it('reports a default profile that overrides the running local daemon', async () => {
    const {home, dataDir, origin} = await daemonHome()
    const profiles = {
      version: 1,
      defaultProfile: 'cloud',
      profiles: [
        {
          name: 'cloud',
          connection: {origin: 'https://executor.sh', auth: {kind: 'oauth', accessToken: 'at-secret', refreshToken: 'rt-secret'}},
        },
      ],
    }
    writeFileSync(join(dataDir, 'server-connections.json'), JSON.stringify(profiles, null, 2))
    const result = await runCheck(authEnv, {cwd: home, home, env: {HOME: home}})
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/default-profile-overrides'],
      mentions: ['"cloud"', 'https://executor.sh', origin],
    })
    assert.ok(!JSON.stringify(result).includes('at-secret'))
  })

  it('fails on a default profile that does not exist, and reports a corrupt profiles file', async () => {
    const home = tmp.make()
    const dataDir = join(home, '.executor')
    writeTree(dataDir, {'server-connections.json': JSON.stringify({version: 1, defaultProfile: 'gone', profiles: []})})
    expectResult(await runCheck(authEnv, {cwd: home, home, env: {HOME: home}}), {
      status: 'fail',
      symptoms: ['executor/default-profile-missing'],
      mentions: ['"gone"'],
    })
    writeFileSync(join(dataDir, 'server-connections.json'), '{"version": 1, "profiles": [')
    expectResult(await runCheck(authEnv, {cwd: home, home, env: {HOME: home}}), {
      status: 'warn',
      symptoms: ['executor/connections-invalid'],
      mentions: ['not valid JSON'],
    })
  })

  it('token-drift: auth.json rotated without a restart, with fingerprints and no token values', async () => {
    const {home, dataDir, token} = await daemonHome()
    const rotated = 'rotated-token-abcdefghijklmnopqrstuvwxyz0123456789'
    await new Promise((r) => setTimeout(r, 50)) // file mtimes use the kernel's coarse clock: step past it
    writeFileSync(join(dataDir, 'server-control', 'auth.json'), JSON.stringify({token: rotated}, null, 2) + '\n', {mode: 0o600})
    const result = await runCheck(tokenDrift, {cwd: home, home, env: {HOME: home}})
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/token-drift'],
      mentions: ['sha256', '"rotatedAfterStart": true', 'executor daemon restart'],
    })
    const dump = JSON.stringify(result)
    assert.ok(!dump.includes(rotated) && !dump.includes(token))
  })

  it('token-drift: a missing or malformed auth.json means the next start mints a new token', async () => {
    const {home, dataDir} = await daemonHome()
    const auth = join(dataDir, 'server-control', 'auth.json')
    writeFileSync(auth, '{"token": ""}')
    expectResult(await runCheck(tokenDrift, {cwd: home, home, env: {HOME: home}}), {
      status: 'fail',
      symptoms: ['executor/auth-json-invalid'],
      mentions: ['empty string', 'replaces it with a new token'],
    })
    writeFileSync(auth, '{"tok')
    expectResult(await runCheck(tokenDrift, {cwd: home, home, env: {HOME: home}}), {
      status: 'fail',
      symptoms: ['executor/auth-json-invalid'],
      mentions: ['not valid JSON'],
    })
    const {rmSync} = await import('node:fs')
    rmSync(auth)
    expectResult(await runCheck(tokenDrift, {cwd: home, home, env: {HOME: home}}), {
      status: 'fail',
      symptoms: ['executor/auth-json-missing'],
      mentions: ['mints a new token'],
    })
  })

  it('token-drift: never confuses the file-secrets auth.json with the bearer file', async () => {
    const {home, dataDir} = await daemonHome()
    writeFileSync(join(dataDir, 'auth.json'), JSON.stringify({'provider-item-1': 'user-secret'}), {mode: 0o600})
    writeTree(home, {'.local/share/executor/auth.json': JSON.stringify({other: 'x'})})
    expectResult(await runCheck(tokenDrift, {cwd: home, home, env: {HOME: home, EXECUTOR_DATA_DIR: dataDir}}), {status: 'pass'})
  })

  it('judges 1.5.9 by its own rules: no auth.json is not a finding, and env tokens mean nothing to it', async () => {
    const {home} = await daemonHome('legacy')
    expectResult(await runCheck(tokenDrift, {cwd: home, home, env: {HOME: home}}), {status: 'skip', mentions: ['1.5.9']})
    expectResult(await runCheck(authEnv, {cwd: home, home, env: {HOME: home, EXECUTOR_AUTH_TOKEN: 'x'}}), {status: 'pass'})
  })
})
