/** docs/targets.md stays true: every declaration it shows is valid and says what the page says. */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {knownIds} from '../../src/config/load.js'
import {ConfigError, parseConfig} from '../../src/config/schema.js'
import {TARGET_FIELDS} from '../../src/config/targets.js'
import {REPO} from '../helpers/processes.js'

const page = readFileSync(join(REPO, 'docs/targets.md'), 'utf8')
const blocks = [...page.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('"targets"'))
const parse = (text: string) => parseConfig(text, '/etc/project/doctor.config.json', knownIds(), {env: {}, home: '/home/op'})

describe('docs/targets.md', () => {
  it('shows the kv, nginx and redis declarations, each valid', () => {
    const ids = blocks.map((b) => parse(b).targets.map((t) => t.id)).flat()
    assert.deepEqual(ids, ['kv', 'nginx', 'redis'])
  })

  it('documents every field a declaration may have', () => {
    for (const field of TARGET_FIELDS)
      assert.match(page, new RegExp(`\\| \`${field}(\\.[a-z]+)?\` \\|`), `the fields table has no row for ${field}`)
  })

  it('has the kv example match the lines it says the daemon writes', () => {
    const kv = parse(blocks[0]!).targets[0]!
    assert.equal(kv.symptoms[0]!.patterns[0]!.test('listen tcp 127.0.0.1:7000: bind: address already in use'), true)
    assert.equal(kv.configs[0], '/home/op/kv/kvd.toml')
    const redis = parse(blocks[2]!).targets[0]!
    assert.equal(redis.health?.kind === 'tcp' && redis.health.aliveToo?.[0]?.test('-NOAUTH Authentication required.'), true)
    assert.equal(
      redis.symptoms[0]!.patterns[0]!.test(
        '12345:M 02 Dec 2026 10:00:00.000 # Could not create server TCP listening socket 127.0.0.1:6379: bind: Address already in use',
      ),
      true,
    )
    const nginx = parse(blocks[1]!).targets[0]!
    assert.equal(
      nginx.symptoms[0]!.patterns[0]!.test('2026/12/02 10:00:00 [emerg] 123#123: bind() to 0.0.0.0:80 failed (98: Address already in use)'),
      true,
    )
  })

  it('shows the error a misspelt field really gets', () => {
    const text = [
      '{',
      '  "targets": [',
      '    {',
      '      "id": "kv",',
      '',
      '',
      '',
      '',
      '      "datadir": "~/kv/data"',
      '    }',
      '  ]',
      '}',
    ].join('\n')
    assert.throws(
      () => parse(text),
      (e: ConfigError) => {
        const shown = e.message.replace('/etc/project/', '').replace(/ \(known: [^)]*\)/, ' (…)')
        assert.ok(page.includes(shown), `the page does not show: ${shown}`)
        assert.ok(page.includes(`Try this: ${e.suggestions[0]}`))
        return true
      },
    )
  })
})
