import assert from 'node:assert/strict'
import {chmodSync, lchownSync, symlinkSync, writeFileSync, renameSync} from 'node:fs'
import {join} from 'node:path'
import secretPermissions from '../../checks/secret-permissions.js'
import symlinkedSecret from '../../checks/symlinked-secret.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'
import {skipOrFail} from '../helpers/tools.js'

describe('executor config: secret-permissions and symlinked-secret', () => {
  const tmp = tmpDirs()
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  async function install(generation: 'current' | 'legacy' = 'current') {
    const home = tmp.make()
    const dataDir = join(home, '.executor')
    await startFixture('executor-daemon.ts', ['daemon', 'run', '--data-dir', dataDir, '--port', '0', '--generation', generation])
    return {home, dataDir, env: {HOME: home}}
  }

  it('passes on files written the way Executor writes them (0600)', async () => {
    const {home, env} = await install()
    expectResult(await runCheck(secretPermissions, {cwd: home, home, env}), {status: 'pass'})
    expectResult(await runCheck(symlinkedSecret, {cwd: home, home, env}), {status: 'pass'})
  })

  it('judges 1.5.9 by its own rules: its 0644 files carry no credential, so they are not findings', async () => {
    const {home, dataDir, env} = await install('legacy')
    writeTree(dataDir, {
      'daemon-active-localhost-0123456789abcdef01234567.json': JSON.stringify({
        version: 1,
        hostname: 'localhost',
        port: 4788,
        pid: 1,
        startedAt: 'x',
        scopeDir: null,
        scopeId: 'cwd:/x',
        token: '6f1c1c5e-0d5e-4f7a-9b1e-2d3c4b5a6978',
      }),
    })
    chmodSync(join(dataDir, 'server-control', 'server.json'), 0o644)
    expectResult(await runCheck(secretPermissions, {cwd: home, home, env}), {status: 'pass'})
  })

  it('fails on a world-readable bearer file and OAuth profiles; warns on group-only access', async () => {
    const {home, dataDir, env} = await install()
    chmodSync(join(dataDir, 'server-control', 'auth.json'), 0o644)
    writeFileSync(
      join(dataDir, 'server-connections.json'),
      JSON.stringify({
        version: 1,
        defaultProfile: null,
        profiles: [
          {name: 'cloud', connection: {origin: 'https://executor.sh', auth: {kind: 'oauth', accessToken: 'at', refreshToken: 'rt'}}},
        ],
      }),
      {mode: 0o640},
    )
    chmodSync(join(dataDir, 'server-connections.json'), 0o640)
    const result = await runCheck(secretPermissions, {cwd: home, home, env})
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/secret-mode'],
      mentions: ['0644', 'every user on this machine', 'local bearer token', '0640', "members of the file's group", 'chmod 600'],
    })
    assert.deepEqual(result.findings.map((f) => f.severity).sort(), ['fail', 'warn'])
  })

  it('covers the file-secrets store in the data dir and under XDG, never confusing it with the bearer', async () => {
    const {home, dataDir, env} = await install()
    writeFileSync(join(dataDir, 'auth.json'), '{"item": "secret"}', {mode: 0o644})
    writeTree(home, {'.local/share/executor/auth.json.v1-v2-abc123': '{"item": "secret"}'})
    chmodSync(join(home, '.local/share/executor/auth.json.v1-v2-abc123'), 0o604)
    const result = await runCheck(secretPermissions, {cwd: home, home, env})
    expectResult(result, {status: 'fail', mentions: ['file-secrets store under the data dir', 'v1→v2 migration backup']})
    assert.ok(!result.findings.some((f) => String(f.evidence.what).includes('bearer')))
  })

  it('reports a symlinked bearer (warn), one whose target others can read (fail) and a dangling one (fail)', async () => {
    const {home, dataDir, env} = await install()
    const auth = join(dataDir, 'server-control', 'auth.json')
    const synced = join(tmp.make(), 'dotfiles-auth.json')
    renameSync(auth, synced)
    symlinkSync(synced, auth)
    expectResult(await runCheck(symlinkedSecret, {cwd: home, home, env}), {
      status: 'warn',
      symptoms: ['executor/secret-symlink'],
      mentions: [synced, 'readlink -f'],
    })
    chmodSync(synced, 0o644)
    expectResult(await runCheck(symlinkedSecret, {cwd: home, home, env}), {status: 'fail', mentions: ['0644 lets others read it']})
    renameSync(synced, `${synced}.moved`)
    expectResult(await runCheck(symlinkedSecret, {cwd: home, home, env}), {status: 'fail', mentions: ['does not exist']})
  })

  it("judges a symlinked bearer's mode on the file it leads to, with no plan: the symlinked-secret copy is the only fix", async () => {
    const {home, dataDir, env} = await install()
    const auth = join(dataDir, 'server-control', 'auth.json')
    const synced = join(tmp.make(), 'dotfiles-auth.json')
    renameSync(auth, synced)
    symlinkSync(synced, auth)
    chmodSync(synced, 0o644)
    const mode = await runCheck(secretPermissions, {cwd: home, home, env})
    expectResult(mode, {status: 'fail', symptoms: ['executor/secret-mode'], mentions: [synced, 'every user on this machine']})
    assert.deepEqual(
      mode.findings.map((f) => [f.evidence.path, f.evidence.linkedFrom, f.plan]),
      [[synced, auth, undefined]],
    )
    const link = await runCheck(symlinkedSecret, {cwd: home, home, env})
    assert.deepEqual(
      link.findings.map((f) => f.plan?.map((s) => [s.kind, s.risk])),
      [[['replace-symlink', 'confirm']]],
    )
  })

  it('offers nothing but commands for a symlinked bearer another user planted', async function () {
    if (process.getuid?.() !== 0) skipOrFail(this, 'needs root to give the link to nobody (lchown)')
    const {home, dataDir, env} = await install()
    const auth = join(dataDir, 'server-control', 'auth.json')
    const synced = join(tmp.make(), 'dotfiles-auth.json')
    renameSync(auth, synced)
    symlinkSync(synced, auth)
    lchownSync(auth, 65534, 65534)
    const result = await runCheck(symlinkedSecret, {cwd: home, home, env})
    expectResult(result, {status: 'warn', symptoms: ['executor/secret-symlink'], mentions: ['belongs to nobody']})
    assert.deepEqual(
      result.findings.map((f) => f.plan?.map((s) => s.kind)),
      [['manual']],
    )
  })
})
