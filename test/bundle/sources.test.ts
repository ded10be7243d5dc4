/**
 * Sources and known-secret discovery: every secret the fixture plants is found (and named by
 * where it was found), RunWisp's locations resolve as the fact sheet says (through the RunWisp
 * target, in one context shared with the doctor run), and runwisp.toml's secrets are found
 * whether or not it parses.
 */
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {plantSecrets} from '../../fixtures/bundle/plant-secrets.js'
import {createContext} from '../../src/context.js'
import {describePath} from '../../src/bundle/describe.js'
import {discoverKnownSecrets} from '../../src/bundle/known-secrets.js'
import {executorLocations} from '../../src/bundle/sources/executor.js'
import {planRunwisp, runwispConfigSecrets, runwispLocations, unitEnvironment} from '../../src/bundle/sources/runwisp.js'
import {runDoctor} from '../../src/engine/doctor.js'
import {tmpDirs} from '../helpers/tmp.js'
import {killRunwisps, startRunwisp} from '../runwisp/helpers.js'

describe('bundle sources and known secrets', () => {
  const tmp = tmpDirs()
  afterEach(async () => {
    await killRunwisps()
    tmp.cleanup()
  })

  it('discovers every planted secret the doctor can read, and where it was found', async () => {
    const install = plantSecrets(tmp.make('doctorkit-bundle-'), {hugeLogBytes: 1024})
    const ctx = createContext({env: install.env, cwd: install.cwd, home: install.home})
    try {
      const found = await discoverKnownSecrets(ctx, executorLocations(ctx), await runwispLocations(ctx))
      const values = new Set(found.map((s) => s.value))
      // The daemon-only token lives only in a running daemon's environment (covered end to end).
      const {daemonOnlyToken: _, slackWebhookPath, ...readable} = install.secrets
      for (const [name, value] of Object.entries(readable)) {
        assert.ok(values.has(value) || [...values].some((v) => v.includes(value)), `${name} was not discovered`)
      }
      assert.ok(
        [...values].some((v) => v.includes(slackWebhookPath!)),
        'the Slack webhook URL was not discovered',
      )
      for (const value of Object.values(install.unknownSecrets)) assert.ok(!values.has(value), 'a value no file holds was "discovered"')
      const where = found.flatMap((s) => s.foundIn).join('\n')
      assert.match(where, /server-control\/auth\.json$/m)
      assert.match(where, /server\.json connection auth\.token/)
      assert.match(where, /profile cloud auth\.refreshToken/)
      assert.match(where, /\.local\/share\/executor\/auth\.json item old/)
      assert.match(where, /password\.conf Environment RUNWISP_PASSWORD/)
      assert.match(where, /runwisp\.toml notifiers\.hook\.headers\.Authorization/)
      assert.match(where, /environment variable NOTIFY_URL \(referenced by/)
      assert.match(where, /sh\.executor\.daemon\.service Environment EXECUTOR_SENTRY_DSN/)
      assert.ok(found.every((s) => /^secret-\d+$/.test(s.label)))
    } finally {
      await ctx.close()
    }
  })

  it('resolves RunWisp dirs: flag over RUNWISP_DATA over defaults; ./data only with RunWisp files; units name theirs', async () => {
    const dir = tmp.make()
    const home = join(dir, 'home')
    mkdirSync(join(dir, 'data'), {recursive: true})
    writeFileSync(join(dir, 'data', 'runwisp.db'), '')
    mkdirSync(join(home, '.config', 'systemd', 'user'), {recursive: true})
    writeFileSync(
      join(home, '.config', 'systemd', 'user', 'runwisp-ab12.service'),
      '[Service]\nExecStart=/usr/bin/runwisp daemon --config /srv/rw/runwisp.toml --data=/srv/rw/data --port 9477\n',
    )
    const at = (env: Record<string, string>, runwisp = {}) =>
      runwispLocations(createContext({env: {HOME: home, ...env}, cwd: dir, home, options: {targetOptions: {runwisp}}}))
    const byFlag = await at({RUNWISP_DATA: '/env/data'}, {dataDir: 'flagdir'})
    assert.equal(byFlag.dataDirs[0]!.path, join(dir, 'flagdir'))
    assert.ok(!byFlag.dataDirs.some((d) => d.path === '/env/data'))
    const byEnv = await at({RUNWISP_DATA: '/env/data', RUNWISP_CONFIG: '/env/rw.toml'})
    assert.equal(byEnv.dataDirs[0]!.source, 'RUNWISP_DATA')
    assert.equal(byEnv.configs[0]!.path, '/env/rw.toml')
    const byDefault = await at({})
    const paths = byDefault.dataDirs.map((d) => d.path)
    assert.ok(paths.includes(join(dir, '.runwisp')))
    assert.ok(paths.includes(join(dir, 'data')), 'a ./data with runwisp.db is the ≤0.5 default')
    assert.ok(paths.includes('/srv/rw/data'), 'the unit ExecStart --data=')
    assert.ok(byDefault.configs.some((c) => c.path === '/srv/rw/runwisp.toml'))
  })

  it('collects what units and a running daemon name: every unit file with its drop-ins (password apart), plists, the env file', async () => {
    const dir = tmp.make()
    const home = join(dir, 'home')
    const units = join(dir, 'units')
    mkdirSync(join(units, 'runwisp.service.d'), {recursive: true})
    writeFileSync(
      join(units, 'runwisp.service'),
      '[Service]\nWorkingDirectory=/srv/rw\nExecStart=/usr/bin/runwisp daemon --data state\nEnvironment=RUNWISP_CONFIG=/srv/rw/conf/runwisp.toml\n',
    )
    writeFileSync(join(units, 'runwisp.service.d', 'password.conf'), '[Service]\nEnvironment="RUNWISP_PASSWORD=drop-in-secret-1234"\n')
    writeFileSync(join(units, 'runwisp.service.d', 'env.conf'), '[Service]\nEnvironment=RUNWISP_TRUSTED_PROXIES=127.0.0.1/32\n')
    writeFileSync(join(units, 'runwisp-cron-failsafe.service'), '[Service]\nExecStart=/bin/systemctl unmask cron\n')
    mkdirSync(join(home, 'Library', 'LaunchAgents'), {recursive: true})
    writeFileSync(join(home, 'Library', 'LaunchAgents', 'com.runwisp.daemon.plist'), '<plist/>')
    // A real process named runwisp, started elsewhere with a relative --config: its own cwd resolves it.
    const elsewhere = join(dir, 'elsewhere')
    mkdirSync(elsewhere)
    const daemon = await startRunwisp({
      generation: '0.16+',
      dataDir: join(elsewhere, 'state'),
      cwd: elsewhere,
      binDir: dir,
      args: ['--config', 'conf.toml'],
    })
    const ctx = createContext({env: {HOME: home, SYSTEMD_UNIT_PATH: units}, cwd: join(dir, 'project'), home})
    try {
      const at = await runwispLocations(ctx)
      const dataDirs = new Map(at.dataDirs.map((d) => [d.path, d.source]))
      assert.equal(dataDirs.get('/srv/rw/state'), '--data of runwisp.service', 'a relative --data resolves against WorkingDirectory=')
      assert.equal(
        dataDirs.get(join(elsewhere, 'state')),
        `running daemon (pid ${daemon.pid}): it was started with --data ${join(elsewhere, 'state')}`,
      )
      const configs = new Map(at.configs.map((c) => [c.path, c.source]))
      assert.equal(
        configs.get('/srv/rw/conf/runwisp.toml'),
        '--config of runwisp.service',
        'RUNWISP_CONFIG in Environment= names the config',
      )
      assert.equal(configs.get(join(elsewhere, 'conf.toml')), `running daemon (pid ${daemon.pid}): it was started with --config conf.toml`)
      assert.ok(configs.has(join(dir, 'project', 'runwisp.yaml')), 'the 0.1 YAML config is looked for')
      const service = at.serviceFiles.map((f) => f.path)
      for (const path of [
        join(units, 'runwisp.service'),
        join(units, 'runwisp.service.d', 'env.conf'),
        join(units, 'runwisp-cron-failsafe.service'),
        join(home, 'Library', 'LaunchAgents', 'com.runwisp.daemon.plist'),
      ]) {
        assert.ok(service.includes(path), `${path} is not collected: ${service.join(', ')}`)
      }
      assert.deepEqual(at.passwordDropIns, [join(units, 'runwisp.service.d', 'password.conf')])
      assert.ok(!service.includes(at.passwordDropIns[0]!), 'the password drop-in is described, never copied')
      assert.deepEqual(at.envFiles, ['/etc/runwisp/runwisp.env'])
      const found = await discoverKnownSecrets(ctx, executorLocations(ctx), at)
      assert.ok(
        found.some(
          (s) => s.value === 'drop-in-secret-1234' && s.foundIn.some((w) => w.endsWith('password.conf Environment RUNWISP_PASSWORD')),
        ),
      )
      const plan = await planRunwisp(ctx, at, 0)
      assert.ok(plan.secretFiles.some((f) => f.path === at.passwordDropIns[0]))
      assert.ok(!plan.copies.some((c) => c.path === at.passwordDropIns[0]))
      assert.ok(plan.copies.some((c) => c.name === 'runwisp/service/runwisp.service.d/env.conf'))
      assert.ok(
        plan.copies.some((c) => c.name === 'runwisp/data/daemon.pid' && c.path === join(elsewhere, 'state', 'daemon.pid')),
        "the daemon's data dir exists and is collected",
      )
    } finally {
      await ctx.close()
    }
  })

  it('shares one context with the doctor run: unit dirs are listed once, and the generation the target found is a fact', async () => {
    const install = plantSecrets(tmp.make('doctorkit-bundle-'), {hugeLogBytes: 1024})
    const units = join(install.home, '.config', 'systemd', 'user')
    const ctx = createContext({env: {...install.env, SYSTEMD_UNIT_PATH: units}, cwd: install.cwd, home: install.home})
    const listed = new Map<string, number>()
    const readdir = ctx.files.readdir.bind(ctx.files)
    ctx.files.readdir = (path: string) => {
      listed.set(path, (listed.get(path) ?? 0) + 1)
      return readdir(path)
    }
    try {
      const report = await runDoctor({context: ctx})
      assert.equal(listed.get(units), 1, 'the doctor run did not read through the context it was given')
      const at = await runwispLocations(ctx)
      await discoverKnownSecrets(ctx, executorLocations(ctx), at)
      const plan = await planRunwisp(ctx, at, 5)
      assert.equal(listed.get(units), 1, 'the bundle listed the unit dir again instead of reusing what the doctor read')
      const runwisp = report.targets.find((t) => t.id === 'runwisp')!
      assert.equal(runwisp.detected, true)
      assert.equal(plan.facts.generation, runwisp.generation)
      assert.equal(plan.facts.generationReason, runwisp.generationReason)
      assert.ok('version' in plan.facts)
      assert.equal(plan.facts.dataDirCheckedByDoctor, install.paths.runwispDataDir)
    } finally {
      await ctx.close()
    }
  })

  it('finds runwisp.toml secrets in a valid file and in one that does not parse', () => {
    const toml = [
      '[notifiers.slack]',
      'type = "slack"',
      'url = "https://hooks.slack.com/services/T1/B2/xyz"',
      '[tasks.a]',
      'cron = "* * * * *"',
      'env = { API_KEY = "k-123", HOME_DIR = "/x" }',
      'password = "${file:pw.txt}"',
    ].join('\n')
    const good = runwispConfigSecrets(toml)
    assert.deepEqual(good.values.map((v) => v.value).sort(), ['https://hooks.slack.com/services/T1/B2/xyz', 'k-123'])
    assert.deepEqual(good.fileRefs, ['pw.txt'])
    const bad = runwispConfigSecrets(toml + '\n[broken\nsecret = "s-456"\n')
    assert.ok(bad.parseError)
    assert.ok(bad.values.some((v) => v.value === 'https://hooks.slack.com/services/T1/B2/xyz'))
    assert.ok(bad.values.some((v) => v.value === 's-456'))
  })

  it('reads systemd Environment= lines with quotes', () => {
    assert.deepEqual(unitEnvironment('Environment="A=1 2" B=3\nEnvironment=RUNWISP_PASSWORD=x\n'), [
      ['A', '1 2'],
      ['B', '3'],
      ['RUNWISP_PASSWORD', 'x'],
    ])
  })

  it('describes a symlinked secret by its link, flagging a target outside the data dir', async () => {
    const dir = tmp.make()
    mkdirSync(join(dir, 'data'))
    writeFileSync(join(dir, 'secret.json'), '{"token": "x"}')
    const {symlinkSync} = await import('node:fs')
    symlinkSync(join(dir, 'secret.json'), join(dir, 'data', 'auth.json'))
    symlinkSync('other.json', join(dir, 'data', 'inside.json'))
    const outside = await describePath(join(dir, 'data', 'auth.json'), join(dir, 'data'))
    assert.equal(outside.type, 'symlink')
    assert.equal(outside.pointsOutside, true)
    assert.equal(outside.symlinkTarget, join(dir, 'secret.json'))
    assert.equal((await describePath(join(dir, 'data', 'inside.json'), join(dir, 'data'))).pointsOutside, false)
    assert.deepEqual(await describePath(join(dir, 'none')), {path: join(dir, 'none'), present: false})
  })
})
