/**
 * `doctor bundle` end to end: the real CLI against a planted install (real files, modes,
 * symlinks, a sparse 3 GB log, a real process carrying secrets in its command line and
 * environment, a real host name in its own UTS namespace), then the archive read back byte by byte.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {create as createTar} from 'tar'
import {leakForms, plantSecrets, type PlantedInstall} from '../../fixtures/bundle/plant-secrets.js'
import {executorShim, killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {runCli} from '../helpers/cli.js'
import {rawTar, readArchive} from './helpers.js'

const HOSTNAME = 'quillon-box.example.test'

function assertNoLeak(haystack: string, install: PlantedInstall, where: string): void {
  for (const [name, value] of Object.entries({...install.secrets, ...install.unknownSecrets})) {
    for (const form of leakForms(value))
      assert.ok(!haystack.includes(form), `${where} leaks ${name} (form ${form === value ? 'raw' : 'encoded'})`)
  }
  assert.ok(!haystack.includes(install.home), `${where} contains the home path`)
  assert.ok(!haystack.includes(install.user), `${where} contains the user name`)
  assert.ok(!haystack.includes('quillon-box'), `${where} contains the host name`)
  assert.ok(!haystack.includes(install.outsideMarker), `${where} followed a symlink out of the data dir`)
}

describe('doctor bundle (end to end)', function () {
  this.timeout(90_000)
  const tmp = tmpDirs()
  let install: PlantedInstall
  let archive: string
  let result: Awaited<ReturnType<typeof runCli>>
  let files: Map<string, Buffer>
  let holderToken: string

  before(async () => {
    install = plantSecrets(tmp.make('doctorkit-bundle-'), {hostname: HOSTNAME})
    // A real Executor-named process holding secrets in argv (one known, one only a pattern
    // catches) and one in its environment that this shell does not have.
    holderToken = install.secrets.daemonOnlyToken!
    await startFixture(
      'bundle/cmdline-holder.ts',
      ['daemon', 'run', '--auth-token', install.secrets.bearer!, '--password', install.unknownSecrets.cmdlinePassword!, '--port', '4799'],
      {
        executable: executorShim(install.root),
        env: {EXECUTOR_AUTH_TOKEN: holderToken, HOME: install.home},
        cwd: install.cwd,
      },
    )
    archive = join(install.cwd, 'issue.tar.gz')
    result = await runCli(['bundle', '--output', 'issue.tar.gz'], {env: install.env, cwd: install.cwd, hostname: HOSTNAME})
    files = existsSync(archive) ? await readArchive(archive) : new Map()
  })
  after(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('writes the archive with mode 0600 and no temp file beside it', () => {
    assert.equal(result.code, 0, result.stderr + result.stdout)
    assert.equal(statSync(archive).mode & 0o777, 0o600)
    assert.deepEqual(
      readdirSync(install.cwd).filter((n) => n.endsWith('.tmp')),
      [],
    )
  })

  it('leaks no planted secret in any form, nor the home path, user or host name: not in the archive, not on stdout/stderr', () => {
    assertNoLeak(rawTar(archive), install, 'the archive')
    assertNoLeak(result.stdout + result.stderr, install, 'the command output')
  })

  it('holds the report, environment facts, processes, ports, redacted copies, log tails, secret descriptions, manifest and report.md', () => {
    for (const name of [
      'report.json',
      'environment.json',
      'processes.json',
      'ports.json',
      'secret-files.json',
      'report.md',
      'manifest.json',
      'executor/server-control/server.json',
      'executor/server-connections.json',
      'executor/daemon-localhost-4788.json',
      'executor/logs/daemon.error.log',
      'executor/logs/daemon.log',
      'executor/service/sh.executor.daemon.service',
      'runwisp/config/runwisp.toml',
      'runwisp/data/daemon.pid',
      'runwisp/data/daemon.log',
      'runwisp/data/logs/backup/20260720_101112_01J3ZK9Q8V7W6X5Y4Z3A2B1C0D.log',
      'runwisp/service/runwisp-fp1234.service',
      'runwisp/service/runwisp-fp1234.service.d/env.conf',
    ]) {
      assert.ok(files.has(name), `missing ${name}; have ${[...files.keys()].join(', ')}`)
    }
    for (const [name, data] of files)
      if (name.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(data.toString()), `${name} is not valid JSON after redaction`)
    const env = JSON.parse(files.get('environment.json')!.toString())
    assert.equal(env.node.version, process.version)
    assert.equal(env.products.executor.manifestVersion, '1.5.35')
    // The generation as the RunWisp target decided it, with its reasons, whatever the doctor run reported.
    assert.ok(env.products.runwisp.generation, JSON.stringify(env.products.runwisp))
    assert.match(env.products.runwisp.generationReason, /\.runwisp/)
    assert.equal(env.products.runwisp.dataDirCheckedByDoctor, '~/projects/scheduler/.runwisp')
    assert.equal(env.environment.RUNWISP_PASSWORD, '<set; value not shown>')
    assert.ok(env.os.kernel && env.timezone.name && env.cpu.count > 0 && env.memory.totalBytes > 0)
    assert.equal(env.hostname, 'anon-host-1')
    const report = JSON.parse(files.get('report.json')!.toString())
    assert.equal(report.schemaVersion, 1)
    assert.ok(report.targets.some((t: {id: string; detected: boolean}) => t.id === 'executor' && t.detected))
    const md = files.get('report.md')!.toString()
    assert.match(md, /^# doctorkit diagnostics bundle/)
    assert.match(md, /\| Node \| v\d+/)
    assert.match(md, /## Checks/)
  })

  it('keeps what a maintainer needs: error messages, ports, versions, pids survive redaction', () => {
    const errorLog = files.get('executor/logs/daemon.error.log')!.toString()
    for (const line of install.usefulLines) assert.ok(errorLog.includes(line), `over-redacted: ${line}\n---\n${errorLog}`)
    assert.match(errorLog, /Unknown error/)
    assert.match(errorLog, /paths ~\/\.executor\/data\.db and ~\/\.config seen by anon-user-1/)
    const server = JSON.parse(files.get('executor/server-control/server.json')!.toString())
    assert.equal(server.pid, 48213)
    assert.equal(server.connection.origin, 'http://localhost:4788')
    assert.equal(server.owner.version, '1.5.35')
    assert.equal(server.dataDir, '~/.executor')
    assert.match(server.connection.auth.token, /^\[REDACTED:secret-\d+\]$/)
    const toml = files.get('runwisp/config/runwisp.toml')!.toString()
    assert.match(toml, /cron = "0 3 \* \* \*"/)
    assert.match(toml, /PGHOST = "db.internal"/)
    assert.match(toml, /url = "\$\{NOTIFY_URL\}"/, '${VAR} references are not secrets and must stay')
    const original = readFileSync(join(install.cwd, 'runwisp.toml'), 'utf8')
    assert.equal(
      toml.split('\n').length,
      original.split('\n').length,
      'line numbers of the config must be kept (validation errors cite them)',
    )
    const processes = JSON.parse(files.get('processes.json')!.toString()) as Array<{cmdline: string; comm: string}>
    const holder = processes.find((p) => p.cmdline.includes('cmdline-holder'))
    assert.ok(holder, JSON.stringify(processes))
    assert.match(holder.cmdline, /daemon run --auth-token \[REDACTED:secret-\d+\] --password \[REDACTED:secret-flag\] --port 4799/)
  })

  it('redacts by rule, in order, and the manifest counts them without values', () => {
    const manifest = JSON.parse(files.get('manifest.json')!.toString())
    const rules = Object.keys(manifest.redactions.byRule)
    for (const rule of [
      'known-value',
      'known-value-encoded',
      'known-value-base64',
      'bearer',
      'jwt',
      'cookie',
      'private-key',
      'url-credentials',
      'api-key',
      'webhook-url',
      'secret-assignment',
      'secret-flag',
      'home-dir',
      'user-name',
      'host-name',
    ]) {
      assert.ok(rules.includes(rule), `no ${rule} redaction counted: ${JSON.stringify(manifest.redactions.byRule)}`)
    }
    assert.deepEqual(manifest.redactions.order, ['known values', 'patterns', 'pseudonyms'])
    for (const [name, data] of files) {
      if (name === 'manifest.json') continue
      const listed = manifest.files.find((f: {path: string}) => f.path === name)
      assert.ok(listed, `${name} not in the manifest`)
      assert.equal(listed.size, data.length)
      assert.equal(listed.sha256, execFileSync('sha256sum', ['-'], {input: data}).toString().split(' ')[0])
      assert.ok(listed.source)
    }
    const sources = manifest.redactions.knownSecrets.flatMap((s: {foundIn: string[]}) => s.foundIn).join('\n')
    assert.match(sources, /environment variable EXECUTOR_AUTH_TOKEN/)
    assert.match(sources, /~\/\.executor\/server-connections\.json profile ops auth\.password/)
    assert.match(sources, /environment of executor \(pid \d+\) EXECUTOR_AUTH_TOKEN/)
    assert.match(sources, /secrets\/api-token \(referenced by/)
  })

  it('reads a 3 GB log from its end, bounded, and keeps its real last lines', () => {
    const manifest = JSON.parse(files.get('manifest.json')!.toString())
    const entry = manifest.files.find((f: {path: string}) => f.path === 'executor/logs/daemon.log')
    assert.ok(entry.tail.originalBytes > 3 * 1024 ** 3)
    assert.ok(entry.size <= 1024 * 1024 + 4096, `tail is ${entry.size} bytes`)
    assert.equal(entry.tail.truncated, true)
    const log = files.get('executor/logs/daemon.log')!.toString()
    assert.ok(log.split('\n').length - 1 <= 2000)
    assert.match(log, /request 2999 ok port 4788\nlast line: token \[REDACTED:secret-\d+\] pid 48213\n$/)
  })

  it('describes secret files and skips binary files and symlinks out of the data dir, saying why', () => {
    const described = JSON.parse(files.get('secret-files.json')!.toString()) as Array<{what: string; facts: Record<string, unknown>}>
    const bearer = described.find((d) => d.facts.path === '~/.executor/server-control/auth.json')!
    assert.equal(bearer.facts.type, 'symlink')
    assert.equal(bearer.facts.pointsOutside, true)
    assert.match(String(bearer.facts.symlinkTarget), /outside\/bearer\.json$/)
    const store = described.find((d) => d.facts.path === '~/.executor/auth.json')!
    assert.equal(store.facts.mode, '0600')
    assert.equal(store.facts.present, true)
    assert.ok(described.some((d) => d.facts.path === '~/projects/scheduler/.runwisp/password' && d.facts.size === 23))
    assert.ok(described.some((d) => String(d.facts.path).endsWith('runwisp-fp1234.service.d/password.conf')))
    assert.ok(!files.has('runwisp/service/runwisp-fp1234.service.d/password.conf'), 'a secret drop-in was copied')
    const manifest = JSON.parse(files.get('manifest.json')!.toString())
    const omitted = manifest.omitted as Array<{source: string; reason: string}>
    assert.ok(
      omitted.some((o) => o.source === '~/.executor/server-control/startup.lock' && /binary/.test(o.reason)),
      JSON.stringify(omitted),
    )
    assert.ok(
      omitted.some((o) => o.source === '~/.executor/daemon-localhost-4789.json' && /symlink; not followed/.test(o.reason)),
      JSON.stringify(omitted),
    )
    const runLog = files.get('runwisp/data/logs/backup/20260720_101112_01J3ZK9Q8V7W6X5Y4Z3A2B1C0D.log')!.toString()
    assert.match(runLog, /\[doctorkit: \d+ bytes of binary data omitted\]/)
    assert.match(runLog, /connection refused \(port 5432\)/)
  })

  it('verify passes the bundle it wrote', async () => {
    const verify = await runCli(['bundle', 'verify', 'issue.tar.gz'], {env: install.env, cwd: install.cwd, hostname: HOSTNAME})
    assert.equal(verify.code, 0, verify.stdout + verify.stderr)
    assert.match(verify.stdout, /^OK: issue\.tar\.gz is clean/)
    assertNoLeak(verify.stdout + verify.stderr, install, 'verify output')
  })

  it('verify catches a token planted in a repacked bundle, naming file, rule and line but not the value', async () => {
    const dir = join(install.root, 'repack')
    for (const [name, data] of files) {
      mkdirSync(join(dir, name, '..'), {recursive: true})
      writeFileSync(join(dir, name), data)
    }
    const planted = `${files.get('executor/logs/daemon.error.log')!.toString()}retry with EXECUTOR_API_KEY ${install.secrets.executorApiKeyEnv}\n`
    writeFileSync(join(dir, 'executor/logs/daemon.error.log'), planted)
    writeFileSync(
      join(dir, 'notes.txt'),
      `pasted: ${Buffer.from(install.secrets.runwispPasswordFile!).toString('base64')}\nand ${install.unknownSecrets.jwt}\n`,
    )
    const repacked = join(install.root, 'repacked.tar.gz')
    await createTar({gzip: true, file: repacked, cwd: dir, portable: true}, [...files.keys(), 'notes.txt'])
    const verify = await runCli(['bundle', 'verify', repacked], {env: install.env, cwd: install.cwd, hostname: HOSTNAME})
    assert.equal(verify.code, 1, verify.stdout + verify.stderr)
    const errorLines = planted.split('\n').length - 1
    assert.match(
      verify.stdout,
      new RegExp(
        `executor/logs/daemon\\.error\\.log: known-value \\(a known secret: environment variable EXECUTOR_API_KEY[^)]*\\) on line ${errorLines}`,
      ),
    )
    assert.match(verify.stdout, /notes\.txt: known-value-base64 \(a known secret: [^)]*\.runwisp\/password[^)]*\) on line 1/)
    assert.match(verify.stdout, /notes\.txt: jwt on line 2/)
    assert.match(verify.stdout, /note: executor\/logs\/daemon\.error\.log differs from its sha256/)
    const value = install.secrets.executorApiKeyEnv!
    assert.ok(!verify.stdout.includes(value) && !verify.stderr.includes(value))
    assertNoLeak(verify.stdout + verify.stderr, install, 'verify output')
  })
})
