import assert from 'node:assert/strict'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {knownIds} from '../../src/config/load.js'
import {parseConfig} from '../../src/config/schema.js'
import {applySetFlags} from '../../src/config/set.js'
import {UsageError} from '../../src/engine/doctor.js'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'

const expand = {env: {KV_ROOT: '/srv/kv'}, home: '/home/op', baseDir: '/work/here'}
const declared = () =>
  parseConfig(
    JSON.stringify({
      targets: [
        {
          id: 'kv',
          ports: [7000],
          health: {port: 7000, tcp: {}},
          dataDir: {path: '/var/lib/kv', mode: '0700'},
          pidFile: '/run/kv.pid',
          logs: ['/var/log/kv.log'],
        },
        {id: 'web', process: {names: ['nginx']}},
      ],
    }),
    '/etc/project/doctor.config.json',
    knownIds(),
    {env: {}, home: '/home/op'},
  ).targets
const apply = (values: string[], targetOptions = {}) => applySetFlags(values, {profiles: declared(), targetOptions, expand})
const refuses = (values: string[], message: RegExp, suggestion?: string, targetOptions = {}) =>
  assert.throws(
    () => apply(values, targetOptions),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e))
      assert.match(e.message, message)
      if (suggestion) assert.ok(e.suggestions.includes(suggestion), JSON.stringify(e.suggestions))
      return true
    },
  )

describe('--set <target>.<key>=<value>', () => {
  it('points a declared target elsewhere, with values read as the config reads them and paths relative to the working directory', () => {
    const {profiles} = apply([
      'kv.dataDir=${KV_ROOT}/data',
      'kv.dataDir.mode=0750',
      'kv.dataDir.minFree=2GiB',
      'kv.dataDir.owner=kv',
      'kv.pidFile=run/kv.pid',
      'kv.pidFile.locked=true',
      'kv.health.port=7100',
      'kv.health.timeout=3s',
      'kv.logs=~/kv.log,/var/log/kv.err',
      'kv.configs=kv.conf',
      'kv.name=KV (staging)',
      'web.dataDir=/srv/www',
    ])
    const kv = profiles[0]!
    assert.deepEqual(kv.dataDir, {path: '/srv/kv/data', mode: 0o750, minFree: 2 * 1024 ** 3, owner: 'kv'})
    assert.deepEqual(kv.pidFile, {path: '/work/here/run/kv.pid', locked: true})
    assert.deepEqual(kv.health, {port: 7100, kind: 'tcp', timeoutMs: 3000})
    assert.deepEqual(kv.ports, [7100], 'the old health port is replaced among the ports')
    assert.deepEqual(kv.logs, ['/home/op/kv.log', '/var/log/kv.err'])
    assert.deepEqual(kv.configs, ['/work/here/kv.conf'])
    assert.equal(kv.name, 'KV (staging)')
    assert.deepEqual(profiles[1]!.dataDir, {path: '/srv/www'})
    assert.deepEqual(declared()[0]!.dataDir, {path: '/var/lib/kv', mode: 0o700}, 'what was loaded is left as it was')
  })

  it('keeps the health port among the ports when the ports are replaced', () => {
    assert.deepEqual(apply(['kv.ports=7001,7002,7001']).profiles[0]!.ports, [7001, 7002, 7000])
  })

  it('sets a built-in target the way its own flags do, and agrees with them', () => {
    const {targetOptions} = apply([
      'executor.dataDir=~/exec',
      'executor.port=4790',
      'runwisp.config=runwisp.toml',
      'runwisp.port=9480',
      'executor.checkout=.',
    ])
    assert.deepEqual(targetOptions.executor, {dataDir: '/home/op/exec', port: 4790, checkout: '/work/here'})
    assert.deepEqual(targetOptions.runwisp, {config: '/work/here/runwisp.toml', port: 9480})
    assert.deepEqual(apply(['runwisp.port=9480'], {runwisp: {port: 9480, dataDir: 'd'}}).targetOptions.runwisp, {port: 9480, dataDir: 'd'})
    refuses(['runwisp.port=9481'], /--set "runwisp\.port=9481" contradicts --runwisp-port 9480/, 'give one of them', {
      runwisp: {port: 9480},
    })
  })

  const wrong: Array<[string, RegExp, string?]> = [
    ['kv.dataDir', /--set "kv\.dataDir" is not <target>\.<key>=<value>/],
    ['dataDir=/x', /is not <target>\.<key>=<value>/],
    ['kb.dataDir=/x', /--set "kb\.dataDir=\/x" names no target "kb"/, 'did you mean "kv"?'],
    ['kv.datadir=/x', /"datadir" is not a key --set knows for kv/, 'did you mean "dataDir"?'],
    ['executor.config=/x', /"config" is not a key --set knows for executor/],
    ['runwisp.data-dir=/x', /"data-dir" is not a key --set knows for runwisp/, 'did you mean "dataDir"?'],
    ['kv.dataDir.mode=700x', /kv\.dataDir\.mode must be an octal mode string/],
    ['kv.dataDir.minFree=lots', /kv\.dataDir\.minFree must be a size/],
    ['kv.dataDir.owner=K V', /must be a user name or a numeric uid/],
    ['kv.ports=7000,,7001', /comma-separated list without empty items/],
    ['kv.ports=70000', /port number from 1 to 65535, not number 70000/],
    ['executor.port=http', /executor\.port must be a port number from 1 to 65535, not the string "http"/],
    ['kv.pidFile.locked=yes', /must be true or false, not "yes"/],
    ['kv.health.timeout=soon', /must be a duration/],
    ['kv.dataDir=${NOPE}/x', /uses \$\{NOPE\}, which is not set here/],
    ['kv.dataDir=~kv/x', /only "~" \(your home\) is expanded/],
    [
      'web.dataDir.mode=0700',
      /cannot be set: web declares no "dataDir" \(set web\.dataDir first, or declare it in \/etc\/project\/doctor\.config\.json\)/,
    ],
    ['web.health.port=80', /web declares no "health"/],
  ]
  for (const [value, message, suggestion] of wrong) {
    it(`refuses --set ${value}`, () => refuses([value], message, suggestion))
  }

  it('without a config, names the built-in targets and says where others are declared', () => {
    assert.throws(
      () => applySetFlags(['kv.dataDir=/x'], {profiles: [], expand}),
      (e: UsageError) =>
        e.suggestions.some((s) => /known targets: executor, runwisp \(declare others in doctor\.config\.json `targets`/.test(s)),
    )
  })

  describe('on the command line', () => {
    const tmp = tmpDirs()
    afterEach(() => tmp.cleanup())

    it('doctor --set executor.dataDir=… checks that data dir, as --executor-data-dir does', async () => {
      const dir = tmp.make()
      mkdirSync(join(dir, 'exec'))
      const viaSet = await runCli(['--json', '--target', 'executor', '--only', 'stale-manifest', '--set', 'executor.dataDir=exec'], {
        cwd: dir,
        env: {HOME: dir},
      })
      const viaFlag = await runCli(
        ['--json', '--target', 'executor', '--only', 'stale-manifest', '--executor-data-dir', join(dir, 'exec')],
        {cwd: dir, env: {HOME: dir}},
      )
      for (const r of [viaSet, viaFlag]) {
        const report = JSON.parse(r.stdout) as {targets: Array<{id: string; dataDir: string | null}>}
        assert.equal(report.targets.find((t) => t.id === 'executor')!.dataDir, join(dir, 'exec'), r.stderr)
      }
    })

    it('doctor --set with an unknown key exits 2 naming it', async () => {
      const dir = tmp.make()
      const r = await runCli(['--json', '--set', 'executor.datadir=/x'], {cwd: dir, env: {HOME: dir}})
      assert.equal(r.code, 2, r.stdout + r.stderr)
      assert.equal(r.stdout, '')
      assert.match(
        r.stderr.replace(/\s*\n\s*›\s*/g, ' '),
        /--set "executor\.datadir=\/x": "datadir" is not a key --set knows for executor.*did you mean "dataDir"\?/,
      )
    })
  })
})
