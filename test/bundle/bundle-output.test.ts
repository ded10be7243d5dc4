/**
 * How `doctor bundle` writes (or refuses to write): --list writes nothing, an existing output is
 * kept, Ctrl-C mid-write and a file-size limit (the full-disk path) leave no partial file, and
 * files the user cannot read are described instead of failing the bundle (run as nobody).
 */
import assert from 'node:assert/strict'
import {chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {create as createTar} from 'tar'
import {plantSecrets, type PlantedInstall} from '../../fixtures/bundle/plant-secrets.js'
import {tmpDirs} from '../helpers/tmp.js'
import {runCli} from '../helpers/cli.js'
import {readArchive} from './helpers.js'

const listing = (dir: string) => readdirSync(dir).sort()

describe('doctor bundle: output', function () {
  this.timeout(90_000)
  const tmp = tmpDirs()
  let install: PlantedInstall
  beforeEach(() => {
    install = plantSecrets(tmp.make('doctorkit-bundle-'), {hugeLogBytes: 64 * 1024 ** 2})
  })
  afterEach(() => tmp.cleanup())

  it('--list prints every file with its source and size, and writes nothing', async () => {
    const before = listing(install.cwd)
    const result = await runCli(['bundle', '--list'], {env: install.env, cwd: install.cwd})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(listing(install.cwd), before)
    assert.match(result.stdout, /nothing is written/)
    assert.match(
      result.stdout,
      /\d+(?:\.\d)? (?:B|KiB)\s+executor\/server-control\/server\.json\s+~\/\.executor\/server-control\/server\.json/,
    )
    assert.match(result.stdout, /KiB\s+executor\/logs\/daemon\.log\s+~\/\.executor\/logs\/daemon\.log \(last part\)/)
    assert.match(result.stdout, /~\/\.executor\/server-control\/auth\.json\s+symlink, 0777.*outside the data dir/)
    assert.match(result.stdout, /manifest\.json/)
    for (const value of Object.values(install.secrets)) assert.ok(!result.stdout.includes(value), 'a secret was printed')
    assert.ok(!result.stdout.includes(install.home))
  })

  it('keeps an existing output file unless --force, and says so (exit 2)', async () => {
    writeFileSync(join(install.cwd, 'taken.tar.gz'), 'mine')
    const refused = await runCli(['bundle', '-o', 'taken.tar.gz'], {env: install.env, cwd: install.cwd})
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /taken\.tar\.gz already exists[\s\S]*--force/)
    assert.equal(readFileSync(join(install.cwd, 'taken.tar.gz'), 'utf8'), 'mine')
    const forced = await runCli(['bundle', '-o', 'taken.tar.gz', '--force'], {env: install.env, cwd: install.cwd})
    assert.equal(forced.code, 0, forced.stderr)
    assert.ok((await readArchive(join(install.cwd, 'taken.tar.gz'))).has('manifest.json'))
  })

  it('fails fast on a directory it cannot write in (exit 2), without printing the home path', async () => {
    const result = await runCli(['bundle', '-o', join(install.home, 'no-such-dir', 'b.tar.gz')], {env: install.env, cwd: install.cwd})
    assert.equal(result.code, 2)
    assert.match(result.stderr, /cannot write in ~\/no-such-dir \(ENOENT\)/)
    assert.ok(!result.stderr.includes(install.home))
  })

  it('verify says when a file is not a bundle at all (exit 2)', async () => {
    writeFileSync(join(install.cwd, 'not.tar.gz'), 'plain text')
    const garbage = await runCli(['bundle', 'verify', 'not.tar.gz'], {env: install.env, cwd: install.cwd})
    assert.equal(garbage.code, 2, garbage.stdout + garbage.stderr)
    assert.match(garbage.stderr, /cannot read not\.tar\.gz as a \.tar\.gz bundle/)
    const missing = await runCli(['bundle', 'verify', 'none.tar.gz'], {env: install.env, cwd: install.cwd})
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /no such file/)
  })

  it('--runwisp-data-dir means for bundle and bundle verify what it means for doctor', async () => {
    const alt = join(install.cwd, 'alt')
    mkdirSync(alt)
    writeFileSync(join(alt, 'daemon.pid'), '777\n')
    const password = 'quillonvaultkeyphrase'
    writeFileSync(join(alt, 'password'), `${password}\n`, {mode: 0o600})
    const listed = await runCli(['bundle', '--list', '--runwisp-data-dir', 'alt', '--runwisp-port', '9478'], {
      env: install.env,
      cwd: install.cwd,
    })
    assert.equal(listed.code, 0, listed.stderr)
    assert.match(listed.stdout, /runwisp\/data\/daemon\.pid\s+~\/projects\/scheduler\/alt\/daemon\.pid/)
    assert.match(listed.stdout, /~\/projects\/scheduler\/alt\/password\s+file, 0600/)
    const doctor = await runCli(['--json', '--runwisp-data-dir', 'alt', '--only', 'secret-permissions'], {
      env: install.env,
      cwd: install.cwd,
    })
    const runwisp = (JSON.parse(doctor.stdout) as {targets: Array<{id: string; dataDir?: string}>}).targets.find((t) => t.id === 'runwisp')
    assert.equal(runwisp?.dataDir, alt, 'doctor checks the dir the flag names')
    // An archive holding that password: only a verify told where the password lives knows it.
    mkdirSync(join(install.root, 'pack'))
    writeFileSync(join(install.root, 'pack', 'notes.txt'), `pasted ${password}\n`)
    await createTar({gzip: true, file: join(install.cwd, 'notes.tar.gz'), cwd: join(install.root, 'pack'), portable: true}, ['notes.txt'])
    const unaware = await runCli(['bundle', 'verify', 'notes.tar.gz'], {env: install.env, cwd: install.cwd})
    assert.equal(unaware.code, 0, unaware.stdout + unaware.stderr)
    const told = await runCli(['bundle', 'verify', 'notes.tar.gz', '--runwisp-data-dir', 'alt'], {env: install.env, cwd: install.cwd})
    assert.equal(told.code, 1, told.stdout + told.stderr)
    assert.match(told.stdout, /notes\.txt: known-value \(a known secret: ~\/projects\/scheduler\/alt\/password\) on line 1/)
  })

  it('rejects a --runwisp-port that is not a TCP port, as doctor does (exit 2)', async () => {
    const result = await runCli(['bundle', '--list', '--runwisp-port', '0'], {env: install.env, cwd: install.cwd})
    assert.equal(result.code, 2)
    assert.match(result.stderr, /--runwisp-port/)
  })

  it('rejects a --log-bytes that is not a size (exit 2)', async () => {
    const result = await runCli(['bundle', '--list', '--log-bytes', 'lots'], {env: install.env, cwd: install.cwd})
    assert.equal(result.code, 2)
    assert.match(result.stderr, /--log-bytes "lots" is not a size/)
  })

  it('leaves no temp file and no partial bundle after SIGINT mid-write', async () => {
    // ~24 MB of incompressible log text makes the gzip write last long enough to interrupt.
    const log = join(install.paths.executorDataDir, 'logs', 'daemon.log')
    writeFileSync(
      log,
      randomBytes(18 * 1024 * 1024)
        .toString('base64')
        .replace(/(.{100})/g, '$1\n'),
    )
    let interrupted = false
    let timer: NodeJS.Timeout | undefined
    const result = await runCli(['bundle', '-o', 'big.tar.gz', '--log-bytes', '64MiB', '--log-lines', '1000000'], {
      env: install.env,
      cwd: install.cwd,
      onSpawn: (pid) => {
        timer = setInterval(() => {
          const temp = readdirSync(install.cwd).find((n) => n.startsWith('.big.tar.gz.') && n.endsWith('.tmp'))
          if (!temp || interrupted) return
          const {size, mode} = statSync(join(install.cwd, temp))
          assert.equal(mode & 0o777, 0o600, 'the temp file must be private from the moment it exists')
          if (size > 0) {
            interrupted = true
            process.kill(pid, 'SIGINT')
          }
        }, 2)
      },
    })
    clearInterval(timer)
    assert.ok(interrupted, `the write finished before it could be interrupted: ${result.stdout}`)
    assert.equal(result.code, 130, result.stderr)
    assert.deepEqual(
      listing(install.cwd).filter((n) => n.includes('big.tar.gz')),
      [],
    )
  })

  it('leaves nothing behind when the disk refuses the write (file-size limit as a stand-in for a full disk)', async () => {
    writeFileSync(
      join(install.paths.executorDataDir, 'logs', 'daemon.log'),
      randomBytes(3 * 1024 * 1024)
        .toString('base64')
        .replace(/(.{100})/g, '$1\n'),
    )
    const result = await runCli(['bundle', '-o', 'full.tar.gz', '--log-bytes', '8MiB', '--log-lines', '1000000'], {
      env: install.env,
      cwd: install.cwd,
      wrap: ['prlimit', '--fsize=262144', '--'],
    })
    assert.equal(result.code, 2, result.stdout + result.stderr)
    assert.match(result.stderr, /could not write the bundle: the file size limit was reached/)
    assert.deepEqual(
      listing(install.cwd).filter((n) => n.includes('full.tar.gz')),
      [],
    )
  })

  it('describes files it cannot read instead of failing (run as nobody)', async () => {
    execFileSync('chown', ['-R', '65534:65534', install.root])
    chmodSync(install.root, 0o755)
    // Root keeps these to itself: the bundle (run as nobody) must describe them, not copy or crash.
    for (const path of [install.paths.connections, install.paths.errorLog]) {
      chownSync(path, 0, 0)
      chmodSync(path, 0o600)
    }
    const runLogDir = join(install.paths.runwispDataDir, 'logs', 'backup')
    chownSync(runLogDir, 0, 0)
    chmodSync(runLogDir, 0o700)
    mkdirSync(join(install.cwd, 'out'), {recursive: true})
    chownSync(join(install.cwd, 'out'), 65534, 65534)
    const result = await runCli(['bundle', '-o', 'out/b.tar.gz'], {env: install.env, cwd: install.cwd, asNobody: true})
    assert.equal(result.code, 0, result.stdout + result.stderr)
    const archive = join(install.cwd, 'out', 'b.tar.gz')
    assert.equal(statSync(archive).uid, 65534)
    assert.equal(statSync(archive).mode & 0o777, 0o600)
    const files = await readArchive(archive)
    assert.ok(!files.has('executor/server-connections.json'))
    assert.ok(!files.has('executor/logs/daemon.error.log'))
    const manifest = JSON.parse(files.get('manifest.json')!.toString())
    const omitted = manifest.omitted as Array<{source: string; reason: string; facts?: {mode?: string; owner?: string; readable?: boolean}}>
    const connections = omitted.find((o) => o.source === '~/.executor/server-connections.json')
    assert.ok(connections, JSON.stringify(omitted))
    assert.equal(connections.reason, 'not readable (permission denied)')
    assert.equal(connections.facts?.mode, '0600')
    assert.equal(connections.facts?.owner, 'root')
    assert.equal(connections.facts?.readable, false)
    assert.ok(omitted.some((o) => o.source === '~/.executor/logs/daemon.error.log' && o.reason === 'not readable (permission denied)'))
    assert.ok(files.has('executor/server-control/server.json'), 'readable files are still copied')
    const report = JSON.parse(files.get('report.json')!.toString())
    assert.equal(report.schemaVersion, 1)
  })
})
