/**
 * Root bundles another user's RunWisp data dir (issue 13 §2, §4), on a machine whose host name is
 * two characters: a real account made with useradd (home in a temp dir, removed after), its
 * files owned by it, a real UTS namespace named `q7`, the working dir's runwisp.toml a stow link
 * into a dotfiles dir, the data dir's password file a symlink. The bundle names neither the user
 * nor their home nor the host, holds the linked config (redacted), describes the linked secret
 * without following it, and `bundle verify` calls it clean.
 */
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, type CliResult} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {skipOrFail} from '../helpers/tools.js'
import {rawTar, readArchive} from './helpers.js'

const HOST = 'q7'
const WEBHOOK = `https://hooks.slack.com/services/T0DKT/B0DKT/${randomBytes(12).toString('hex')}`
const PASSWORD = `pw-${randomBytes(12).toString('base64url')}`
const hasUseradd = spawnSync('useradd', ['--help']).status === 0 && process.getuid?.() === 0

describe('doctor bundle as root, of another user on a two-character host', function () {
  this.timeout(90_000)
  const tmp = tmpDirs()
  const user = `dkt-alice-${randomBytes(2).toString('hex')}`
  let home: string
  let files: Map<string, Buffer>
  let tar: string
  let result: CliResult
  let verify: CliResult

  before(async function () {
    if (!hasUseradd) skipOrFail(this, 'needs root and useradd (apt-get install -y passwd) to make a real account')
    const people = tmp.make('doctorkit-people-')
    chmodSync(people, 0o755)
    home = join(people, user)
    execFileSync('useradd', ['-M', '-d', home, '-s', '/usr/sbin/nologin', user])
    const data = join(home, '.runwisp')
    mkdirSync(join(data, 'secrets'), {recursive: true})
    writeFileSync(join(data, 'secrets', 'pw'), `${PASSWORD}\n`, {mode: 0o600})
    symlinkSync(join(data, 'secrets', 'pw'), join(data, 'password'))
    writeFileSync(
      join(data, 'daemon.log'),
      [
        `May  1 10:00:00 ${HOST} runwisp[12]: started by ${user} in ${data}`,
        `{"level":"info","hostname":"${HOST}","msg":"build sq7z ok","pid":12}`,
        `${user}@${HOST}:~$ runwisp serve`,
        '',
      ].join('\n'),
    )
    execFileSync('chown', ['-R', `${user}:${user}`, home])

    // Root's side: its own home, and a project whose runwisp.toml is a stow link.
    const mine = tmp.make('doctorkit-root-')
    mkdirSync(join(mine, 'dotfiles'))
    mkdirSync(join(mine, 'project'))
    writeFileSync(join(mine, 'dotfiles', 'runwisp.toml'), `[notifiers.ops]\ntype = "slack"\nurl = "${WEBHOOK}"\n`)
    symlinkSync('../dotfiles/runwisp.toml', join(mine, 'project', 'runwisp.toml'))
    const env = {HOME: join(mine, 'home'), USER: 'root', LOGNAME: 'root', SUDO_USER: '', XDG_DATA_HOME: '', RUNWISP_CONFIG: ''}
    mkdirSync(env.HOME)
    const out = join(mine, 'b.tar.gz')
    const cwd = join(mine, 'project')
    result = await runCli(['bundle', '-o', out, '--runwisp-data-dir', data], {env, cwd, hostname: HOST})
    if (result.code !== 0) throw new Error(`bundle failed (${result.code}): ${result.stderr}${result.stdout}`)
    files = await readArchive(out)
    tar = rawTar(out)
    verify = await runCli(['bundle', 'verify', out, '--runwisp-data-dir', data], {env, cwd, hostname: HOST})
  })
  after(() => {
    if (hasUseradd) spawnSync('userdel', [user])
    tmp.cleanup()
  })

  it('writes the bundle, and verify calls it clean', () => {
    assert.equal(result.code, 0, result.stderr)
    assert.equal(verify.code, 0, verify.stdout + verify.stderr)
  })

  it("names neither the other user nor their home, in the archive or the command's output", () => {
    for (const [what, text] of Object.entries({archive: tar, output: result.stdout + result.stderr})) {
      assert.ok(!text.includes(user), `the ${what} names ${user}`)
      assert.ok(!text.includes(home), `the ${what} holds their home path`)
    }
    const log = files.get('runwisp/data/daemon.log')?.toString() ?? ''
    assert.match(log, /started by anon-user-\d+ in ~anon-user-\d+\/\.runwisp/, log)
    const secrets = files.get('secret-files.json')?.toString() ?? ''
    assert.match(secrets, /"owner": "anon-user-\d+"/, secrets)
  })

  it('pseudonymises the two-character host name where a host name sits, never as a substring', () => {
    const environment = JSON.parse(files.get('environment.json')!.toString()) as {hostname: string}
    assert.match(environment.hostname, /^anon-host-\d+$/)
    const log = files.get('runwisp/data/daemon.log')!.toString()
    assert.match(log, /^May {2}1 10:00:00 anon-host-\d+ runwisp\[12\]/m)
    assert.match(log, /"hostname":"anon-host-\d+","msg":"build sq7z ok"/)
    assert.match(log, /anon-user-\d+@anon-host-\d+:~\$/)
    assert.doesNotMatch(tar, /(?<![A-Za-z0-9._-])q7(?![A-Za-z0-9._-])/)
  })

  it('collects the stow-linked runwisp.toml, redacted; describes the linked password file without following it', () => {
    const config = files.get('runwisp/config/runwisp.toml')?.toString()
    assert.ok(config, `runwisp.toml not collected: ${[...files.keys()].join(', ')}`)
    assert.match(config, /type = "slack"/)
    assert.ok(!tar.includes(WEBHOOK.split('/').pop()!), 'the webhook credential is in the bundle')
    assert.ok(!tar.includes(PASSWORD), 'the password is in the bundle')
    const secrets = JSON.parse(files.get('secret-files.json')!.toString()) as Array<{facts: {path: string; type?: string}}>
    const password = secrets.find((s) => s.facts.path.endsWith('/.runwisp/password'))
    assert.equal(password?.facts.type, 'symlink', JSON.stringify(secrets))
  })
})
