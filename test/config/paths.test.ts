import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadConfig} from '../../src/config/load.js'
import {expandPath, PathProblem} from '../../src/config/paths.js'
import {tmpDirs} from '../helpers/tmp.js'

const ctx = {env: {KV: '/srv/kv', EMPTY: '', TRICKY: '${KV}', TILDE: '~/x'}, home: '/home/op', baseDir: '/etc/project'}

describe('config: path expansion', () => {
  const table: Array<[string, string]> = [
    ['~', '/home/op'],
    ['~/kv/data', '/home/op/kv/data'],
    ['${KV}/data', '/srv/kv/data'],
    ['${KV:-/opt/kv}/data', '/srv/kv/data'],
    ['${UNSET:-/opt/kv}/data', '/opt/kv/data'],
    // As in the shell: the default also stands in for a variable that is set but empty.
    ['${EMPTY:-/opt/kv}', '/opt/kv'],
    ['${UNSET:-}data', '/etc/project/data'],
    ['run/kv.pid', '/etc/project/run/kv.pid'],
    ['./run/../log/kv.log', '/etc/project/log/kv.log'],
    ['../common/kv', '/etc/common/kv'],
    ['/var/lib/kv/', '/var/lib/kv'],
    ['/', '/'],
    // One pass: a value holding "${" or "~" is taken as it is, not expanded again.
    ['/a/${TRICKY}', '/a/${KV}'],
    ['${TILDE}', '/etc/project/~/x'],
    // A default that leads the path gets the shell's tilde expansion; a set variable's value does not.
    ['${UNSET:-~/kv}/kvd.toml', '/home/op/kv/kvd.toml'],
    ['${KV:-~/kv}/kvd.toml', '/srv/kv/kvd.toml'],
    ['/a/${UNSET:-~/kv}', '/a/~/kv'],
  ]
  for (const [raw, expected] of table) {
    it(`${raw} → ${expected}`, () => assert.equal(expandPath(raw, ctx), expected))
  }

  const refused: Array<[string, RegExp]> = [
    ['${UNSET}/data', /uses \$\{UNSET\}, which is not set here/],
    ['${EMPTY}/data', /uses \$\{EMPTY\}, which is empty here/],
    ['${KV/data', /not closed/],
    ['${K-V}', /is not \$\{NAME\}/],
    ['~kv/data', /only "~" \(your home\) is expanded/],
    ['', /not an empty string/],
    ['a\0b', /NUL/],
  ]
  for (const [raw, problem] of refused) {
    it(`refuses ${JSON.stringify(raw)}`, () =>
      assert.throws(
        () => expandPath(raw, ctx),
        (e: unknown) => e instanceof PathProblem && problem.test(e.message),
      ))
  }

  describe('in a real config file', () => {
    const tmp = tmpDirs()
    afterEach(() => tmp.cleanup())

    it("resolves relative paths against the config file's directory, not the working directory, and ~ against the given home", async () => {
      const root = tmp.make()
      mkdirSync(join(root, 'ops'))
      mkdirSync(join(root, 'elsewhere'))
      writeFileSync(
        join(root, 'ops/kv.json'),
        JSON.stringify({
          targets: [{id: 'kv', pidFile: 'run/kv.pid', logs: ['${KV_LOGS:-../logs}/kv.log', '~/kv.log'], dataDir: '${KV_DATA}'}],
        }),
      )
      const loaded = await loadConfig({
        cwd: join(root, 'elsewhere'),
        explicit: '../ops/kv.json',
        env: {KV_DATA: '/srv/kv'},
        home: '/home/op',
      })
      const t = loaded!.config.targets[0]!
      assert.equal(t.pidFile!.path, join(root, 'ops/run/kv.pid'))
      assert.deepEqual(t.logs, [join(root, 'logs/kv.log'), '/home/op/kv.log'])
      assert.equal(t.dataDir!.path, '/srv/kv')
      assert.equal(t.source.configPath, join(root, 'ops/kv.json'))
    })
  })
})
