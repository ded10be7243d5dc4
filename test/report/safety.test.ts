import assert from 'node:assert/strict'
import {neutraliseControls, oneLine, OutputSafety} from '../../src/report/safety.js'

describe('output safety step', () => {
  it('shows every terminal control as a visible escape: ESC, BEL, CSI, OSC (52 too), C1, DEL, CR, bidi overrides', () => {
    const hostile = 'a\u001b]0;title\u0007b\u001b[2Jc\u001b]52;c;aGk=\u001b\\d\u009b31me\u007ff\rg\u202eh\u0000i'
    const safe = neutraliseControls(hostile)
    assert.equal(safe, 'a\\x1b]0;title\\x07b\\x1b[2Jc\\x1b]52;c;aGk=\\x1b\\d\\x9b31me\\x7ff\\x0dg\\u202Eh\\x00i')
    assert.doesNotMatch(safe, /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/)
  })

  it('keeps line feeds and tabs (each format folds or escapes them); oneLine folds them', () => {
    assert.equal(neutraliseControls('a\n\tb'), 'a\n\tb')
    assert.equal(oneLine('a\r\nb\nc\u2028d\u001b'), 'a b c d\\x1b')
  })

  it('masks the values of flags whose names say secret, in every form, whatever they look like', () => {
    const safety = new OutputSafety()
    const cases: Array<[string, string]> = [
      ['run --pass hunter', 'run --pass [REDACTED:secret-flag]'],
      ['run --db-pass=hunter', 'run --db-pass=[REDACTED:secret-flag]'],
      ['run --password hunter --port 1', 'run --password [REDACTED:secret-flag] --port 1'],
      ['run --secret abc', 'run --secret [REDACTED:secret-flag]'],
      ['run --api-key "two words"', 'run --api-key "[REDACTED:secret-flag]"'],
      ["run --auth-token 'x y'", "run --auth-token '[REDACTED:secret-flag]'"],
      ['run --token plain', 'run --token [REDACTED:secret-flag]'],
      ['run --db-password=abc,', 'run --db-password=[REDACTED:secret-assignment],'],
      ['-token abc', '-token [REDACTED:secret-flag]'],
    ]
    for (const [input, expected] of cases) assert.equal(safety.text(input), expected, input)
  })

  it('leaves flags that only name a secret, a reference or the next flag alone', () => {
    const safety = new OutputSafety()
    for (const text of [
      'run --password-file /etc/pw',
      'run --bypass cache',
      'run --token $TOKEN',
      'run --token ${TOKEN}',
      'run --token "$(cat f)"',
      'run --password --port 1',
      'run --token <token>',
      'tokenizer --stop now',
      'use --password or RUNWISP_PASSWORD',
      'started with --auth-token; restart it',
    ]) {
      assert.equal(safety.text(text), text)
    }
  })

  it('redacts known values in all their forms, and copies plain data only (keys too)', () => {
    const secret = 'Zq7Rx2Lm9Pv4Tn8Wc3Ys'
    const safety = new OutputSafety([{value: secret, label: 'secret-1', foundIn: ['auth.json']}])
    const when = new Date(0)
    const input = {
      [`k${secret}`]: [`raw ${secret}`, `b64 ${Buffer.from(`u:${secret}`).toString('base64')}`, `url ${encodeURIComponent(`a/${secret}`)}`],
      n: 3,
      nothing: null,
      when,
    }
    const out = safety.value(input)
    assert.deepEqual(Object.keys(out), ['k[REDACTED:secret-1]', 'n', 'nothing', 'when'])
    assert.ok(!JSON.stringify(out).includes(secret))
    assert.ok(!JSON.stringify(out).includes(Buffer.from(secret).toString('base64').slice(0, 12)))
    assert.equal(out.n, 3)
    assert.equal(out.when, when)
    assert.equal(input[`k${secret}`]![0], `raw ${secret}`, 'the input is not changed')
  })
})
