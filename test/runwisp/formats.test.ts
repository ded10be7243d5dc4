import assert from 'node:assert/strict'
import {parseConfig, locateKeys, positionOf} from '../../src/targets/runwisp/config.js'
import {validateConfig, type IssueKind} from '../../src/targets/runwisp/config-rules.js'
import {parseIdentity, parsePidFile, parseSize, validateCron} from '../../src/targets/runwisp/formats.js'
import {since, type RunwispFacts} from '../../src/targets/runwisp/generations.js'
import {parseProcLocks, devParts} from '../../src/probes/locks.js'

const CURRENT = {seconds: 'yes', sundayAsSeven: 'yes'} as const
const LEGACY = {seconds: 'no', sundayAsSeven: 'no'} as const

describe('runwisp formats', () => {
  describe('validateCron', () => {
    const cases: Array<[string, typeof CURRENT | typeof LEGACY, 'ok' | 'invalid' | 'impossible', string?]> = [
      ['*/5 * * * *', CURRENT, 'ok'],
      ['0 3 * * mon-fri', CURRENT, 'ok'],
      ['15,45 9-17/2 1 JAN,jul ?', CURRENT, 'ok'],
      ['@every 1h30m', CURRENT, 'ok'],
      ['@daily', CURRENT, 'ok'],
      ['CRON_TZ=Europe/Paris 0 9 * * *', CURRENT, 'ok'],
      ['0 0 * * 7', CURRENT, 'ok'],
      ['30 */10 * * * *', CURRENT, 'ok'],
      ['61 * * * *', CURRENT, 'invalid', '61 is out of range 0-59'],
      ['* 24 * * *', CURRENT, 'invalid', 'out of range 0-23'],
      ['0 0 0 * *', CURRENT, 'invalid', 'out of range 1-31'],
      ['*/0 * * * *', CURRENT, 'invalid', 'step "0"'],
      ['5-1 * * * *', CURRENT, 'invalid', 'backwards'],
      ['* * * *', CURRENT, 'invalid', 'it has 4 fields'],
      ['@every', CURRENT, 'invalid', 'Go duration'],
      ['@every 0s', CURRENT, 'invalid', 'above zero'],
      ['@every 5 minutes', CURRENT, 'invalid', 'Go duration'],
      ['@fortnightly', CURRENT, 'invalid', 'not a known descriptor'],
      ['0 0 * * 7', LEGACY, 'invalid', 'accepted only since 0.14'],
      ['30 */10 * * * *', LEGACY, 'invalid', 'only since RunWisp 0.9'],
      ['0 0 30 2 *', CURRENT, 'impossible', 'never occurs'],
      ['0 0 31 4,6 *', CURRENT, 'impossible', 'never occurs'],
      ['0 0 31 * *', CURRENT, 'ok'],
    ]
    for (const [expr, rules, verdict, mention] of cases) {
      it(`${JSON.stringify(expr)} is ${verdict}${rules === LEGACY ? ' (legacy rules)' : ''}`, () => {
        const v = validateCron(expr, rules)
        if (verdict === 'ok') assert.deepEqual(v, {ok: true})
        else if (verdict === 'impossible') assert.ok(v.ok && v.impossible?.includes(mention!), JSON.stringify(v))
        else assert.ok(!v.ok && v.reason.includes(mention!), JSON.stringify(v))
      })
    }
  })

  describe('parsePidFile', () => {
    const cases: Array<[string, Buffer, number | string]> = [
      ['a pid and newline', Buffer.from('4242\n'), 4242],
      ['a pid without newline', Buffer.from('17'), 17],
      ['empty', Buffer.alloc(0), 'empty'],
      ['garbage text', Buffer.from('hello world\n'), 'not a decimal pid'],
      ['binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]), 'binary data'],
      ['zero', Buffer.from('0\n'), 'not a valid pid'],
      ['beyond pid_max', Buffer.from('99999999\n'), 'beyond any pid'],
      ['two lines', Buffer.from('12\n13\n'), 'not a decimal pid'],
    ]
    for (const [name, bytes, expected] of cases) {
      it(name, () => {
        const r = parsePidFile(bytes)
        if (typeof expected === 'number') assert.deepEqual(r, {ok: true, value: expected})
        else assert.ok(!r.ok && r.reason.includes(expected), JSON.stringify(r))
      })
    }
  })

  it('parseSize reads RunWisp sizes as binary multiples and rejects unknown units', () => {
    assert.deepEqual(parseSize('500mb'), {ok: true, value: 500 * 1024 ** 2})
    assert.deepEqual(parseSize('5GB'), {ok: true, value: 5 * 1024 ** 3})
    assert.deepEqual(parseSize(1024), {ok: true, value: 1024})
    assert.ok(!parseSize('5 parsecs').ok)
    assert.ok(!parseSize('5xb').ok)
  })

  it('parseIdentity accepts camelCase (0.14+) and snake_case (0.11–0.13) payloads', () => {
    const camel = parseIdentity(
      JSON.stringify({app: 'runwisp', version: '1.5.1', pid: 9, dataDir: '/d', configPath: '/c', socketPath: '/s'}),
    )
    const snake = parseIdentity(
      JSON.stringify({app: 'runwisp', version: '0.12.0', pid: 9, data_dir: '/d', config_path: '/c', socket_path: '/s'}),
    )
    assert.ok(camel.ok && camel.value.dataDir === '/d' && camel.value.socketPath === '/s')
    assert.ok(snake.ok && snake.value.dataDir === '/d' && snake.value.configPath === '/c')
    assert.ok(!parseIdentity('ok').ok)
    assert.ok(!parseIdentity('{"status":"ok"}').ok)
  })

  it('parseProcLocks and devParts find the holder of a flock', () => {
    const locks = parseProcLocks(
      '1: FLOCK  ADVISORY  WRITE 4242 fe:00:2146835 0 EOF\n2: POSIX  ADVISORY  READ 7 08:01:99 0 EOF\n2: -> POSIX  ADVISORY  WRITE 8 08:01:99 0 EOF\n',
    )
    assert.deepEqual(
      locks.map((l) => [l.kind, l.pid, l.major, l.minor, l.inode]),
      [
        ['FLOCK', 4242, 0xfe, 0, 2146835],
        ['POSIX', 7, 8, 1, 99],
      ],
    )
    assert.deepEqual(devParts(65024), {major: 0xfe, minor: 0})
  })

  it('since() answers from the exact version, or from the generation when only that is known', () => {
    assert.equal(since({generation: '0.16+', version: null}, '0.14.0'), 'yes')
    assert.equal(since({generation: '0.16+', version: null}, '1.0.0'), 'unknown')
    assert.equal(since({generation: '0.16+', version: '0.16.2'}, '1.0.0'), 'no')
    assert.equal(since({generation: '0.3-0.4', version: null}, '0.5.0'), 'no')
    assert.equal(since({generation: null, version: null}, '0.5.0'), 'unknown')
  })
})

describe('runwisp config parsing', () => {
  const candidate = {path: '/x/runwisp.toml', source: 'cwd' as const, label: 'test'}
  const cases: Array<[string, Buffer, string, number | null, number | null]> = [
    ['a syntax error', Buffer.from('[tasks.a]\ncron = "* * * * *"\nrun = \n'), 'invalid', 3, 7],
    ['binary data', Buffer.concat([Buffer.from('[tasks]\n'), Buffer.from([0x00, 0x01, 0x02])]), 'NUL byte', 2, 1],
    ['Latin-1 text', Buffer.concat([Buffer.from('[tasks.caf'), Buffer.from([0xe9]), Buffer.from(']\n')]), 'not valid UTF-8', 1, 11],
    ['deeply nested arrays', Buffer.from('a = ' + '['.repeat(5000) + ']'.repeat(5000) + '\n'), 'nested', 1, null],
  ]
  for (const [name, bytes, mention, line, column] of cases) {
    it(`reports ${name} with its position`, async () => {
      const state = await parseConfig(candidate, bytes)
      assert.equal(state.kind, 'invalid', JSON.stringify(state))
      if (state.kind !== 'invalid') return
      assert.ok(state.reason.includes(mention), state.reason)
      if (line !== null) assert.equal(state.position?.line, line)
      if (column !== null) assert.equal(state.position?.column, column)
    })
  }

  it('survives a deeply nested dotted table header', async () => {
    const state = await parseConfig(candidate, Buffer.from(`[${Array.from({length: 20000}, () => 'a').join('.')}]\nx = 1\n`))
    assert.ok(state.kind === 'ok' || state.kind === 'invalid')
  })

  it('locates keys, tables and arrays of tables', () => {
    const text =
      '# c\n[tasks.backup]\ncron = "x"\n  on_overlap = "skip"\n\n[[notifier]]\nid = "slack"\n[[notifier]]\nid = "mail"\n[tasks."odd.name"]\nrun = "y"\nmsg = """\nfake = 1\n"""\n'
    const pos = locateKeys(text)
    assert.deepEqual(positionOf(pos, ['tasks', 'backup', 'cron']), {line: 3, column: 1})
    assert.deepEqual(positionOf(pos, ['tasks', 'backup', 'on_overlap']), {line: 4, column: 3})
    assert.deepEqual(positionOf(pos, ['notifier', 1, 'id']), {line: 9, column: 1})
    assert.deepEqual(positionOf(pos, ['tasks', 'odd.name', 'run']), {line: 11, column: 1})
    assert.equal(pos.has(['tasks', 'odd.name', 'fake'].join('\u0000')), false)
  })
})

describe('runwisp config rules per generation', () => {
  const G = (generation: RunwispFacts['generation'], version: string | null = null): RunwispFacts => ({generation, version})
  const cases: Array<{name: string; toml: string; facts: RunwispFacts; expect: Array<[IssueKind, string]>}> = [
    {
      name: 'a valid 0.4 config',
      facts: G('0.3-0.4'),
      toml: '[tasks.a]\ncron = "0 * * * *"\nparallelism = 2\non_overlap = "terminate"\nlog_on_full = "kill_task"\nnotify_on_failure = ["slack"]\n[[notifier]]\nid = "slack"\ntype = "slack"\n',
      expect: [],
    },
    {
      name: 'a valid 0.12 config',
      facts: G('0.5-0.15', '0.12.0'),
      toml: '[tasks.a]\ncron = "*/10 * * * * *"\nmax_concurrent = 2\nqueue_max = 5\nnotify_on_failure = ["slack:#ops", "inapp"]\n[[notifier]]\nid = "slack"\n[[notification_route]]\nnotify = ["slack"]\nmatch.kinds = ["run.failed"]\n',
      expect: [],
    },
    {
      name: 'a valid 1.5 config',
      facts: G('0.16+', '1.5.1'),
      toml: '[daemon]\ntimezone = "UTC"\n[tasks.a]\ncron = "@every 5m"\nmax_concurrent = 1\non_overlap = "kill"\nlog_on_full = "kill"\nnotify = ["ops"]\ncatch_up = 2\n[notifiers.ops]\ntype = "slack"\n[[route]]\nnotifiers = ["ops"]\n[storage]\nmin_free_space = "5gb"\n',
      expect: [],
    },
    {
      name: 'parallelism on 0.5+',
      facts: G('0.5-0.15'),
      toml: '[tasks.a]\nparallelism = 1\n',
      expect: [['unknown-key', "did you mean 'max_concurrent'?"]],
    },
    {
      name: 'max_concurrent on 0.4',
      facts: G('0.3-0.4'),
      toml: '[tasks.a]\nmax_concurrent = 1\n',
      expect: [['unknown-key', 'this version reads "parallelism"']],
    },
    {
      name: '[[notifier]] and [[notification_route]] on 0.16+',
      facts: G('0.16+'),
      toml: '[[notifier]]\nid = "x"\n[[notification_route]]\nnotify = ["x"]\n',
      expect: [
        ['unknown-key', '[notifiers.<id>]'],
        ['unknown-key', '[[route]]'],
      ],
    },
    {
      name: '[notifiers.x] and [[route]] on 0.12',
      facts: G('0.5-0.15'),
      toml: '[notifiers.x]\ntype = "slack"\n[[route]]\nnotifiers = ["x"]\n',
      expect: [
        ['unknown-key', 'this version reads [[notifier]]'],
        ['unknown-key', 'this version reads [[notification_route]]'],
      ],
    },
    {
      name: 'terminate and kill_task on 0.16+',
      facts: G('0.16+'),
      toml: '[tasks.a]\non_overlap = "terminate"\nlog_on_full = "kill_task"\n',
      expect: [
        ['bad-value', 'renamed "kill" in 0.16.0'],
        ['bad-value', 'renamed "kill" in 0.16.0'],
      ],
    },
    {
      name: 'kill on 0.12',
      facts: G('0.5-0.15'),
      toml: '[tasks.a]\non_overlap = "kill"\n',
      expect: [['bad-value', 'this version calls it "terminate"']],
    },
    {
      name: 'an unknown on_overlap value',
      facts: G('0.16+'),
      toml: '[tasks.a]\non_overlap = "wait"\n',
      expect: [['bad-value', 'is not one of']],
    },
    {name: 'an invalid cron', facts: G('0.16+'), toml: '[tasks.a]\ncron = "61 * * * *"\n', expect: [['cron', '61 is out of range 0-59']]},
    {name: 'an impossible cron', facts: G('0.16+'), toml: '[tasks.a]\ncron = "0 0 30 2 *"\n', expect: [['cron', 'can never fire']]},
    {
      name: 'a route naming a missing notifier',
      facts: G('0.16+'),
      toml: '[notifiers.slack-ops]\ntype = "slack"\n[[route]]\nnotifiers = ["slak-ops"]\n',
      expect: [['notifier', 'names notifier "slak-ops"']],
    },
    {
      name: 'notify_on_failure naming a missing notifier',
      facts: G('0.5-0.15'),
      toml: '[[notifier]]\nid = "slack"\n[tasks.a]\nnotify_on_failure = ["pager:team"]\n',
      expect: [['notifier', 'names notifier "pager"']],
    },
    {
      name: 'parallelism = 1 with on_overlap = "skip"',
      facts: G('0.3-0.4'),
      toml: '[tasks.long]\ncron = "* * * * *"\nparallelism = 1\non_overlap = "skip"\n',
      expect: [['overlap-skip', 'parallelism = 1 and on_overlap = "skip"']],
    },
    {
      name: "the loader's own example: schedule",
      facts: G('0.16+'),
      toml: '[tasks.backup]\nschedule = "0 3 * * *"\n',
      expect: [['unknown-key', "did you mean 'cron'?"]],
    },
    {
      name: '[scheduler] on 1.x',
      facts: G('0.16+', '1.2.0'),
      toml: '[scheduler]\ntimezone = "UTC"\n',
      expect: [['unknown-key', '[daemon] timezone']],
    },
    {
      name: 'a route matching notify.delivery_failed on 0.16+',
      facts: G('0.16+'),
      toml: '[notifiers.a]\n[[route]]\nnotifiers = ["a"]\nmatch.kinds = ["notify.delivery_failed"]\n',
      expect: [['bad-value', 'in-app only']],
    },
    {
      name: 'a bad min_free_space',
      facts: G('0.16+'),
      toml: '[storage]\nmin_free_space = "lots"\n',
      expect: [['bad-value', 'is not a size']],
    },
    {
      name: 'an unknown generation accepts either spelling',
      facts: G(null),
      toml: '[tasks.a]\non_overlap = "terminate"\nmax_concurrent = 2\n',
      expect: [],
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const state = await parseConfig({path: '/x/runwisp.toml', source: 'cwd', label: 't'}, Buffer.from(c.toml))
      assert.equal(state.kind, 'ok', JSON.stringify(state))
      if (state.kind !== 'ok') return
      const issues = validateConfig(state.data, state.positions, c.facts)
      assert.deepEqual(
        issues.map((i) => i.kind),
        c.expect.map(([k]) => k),
        JSON.stringify(issues, null, 2),
      )
      c.expect.forEach(([, mention], i) => assert.ok(issues[i]!.detail.includes(mention), `${issues[i]!.detail} should mention ${mention}`))
      for (const issue of issues) assert.ok(issue.line !== null && issue.column !== null, `no position for ${issue.key}`)
    })
  }
})
