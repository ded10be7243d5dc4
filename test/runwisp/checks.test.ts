/**
 * Every RunWisp check against real state: fake daemons of each generation over real TCP and Unix
 * sockets, real pid files (dead pids, recycled pids, flock held by another process), real symlinks
 * and modes, real squatters. Table-driven per check.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, chownSync, lchownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checks} from '../../checks/index.js'
import {checkById, checkTable, expectResult, runCheck, type CheckRow, type Expectation} from '../helpers/check-table.js'
import {deadPid, startFixture} from '../helpers/processes.js'
import {skipOrFail} from '../helpers/tools.js'
import {GENERATIONS, requestLog, startRunwisp, type FakeKnobs, type Generation, cleanup, tmp, workdir, runwispAt} from './helpers.js'

/** A process that holds an exclusive flock on `path` and is not RunWisp (util-linux flock + sleep). */
function holdLock(path: string): Promise<number> {
  const child = spawn('flock', ['-x', '-n', path, 'sleep', '60'], {stdio: 'ignore'})
  held.push(child)
  return new Promise((resolve) => setTimeout(() => resolve(child.pid!), 300))
}
const held: ReturnType<typeof spawn>[] = []

// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('runwisp/checks', () => {
  afterEach(async () => {
    for (const child of held.splice(0)) child.kill('SIGKILL')
    await cleanup()
  })

  describe('runwisp checks: a healthy RunWisp of each generation', () => {
    const ids = checks.filter((c) => c.targets.includes('runwisp')).map((c) => c.id)
    for (const generation of GENERATIONS) {
      it(`${generation}: no check fails, warns or errors, and the doctor never touches auth`, async () => {
        const {cwd, dataDir} = workdir(generation)
        const log = join(cwd, 'requests.log')
        const daemon = await startRunwisp({generation, dataDir, cwd, fake: {requestLog: log}})
        for (const id of ids) {
          const result = await runCheck(checkById(id), runwispAt(cwd, {port: daemon.port}))
          assert.ok(['pass', 'skip'].includes(result.status), `${id}: ${JSON.stringify(result, null, 2)}`)
        }
        const requests = requestLog(log)
        assert.ok(
          requests.some((r) => r.startsWith('GET /health')),
          requests.join('\n'),
        )
        assert.deepEqual(
          requests.filter((r) => !r.startsWith('GET ') || r.includes('/api/auth')),
          [],
          'the doctor must never log in or POST',
        )
      })
    }
  })

  describe('runwisp daemon-health', () => {
    /** A fake daemon of `generation` playing `fake`, judged on its own port. */
    const daemonRow = (
      name: string,
      generation: Generation,
      fake: FakeKnobs,
      mentions: string[],
      expect: CheckRow['expect'],
    ): CheckRow => ({
      name,
      async state() {
        const {cwd, dataDir} = workdir(generation)
        const daemon = await startRunwisp({generation, dataDir, cwd, fake})
        return {at: runwispAt(cwd, {port: daemon.port || 1}), mentions}
      },
      expect,
    })
    checkTable('daemon-health', [
      daemonRow('0.16+: a hung daemon', '0.16+', {mode: 'hung'}, ['no answer within'], {
        status: 'fail',
        symptoms: ['runwisp/health-no-answer'],
      }),
      daemonRow('0.3-0.4: a daemon answering 503 over TCP', '0.3-0.4', {mode: 'wrong'}, ['503'], {
        status: 'fail',
        symptoms: ['runwisp/health-wrong-answer'],
      }),
      daemonRow('0.5-0.15: answered over the socket', '0.5-0.15', {noTcp: true}, [], {status: 'pass', plan: []}),
    ])

    it('a socket path that is a regular file is reported, not connected to', async () => {
      const {cwd, dataDir} = workdir('0.16+')
      mkdirSync(dataDir, {mode: 0o700})
      writeFileSync(join(dataDir, 'runwisp.sock'), 'not a socket')
      expectResult(await runCheck(checkById('daemon-health'), runwispAt(cwd)), {
        status: 'fail',
        symptoms: ['runwisp/socket-not-socket'],
        mentions: ['a regular file'],
      })
    })

    it('a squatter answering on the port of a 0.3-0.4 install is not RunWisp', async () => {
      const {cwd, dataDir} = workdir('0.3-0.4')
      mkdirSync(dataDir, {mode: 0o700})
      writeFileSync(join(dataDir, 'password'), 'pw\n', {mode: 0o600})
      const squatter = await startFixture('squatter.ts', ['--port', '0'])
      expectResult(await runCheck(checkById('daemon-health'), runwispAt(cwd, {port: squatter.ready.port as number})), {
        status: 'fail',
        symptoms: ['runwisp/health-not-runwisp'],
        mentions: [squatter.pid],
      })
    })

    it('no daemon at all is a skip, not a failure', async () => {
      const {cwd} = workdir('0.16+')
      expectResult(await runCheck(checkById('daemon-health'), runwispAt(cwd, {port: 1})), {
        status: 'skip',
        mentions: ['no RunWisp daemon runs'],
      })
    })
  })

  describe('runwisp port-squatter', () => {
    it('a foreign process on the port is named with the documented ss/lsof commands', async () => {
      const {cwd} = workdir('0.16+')
      const squatter = await startFixture('squatter.ts', ['--port', '0'])
      const port = squatter.ready.port as number
      const result = await runCheck(checkById('port-squatter'), runwispAt(cwd, {port}))
      expectResult(result, {
        status: 'fail',
        symptoms: ['runwisp/port-in-use'],
        mentions: [squatter.pid, `ss -ltnp 'sport = :${port}'`, `lsof -iTCP:${port} -sTCP:LISTEN`, `runwisp --port ${port + 1}`],
      })
    })
    for (const generation of GENERATIONS) {
      it(`${generation}: RunWisp on its own port is not a squatter`, async () => {
        const {cwd, dataDir} = workdir(generation)
        const daemon = await startRunwisp({generation, dataDir, cwd})
        expectResult(await runCheck(checkById('port-squatter'), runwispAt(cwd, {port: daemon.port})), {status: 'pass'})
      })
    }
  })

  describe('runwisp duplicate-daemon', () => {
    it("0.3-0.4: another data dir's daemon with another password, found without one login attempt", async () => {
      const {cwd, dataDir} = workdir('0.3-0.4')
      mkdirSync(dataDir, {mode: 0o700})
      writeFileSync(join(dataDir, 'password'), 'ours-password\n', {mode: 0o600})
      const other = tmp.make('runwisp-other-')
      const log = join(other, 'requests.log')
      const daemon = await startRunwisp({
        generation: '0.3-0.4',
        dataDir: join(other, 'data'),
        cwd: other,
        env: {RUNWISP_PASSWORD: 'theirs'},
        fake: {requestLog: log},
      })
      const result = await runCheck(checkById('duplicate-daemon'), runwispAt(cwd, {port: daemon.port}))
      expectResult(result, {
        status: 'fail',
        symptoms: ['runwisp/different-password'],
        mentions: [join(other, 'data'), 'with a different password', `RUNWISP_PASSWORD=$(cat ${join(other, 'data')}/password) runwisp tui`],
      })
      assert.ok(
        !JSON.stringify(result).includes('theirs') && !JSON.stringify(result).includes('ours-password'),
        'passwords never appear in a report',
      )
      assert.deepEqual(
        requestLog(log).filter((r) => r.includes('/api/auth') || !r.startsWith('GET ')),
        [],
      )
    })

    it('0.3-0.4: another data dir with the same password is no conflict', async () => {
      const {cwd, dataDir} = workdir('0.3-0.4')
      mkdirSync(dataDir, {mode: 0o700})
      writeFileSync(join(dataDir, 'password'), 'shared\n', {mode: 0o600})
      const other = tmp.make('runwisp-other-')
      const daemon = await startRunwisp({
        generation: '0.3-0.4',
        dataDir: join(other, 'data'),
        cwd: other,
        env: {RUNWISP_PASSWORD: 'shared'},
      })
      expectResult(await runCheck(checkById('duplicate-daemon'), runwispAt(cwd, {port: daemon.port})), {status: 'pass'})
    })

    for (const generation of ['0.5-0.15', '0.16+'] as const) {
      it(`${generation}: a daemon of another data dir on our port, identified by its identity endpoint`, async () => {
        const {cwd} = workdir(generation)
        const other = tmp.make('runwisp-other-')
        const daemon = await startRunwisp({generation, dataDir: join(other, '.runwisp'), cwd: other})
        expectResult(await runCheck(checkById('duplicate-daemon'), runwispAt(cwd, {port: daemon.port})), {
          status: 'fail',
          symptoms: ['runwisp/other-data-dir-daemon'],
          mentions: [
            join(other, '.runwisp'),
            `runwisp stop --data ${join(other, '.runwisp')}`,
            `runwisp tui --socket ${join(other, '.runwisp', 'runwisp.sock')}`,
            daemon.version,
          ],
        })
      })
    }

    it("from a directory with nothing of RunWisp's, two daemons elsewhere: neither is adopted nor called a duplicate", async () => {
      const a = workdir('0.16+')
      const b = workdir('0.5-0.15')
      const first = await startRunwisp({generation: '0.16+', dataDir: a.dataDir, cwd: a.cwd})
      const second = await startRunwisp({generation: '0.5-0.15', dataDir: b.dataDir, cwd: b.cwd})
      const empty = tmp.make('runwisp-empty-')
      const result = await runCheck(checkById('duplicate-daemon'), runwispAt(empty))
      expectResult(result, {
        status: 'skip',
        mentions: [
          'no running daemon was adopted',
          'several RunWisp daemons run',
          `pid ${first.pid} (${a.dataDir})`,
          `pid ${second.pid} (${b.dataDir})`,
        ],
      })
    })

    it('0.5-0.15: two daemons on one data dir', async () => {
      const {cwd, dataDir} = workdir('0.5-0.15')
      const a = await startRunwisp({generation: '0.5-0.15', dataDir, cwd, fake: {noSocket: true}})
      const b = await startRunwisp({generation: '0.5-0.15', dataDir, cwd, fake: {noSocket: true, noPidFile: true}})
      expectResult(await runCheck(checkById('duplicate-daemon'), runwispAt(cwd, {port: a.port})), {
        status: 'fail',
        symptoms: ['runwisp/two-daemons-one-data-dir'],
        mentions: [a.pid, b.pid],
      })
    })
  })

  describe('runwisp stale-manifest and stale-lock', () => {
    const pidCases: Array<{name: string; generation: Generation; content: () => Promise<string>; expect: Expectation}> = [
      {
        name: '0.3-0.4: a dead pid',
        generation: '0.3-0.4',
        content: async () => `${await deadPid()}\n`,
        expect: {status: 'warn', symptoms: ['runwisp/stale-pid-file']},
      },
      {
        name: '0.16+: a dead pid is harmless',
        generation: '0.16+',
        content: async () => `${await deadPid()}\n`,
        expect: {status: 'warn', symptoms: ['runwisp/stale-pid-file'], mentions: ['harmless']},
      },
      {
        name: '0.5-0.15: a recycled pid (now a non-RunWisp process)',
        generation: '0.5-0.15',
        content: async () => `${process.pid}\n`,
        expect: {status: 'fail', symptoms: ['runwisp/pid-reused'], mentions: [process.pid]},
      },
      {
        name: 'garbage',
        generation: '0.16+',
        content: async () => 'PID=\u0000\u0001garbage',
        expect: {status: 'fail', symptoms: ['runwisp/pid-file-invalid'], mentions: ['binary data']},
      },
    ]
    for (const c of pidCases) {
      it(`stale-manifest: ${c.name}`, async () => {
        const toml =
          c.generation === '0.16+'
            ? '[notifiers.a]\ntype = "x"\n'
            : c.generation === '0.5-0.15'
              ? '[tasks.a]\nmax_concurrent = 1\nqueue_max = 2\n'
              : '[tasks.a]\nparallelism = 1\n'
        const {cwd, dataDir} = workdir(c.generation, toml)
        mkdirSync(dataDir, {mode: 0o700})
        writeFileSync(join(dataDir, 'daemon.pid'), await c.content(), {mode: 0o600})
        expectResult(await runCheck(checkById('stale-manifest'), runwispAt(cwd, {port: 1})), c.expect)
      })
    }

    it('stale-lock: 0.16+ daemon.pid locked by a process that is not RunWisp', async () => {
      const {cwd, dataDir} = workdir('0.16+', '[notifiers.a]\ntype = "x"\n')
      mkdirSync(dataDir, {mode: 0o700})
      const pidFile = join(dataDir, 'daemon.pid')
      writeFileSync(pidFile, `${await deadPid()}\n`, {mode: 0o600})
      const holder = await holdLock(pidFile)
      expectResult(await runCheck(checkById('stale-lock'), runwispAt(cwd, {port: 1})), {
        status: 'fail',
        symptoms: ['runwisp/data-dir-locked'],
        mentions: [holder, 'flock'],
      })
    })

    it("stale-lock: daemon.pid rewritten behind a live 0.16+ daemon's back: the lock holder is named beside the pid the file names", async () => {
      const a = workdir('0.16+')
      const daemon = await startRunwisp({generation: '0.16+', dataDir: a.dataDir, cwd: a.cwd})
      const dead = await deadPid()
      // Same inode, so the daemon's flock stays on it: only the pid in it changes.
      writeFileSync(join(a.dataDir, 'daemon.pid'), `${dead}\n`)
      expectResult(await runCheck(checkById('stale-lock'), runwispAt(a.cwd, {port: daemon.port})), {
        status: 'warn',
        symptoms: ['runwisp/pid-file-mismatch'],
        mentions: [`locked by RunWisp pid ${daemon.pid}, but names pid ${dead}`],
        plan: ['manual'],
      })
      // A held lock is a live claim: stale-manifest does not call the file stale.
      expectResult(await runCheck(checkById('stale-manifest'), runwispAt(a.cwd, {port: daemon.port})), {status: 'pass'})
    })

    it('stale-lock: a live 0.16+ daemon holding its own lock is healthy; before 0.16 the check does not apply', async () => {
      const a = workdir('0.16+')
      const daemon = await startRunwisp({generation: '0.16+', dataDir: a.dataDir, cwd: a.cwd})
      expectResult(await runCheck(checkById('stale-lock'), runwispAt(a.cwd, {port: daemon.port})), {status: 'pass'})
      const b = workdir('0.3-0.4')
      const legacy = await startRunwisp({generation: '0.3-0.4', dataDir: b.dataDir, cwd: b.cwd})
      expectResult(await runCheck(checkById('stale-lock'), runwispAt(b.cwd, {port: legacy.port})), {
        status: 'skip',
        mentions: ['before 0.16'],
      })
    })
  })

  describe('runwisp symlinked-secret and secret-permissions', () => {
    it('0.3-0.4: a symlinked password is reported without being followed', async () => {
      const {cwd, dataDir} = workdir('0.3-0.4')
      mkdirSync(dataDir, {mode: 0o700})
      const target = join(cwd, 'elsewhere')
      writeFileSync(target, 'do-not-read\n', {mode: 0o600})
      symlinkSync(target, join(dataDir, 'password'))
      const result = await runCheck(checkById('symlinked-secret'), runwispAt(cwd, {port: 1}))
      expectResult(result, {
        status: 'fail',
        symptoms: ['runwisp/symlinked-secret'],
        mentions: [`refusing to write ${join(dataDir, 'password')}: path is a symlink`, target, `rm ${join(dataDir, 'password')}`],
      })
      assert.ok(!JSON.stringify(result).includes('do-not-read'))
      assert.equal(readFileSync(target, 'utf8'), 'do-not-read\n')
    })

    it('0.16+: a symlinked daemon.pid moved aside after a confirm; planted by another user, only the commands', async function () {
      if (process.getuid?.() !== 0) skipOrFail(this, 'needs root to give the link to nobody (lchown)')
      const {cwd, dataDir} = workdir('0.16+', '[notifiers.a]\ntype = "x"\n')
      mkdirSync(dataDir, {mode: 0o700})
      const pid = join(dataDir, 'daemon.pid')
      symlinkSync(join(cwd, 'elsewhere.pid'), pid)
      const kinds = (r: Awaited<ReturnType<typeof runCheck>>) => r.findings.flatMap((f) => (f.plan ?? []).map((s) => s.kind))
      assert.deepEqual(kinds(await runCheck(checkById('symlinked-secret'), runwispAt(cwd, {port: 1}))), ['quarantine', 'manual'])
      lchownSync(pid, 65534, 65534)
      const planted = await runCheck(checkById('symlinked-secret'), runwispAt(cwd, {port: 1}))
      expectResult(planted, {status: 'fail', symptoms: ['runwisp/symlinked-secret'], mentions: ['belongs to nobody']})
      assert.deepEqual(kinds(planted), ['manual'])
    })

    it('0.16+: a symlinked daemon.pid and a directory where a secret goes', async () => {
      const {cwd, dataDir} = workdir('0.16+', '[notifiers.a]\ntype = "x"\n')
      mkdirSync(dataDir, {mode: 0o700})
      symlinkSync('/etc/passwd', join(dataDir, 'daemon.pid'))
      const result = await runCheck(checkById('symlinked-secret'), runwispAt(cwd, {port: 1}))
      expectResult(result, {status: 'fail', symptoms: ['runwisp/symlinked-secret'], mentions: ['/etc/passwd', 'TOCTOU']})
      mkdirSync(join(cwd, 'd2', '.runwisp', 'daemon.pid'), {recursive: true})
      expectResult(
        await runCheck(checkById('symlinked-secret'), runwispAt(join(cwd, 'd2'), {port: 1, dataDir: join(cwd, 'd2', '.runwisp')})),
        {
          status: 'fail',
          symptoms: ['runwisp/secret-not-regular'],
          mentions: ['a directory'],
        },
      )
    })

    const modeCases: Array<{
      name: string
      generation: Generation
      files: Record<string, number>
      chownNobody?: string
      expect: Expectation
    }> = [
      {
        name: '0.3-0.4: a world-readable password',
        generation: '0.3-0.4',
        files: {password: 0o644},
        expect: {status: 'fail', symptoms: ['runwisp/secret-mode'], mentions: ['0644', 'chmod 0600']},
      },
      {
        name: '0.16+: a group-readable daemon.pid',
        generation: '0.16+',
        files: {'daemon.pid': 0o640},
        expect: {status: 'warn', symptoms: ['runwisp/secret-mode']},
      },
      {
        name: '0.16+: a password file left over from 0.4',
        generation: '0.16+',
        files: {password: 0o600},
        expect: {status: 'warn', symptoms: ['runwisp/password-leftover']},
      },
      {
        name: '0.16+: a daemon.pid owned by another user',
        generation: '0.16+',
        files: {'daemon.pid': 0o600},
        chownNobody: 'daemon.pid',
        expect: {status: 'fail', symptoms: ['runwisp/secret-foreign-owner'], mentions: ['refuses to write', 'chown root:root']},
      },
      {
        name: '0.3-0.4: owner-only files are fine',
        generation: '0.3-0.4',
        files: {password: 0o600, 'daemon.pid': 0o600},
        expect: {status: 'pass'},
      },
    ]
    for (const c of modeCases) {
      it(`secret-permissions: ${c.name}`, async () => {
        const toml = c.generation === '0.16+' ? '[notifiers.a]\ntype = "x"\n' : '[tasks.a]\nparallelism = 1\n'
        const {cwd, dataDir} = workdir(c.generation, toml)
        mkdirSync(dataDir, {mode: 0o700})
        const dead = await deadPid()
        for (const [name, mode] of Object.entries(c.files)) {
          writeFileSync(join(dataDir, name), name === 'daemon.pid' ? `${dead}\n` : 'secret\n')
          chmodSync(join(dataDir, name), mode)
        }
        if (c.chownNobody) chownSync(join(dataDir, c.chownNobody), 65534, 65534)
        expectResult(await runCheck(checkById('secret-permissions'), runwispAt(cwd, {port: 1})), c.expect)
      })
    }
  })

  describe('runwisp clock-skew', () => {
    const cases: Array<{name: string; generation: Generation; fake: FakeKnobs; expect: Expectation}> = [
      {
        name: '0.16+: two minutes ahead fails',
        generation: '0.16+',
        fake: {dateOffsetS: 120},
        expect: {
          status: 'fail',
          symptoms: ['runwisp/clock-skew'],
          mentions: ['120 s ahead of', 'does NOT cause \\"Invalid or expired challenge\\"'],
        },
      },
      {
        name: '0.3-0.4: 20 s behind warns',
        generation: '0.3-0.4',
        fake: {dateOffsetS: -20},
        expect: {status: 'warn', symptoms: ['runwisp/clock-skew'], mentions: ['20 s behind']},
      },
      {
        name: '0.16+: a daemon scheduling in another system timezone',
        generation: '0.16+',
        fake: {tz: 'America/New_York'},
        expect: {status: 'warn', symptoms: ['runwisp/timezone-mismatch'], mentions: ['America/New_York', 'UTC']},
      },
      {name: '0.5-0.15: in step', generation: '0.5-0.15', fake: {}, expect: {status: 'pass'}},
    ]
    for (const c of cases) {
      it(c.name, async () => {
        const {cwd, dataDir} = workdir(c.generation)
        const daemon = await startRunwisp({generation: c.generation, dataDir, cwd, fake: c.fake})
        expectResult(await runCheck(checkById('clock-skew'), runwispAt(cwd, {port: daemon.port})), c.expect)
      })
    }
  })

  describe('runwisp daemon-log-errors', () => {
    const lines: Array<[string, string]> = [
      ['2026-05-27 14:03:01 [ERROR] Server failed: listen tcp 127.0.0.1:9477: bind: address already in use', 'runwisp/log-address-in-use'],
      ['time=2026-05-27T14:03:01Z level=ERROR msg="listen tcp 0.0.0.0:80: bind: permission denied"', 'runwisp/log-bind-permission-denied'],
      ['daemon failed to start: health check timed out', 'runwisp/log-health-timeout'],
      [
        '2026-09-21 10:00:00 [FATA] crash recovery failed; refusing to start with unresolved in-flight runs: database is locked',
        'runwisp/log-crash-recovery-failed',
      ],
      ['2026-09-21 10:00:00 [ERROR] Fatal error: open runwisp.db: permission denied', 'runwisp/log-fatal'],
    ]
    for (const [line, symptom] of lines) {
      it(symptom, async () => {
        const {cwd, dataDir} = workdir('0.16+')
        mkdirSync(dataDir, {mode: 0o700})
        writeFileSync(join(dataDir, 'daemon.log'), `2026-05-27 14:03:00 [INFO] RunWisp starting\n${line}\n`)
        expectResult(await runCheck(checkById('daemon-log-errors'), runwispAt(cwd, {port: 1})), {
          status: 'fail',
          symptoms: [symptom],
          mentions: ['line 2'],
        })
      })
    }
    it('a clean log passes', async () => {
      const {cwd, dataDir} = workdir('0.16+')
      mkdirSync(dataDir, {mode: 0o700})
      writeFileSync(
        join(dataDir, 'daemon.log'),
        '2026-05-27 14:03:00 [INFO] RunWisp starting\n2026-05-27 14:03:01 [INFO] run started task=backup run=01J\n',
      )
      expectResult(await runCheck(checkById('daemon-log-errors'), runwispAt(cwd, {port: 1})), {status: 'pass'})
    })
  })

  describe('runwisp service-unit', () => {
    const unit = (user: string | null, dataDir: string, extra = '') =>
      `[Unit]\nDescription=RunWisp\n[Service]\n${user ? `User=${user}\nGroup=${user}\n` : ''}ExecStart=/usr/local/bin/runwisp daemon --config /etc/runwisp/runwisp.toml --data ${dataDir} --host 127.0.0.1 --port 9477\n${extra}[Install]\nWantedBy=multi-user.target\n`
    const cases: Array<{name: string; user: string | null; owner: number; extra?: string; expect: Expectation}> = [
      {
        name: 'User= does not own the data dir',
        user: 'nobody',
        owner: 0,
        expect: {status: 'fail', symptoms: ['runwisp/unit-user-mismatch'], mentions: ['sudo chown -R nobody:nobody', 'sudo chmod 0700']},
      },
      {
        name: 'User= names no user',
        user: 'runwisp-no-such-user',
        owner: 0,
        expect: {status: 'fail', symptoms: ['runwisp/unit-user-missing']},
      },
      {
        name: 'ProtectSystem=strict without ReadWritePaths for the data dir',
        user: 'nobody',
        owner: 65534,
        extra: 'ProtectSystem=strict\nReadWritePaths=/var/lib/runwisp\n',
        expect: {status: 'fail', symptoms: ['runwisp/unit-data-dir-read-only']},
      },
      {name: 'User= owns the data dir', user: 'nobody', owner: 65534, expect: {status: 'pass'}},
    ]
    it('a unit that is a symlink (`systemctl link`, home-manager) is read through it; a symlinked password drop-in is not', async () => {
      const {cwd} = workdir('0.16+')
      const dataDir = join(cwd, 'srv-data')
      mkdirSync(dataDir, {mode: 0o700})
      const units = join(cwd, 'units')
      const store = join(cwd, 'store')
      mkdirSync(join(units, 'runwisp.service.d'), {recursive: true})
      mkdirSync(store)
      writeFileSync(join(store, 'runwisp.service'), unit('nobody', dataDir))
      symlinkSync(join(store, 'runwisp.service'), join(units, 'runwisp.service'))
      writeFileSync(join(store, 'password.conf'), '[Service]\nUser=root\n')
      symlinkSync(join(store, 'password.conf'), join(units, 'runwisp.service.d', 'password.conf'))
      // Read through the link, the unit's User=nobody does not own the root-owned data dir; the drop-in's User=root is never read.
      expectResult(await runCheck(checkById('service-unit'), runwispAt(cwd, {port: 1, env: {SYSTEMD_UNIT_PATH: units}})), {
        status: 'fail',
        symptoms: ['runwisp/unit-user-mismatch'],
        mentions: ['sudo chown -R nobody:nobody'],
      })
    })

    for (const c of cases) {
      it(c.name, async () => {
        const {cwd} = workdir('0.16+')
        const dataDir = join(cwd, 'srv-data')
        mkdirSync(dataDir, {mode: 0o700})
        chownSync(dataDir, c.owner, c.owner)
        const units = join(cwd, 'units')
        mkdirSync(units)
        writeFileSync(join(units, 'runwisp.service'), unit(c.user, dataDir, c.extra))
        expectResult(await runCheck(checkById('service-unit'), runwispAt(cwd, {port: 1, env: {SYSTEMD_UNIT_PATH: units}})), c.expect)
      })
    }
  })
})
