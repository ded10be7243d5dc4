/**
 * RunWisp's config-valid check against real state: a runwisp.toml of each generation's dialect on
 * disk, a fake daemon of that generation answering over real sockets, real RUNWISP_* variables.
 * (Moved out of checks.test.ts so that every check has a test file named after it.)
 */
import {mkdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {expectResult, type Expectation, checkById, runCheck} from '../helpers/check-table.js'
import {startRunwisp, type Generation, cleanup, tmp, workdir, runwispAt} from './helpers.js'

describe('runwisp config-valid', () => {
  afterEach(cleanup)

  const cases: Array<{name: string; generation: Generation; toml: string | Buffer; env?: Record<string, string>; expect: Expectation}> = [
    {
      name: '0.16+ daemon, 0.4-style keys',
      generation: '0.16+',
      toml: '[tasks.a]\ncron = "0 * * * *"\nparallelism = 1\n[[notifier]]\nid = "x"\n',
      expect: {
        status: 'fail',
        symptoms: ['runwisp/config-unknown-key'],
        mentions: ["did you mean 'max_concurrent'?", 'runwisp.toml:3:1', 'runwisp.toml:4:1'],
      },
    },
    {
      name: '0.3-0.4 daemon, 61 in the minute field',
      generation: '0.3-0.4',
      toml: '[tasks.a]\ncron = "61 * * * *"\n',
      expect: {status: 'fail', symptoms: ['runwisp/cron-invalid'], mentions: ['runwisp.toml:2:1', '61 is out of range 0-59']},
    },
    {
      name: '0.5-0.15 daemon, skip policy with one slot',
      generation: '0.5-0.15',
      toml: '[tasks.long]\ncron = "@every 1m"\nmax_concurrent = 1\non_overlap = "skip"\n',
      expect: {
        status: 'warn',
        symptoms: ['runwisp/overlap-skip'],
        mentions: ['exit code -1', 'task already running, skipping (policy: skip)', 'skipped'],
      },
    },
    {
      name: 'a syntax error, with line and column',
      generation: '0.16+',
      toml: '[tasks.a]\ncron = "0 * * * *\n',
      expect: {status: 'fail', symptoms: ['runwisp/config-syntax'], mentions: ['runwisp.toml:2:']},
    },
    {
      name: 'a binary file',
      generation: '0.16+',
      toml: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
      expect: {status: 'fail', symptoms: ['runwisp/config-syntax'], mentions: ['NUL byte', 'runwisp.toml:3:1']},
    },
    {
      name: 'a non-UTF-8 file',
      generation: '0.16+',
      toml: Buffer.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
      expect: {status: 'fail', symptoms: ['runwisp/config-syntax'], mentions: ['not valid UTF-8', 'runwisp.toml:1:6']},
    },
    {
      name: 'a deeply nested file',
      generation: '0.16+',
      toml: `x = ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
      expect: {status: 'fail', symptoms: ['runwisp/config-syntax'], mentions: ['nested']},
    },
    {
      name: 'a huge file',
      generation: '0.16+',
      toml: Buffer.alloc(5 * 1024 * 1024, 0x23),
      expect: {status: 'error', mentions: ['5242880 bytes']},
    },
    // runwisp-facts §5.1: unknown keys are rejected at load, and no generation reads a port from runwisp.toml (§2.1: --port, RUNWISP_PORT).
    {
      name: 'port = -1 at the top level',
      generation: '0.16+',
      toml: 'port = -1\n[tasks.a]\ncron = "@hourly"\n',
      expect: {
        status: 'fail',
        symptoms: ['runwisp/config-unknown-key'],
        mentions: ['runwisp.toml:1:1', 'unknown top-level key \\"port\\"', '--port / -p or RUNWISP_PORT', '-1 is no valid port number'],
      },
    },
    {
      name: 'port = 1.5e300 in [daemon], on 0.3-0.4',
      generation: '0.3-0.4',
      toml: '[daemon]\nport = 1.5e300\n[tasks.a]\ncron = "@hourly"\n',
      expect: {
        status: 'fail',
        symptoms: ['runwisp/config-unknown-key'],
        mentions: ['runwisp.toml:2:1', 'unknown key \\"port\\" in [daemon]', '1.5e+300 is no valid port number'],
      },
    },
    {
      name: 'an unknown top-level section, with the loader\'s "did you mean"',
      generation: '0.5-0.15',
      toml: '[task.backup]\ncron = "@hourly"\n[wisp]\nx = 1\n',
      expect: {
        status: 'fail',
        symptoms: ['runwisp/config-unknown-key'],
        mentions: [
          'runwisp.toml:1:1',
          "unknown top-level section [task] (did you mean 'tasks'?)",
          'runwisp.toml:3:1',
          'unknown top-level section [wisp] (RunWisp reads [tasks]',
        ],
      },
    },
    {
      name: '[compose] before 0.7 (a 0.4 daemon)',
      generation: '0.3-0.4',
      toml: '[compose.web]\nfile = "docker-compose.yml"\n',
      expect: {status: 'fail', symptoms: ['runwisp/config-unknown-key'], mentions: ['[compose] arrived in 0.7.0']},
    },
    {
      name: 'every section a generation reads is accepted',
      generation: '0.16+',
      toml: '[defaults]\n[daemon]\nshutdown_timeout = "10s"\n[storage]\n[notify]\n[notifiers.ops]\ntype = "slack"\n[[route]]\nnotifiers = ["ops"]\n[compose.web]\nfile = "c.yml"\n[services.web]\nrun = "true"\n[tasks.a]\ncron = "@hourly"\n',
      expect: {status: 'pass'},
    },
    {
      name: 'bad RUNWISP_* variables',
      generation: '0.16+',
      toml: '[tasks.a]\ncron = "@hourly"\n',
      env: {RUNWISP_PORT: 'ninety', RUNWISP_AUTH: 'off', RUNWISP_PASSWORD: 'x'},
      expect: {
        status: 'fail',
        symptoms: ['runwisp/env-invalid'],
        mentions: ['RUNWISP_PORT must be a valid port number', 'mutually exclusive'],
      },
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const {cwd, dataDir} = workdir(c.generation, '')
      writeFileSync(join(cwd, 'runwisp.toml'), c.toml)
      const daemon = await startRunwisp({generation: c.generation, dataDir, cwd})
      expectResult(await runCheck(checkById('config-valid'), runwispAt(cwd, {port: daemon.port, ...(c.env ? {env: c.env} : {})})), c.expect)
    })
  }
  it('a runwisp.toml that is a symlink (stow, home-manager) is read through the link, as RunWisp reads it', async () => {
    const {cwd, dataDir} = workdir('0.16+', '')
    const dotfiles = join(tmp.make('runwisp-dotfiles-'), 'runwisp', 'runwisp.toml')
    mkdirSync(dirname(dotfiles), {recursive: true})
    writeFileSync(dotfiles, '[tasks.a]\ncron = "61 * * * *"\n')
    rmSync(join(cwd, 'runwisp.toml'))
    symlinkSync(dotfiles, join(cwd, 'runwisp.toml'))
    const daemon = await startRunwisp({generation: '0.16+', dataDir, cwd})
    expectResult(await runCheck(checkById('config-valid'), runwispAt(cwd, {port: daemon.port})), {
      status: 'fail',
      symptoms: ['runwisp/cron-invalid'],
      mentions: ['runwisp.toml:2:1', '61 is out of range 0-59'],
    })
    writeFileSync(dotfiles, '[tasks.a]\ncron = "@hourly"\n')
    expectResult(await runCheck(checkById('config-valid'), runwispAt(cwd, {port: daemon.port})), {status: 'pass'})
  })

  it('a symlink loop where runwisp.toml should be is said as such', async () => {
    const {cwd} = workdir('0.16+', '')
    symlinkSync(join(cwd, 'b.toml'), join(cwd, 'a.toml'))
    symlinkSync(join(cwd, 'a.toml'), join(cwd, 'b.toml'))
    expectResult(await runCheck(checkById('config-valid'), runwispAt(cwd, {port: 1, env: {RUNWISP_CONFIG: join(cwd, 'a.toml')}})), {
      status: 'error',
      mentions: ['ELOOP', 'too many symbolic links'],
    })
  })

  it('an explicit RUNWISP_CONFIG that does not exist', async () => {
    const {cwd} = workdir('0.16+')
    expectResult(await runCheck(checkById('config-valid'), runwispAt(cwd, {port: 1, env: {RUNWISP_CONFIG: join(cwd, 'nope.toml')}})), {
      status: 'fail',
      symptoms: ['runwisp/config-missing'],
      mentions: ['nope.toml'],
    })
  })
})
