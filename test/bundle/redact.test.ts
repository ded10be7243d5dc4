/**
 * The redaction pipeline: known values in every form, each pattern rule (what it takes and what
 * it must leave), pseudonyms, idempotence (a redacted text is a fixed point: verify's contract),
 * and the over-redaction guard (doctor-anchors c.10).
 */
import assert from 'node:assert/strict'
import {base64Fragments, type KnownSecret} from '../../src/bundle/redact/known.js'
import {Redactor} from '../../src/bundle/redact/redactor.js'
import {currentIdentity, type Identity} from '../../src/bundle/redact/pseudonyms.js'

const TOKEN = '-Xy3abcDEF0123456789_ghijKLMNOPqrstuvwxyz12'
const PASSWORD = 'pa ss/w+rd=Secret!42'
const secrets: KnownSecret[] = [
  {value: TOKEN, label: 'secret-1', foundIn: ['test']},
  {value: PASSWORD, label: 'secret-2', foundIn: ['test']},
  {value: 'Sh0rtPw', label: 'secret-3', foundIn: ['test']},
]
const identity: Identity = {homes: ['/home/alice'], users: ['alice'], hosts: ['alice-laptop.example.com', 'alice-laptop']}
const redactor = new Redactor(secrets, identity)
const clean = (text: string) => redactor.redact(text)

describe('bundle redaction', () => {
  describe('known values', () => {
    const cases: Array<[string, string, string]> = [
      ['raw in a URL', `GET /?_token=${TOKEN} 200`, 'GET /?_token=[REDACTED:secret-1] 200'],
      ['URL-encoded', `password=${encodeURIComponent(PASSWORD)}&x=1`, 'password=[REDACTED:secret-2]&x=1'],
      ['form-encoded', `p=${encodeURIComponent(PASSWORD).replace(/%20/g, '+')}`, 'p=[REDACTED:secret-2]'],
      ['JSON-escaped', JSON.stringify({v: `${PASSWORD}"q`}).replace('"q', ''), '{"v":"[REDACTED:secret-2]\\"}'],
      ['base64 alone', `blob ${Buffer.from(TOKEN).toString('base64')}`, 'blob [REDACTED:secret-1]'],
      ['base64url', `blob ${Buffer.from(TOKEN).toString('base64url')}.`, 'blob [REDACTED:secret-1].'],
      [
        'inside a Basic header',
        `Authorization: Basic ${Buffer.from(`bob:${PASSWORD}`).toString('base64')}`,
        'Authorization: Basic [REDACTED:secret-2]',
      ],
      ['short value as a word', 'pw Sh0rtPw end', 'pw [REDACTED:secret-3] end'],
      ['short value inside a longer word is left', 'xSh0rtPwx', 'xSh0rtPwx'],
    ]
    for (const [name, input, expected] of cases) it(name, () => assert.equal(clean(input).text, expected))

    it('finds a value inside base64 at every byte alignment', () => {
      for (const prefix of ['', 'a', 'ab', 'abc']) {
        const blob = Buffer.from(`${prefix}${TOKEN}tail`).toString('base64')
        assert.ok(
          base64Fragments(Buffer.from(TOKEN)).some((f) => blob.includes(f)),
          `alignment ${prefix.length}`,
        )
        assert.equal(clean(`x ${blob} y`).text, 'x [REDACTED:secret-1] y')
      }
    })

    it('labels the same value the same way everywhere and counts by rule and secret', () => {
      const result = clean(`${TOKEN} and ${Buffer.from(TOKEN).toString('base64')}`)
      assert.equal(result.text, '[REDACTED:secret-1] and [REDACTED:secret-1]')
      assert.deepEqual(result.counts, {'known-value': 1, 'known-value-base64': 1})
      assert.deepEqual(
        result.hits.map((h) => h.label),
        ['secret-1', 'secret-1'],
      )
    })
  })

  describe('patterns', () => {
    const cases: Array<[string, string, string]> = [
      ['bearer header', 'Authorization: Bearer abcDEF123456789xyz', 'Authorization: Bearer [REDACTED:bearer]'],
      ['basic header', `Authorization: Basic ${Buffer.from('u:hunter2').toString('base64')}`, 'Authorization: Basic [REDACTED:basic-auth]'],
      ['JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig-abcdefgh', 'jwt [REDACTED:jwt]'],
      ['cookie header', 'Cookie: session=abc123; theme=dark', 'Cookie: session=[REDACTED:cookie]; theme=[REDACTED:cookie]'],
      ['set-cookie keeps attributes', 'Set-Cookie: sid=xyz987; Path=/; HttpOnly', 'Set-Cookie: sid=[REDACTED:cookie]; Path=/; HttpOnly'],
      ['URL credentials', 'postgres://admin:s3cr3t@db:5432/app', 'postgres://admin:[REDACTED:url-credentials]@db:5432/app'],
      ['token as URL user', 'https://ghx0123456789abcdefXYZ@github.com/o/r', 'https://[REDACTED:url-credentials]@github.com/o/r'],
      ['query token', 'GET /v1?limit=10&token=qt123abc&x=1', 'GET /v1?limit=10&token=[REDACTED:secret-assignment]&x=1'],
      ['TOML with spaces', 'password = "two words here"', 'password = "[REDACTED:secret-assignment]"'],
      [
        'JSON field',
        '{"accessToken": "abcd1234efgh", "tokenEndpoint": "https://x/token"}',
        '{"accessToken": "[REDACTED:secret-assignment]", "tokenEndpoint": "https://x/token"}',
      ],
      ['env assignment', 'EXECUTOR_API_KEY=exk_123 RUNWISP_AUTH=off', 'EXECUTOR_API_KEY=[REDACTED:secret-assignment] RUNWISP_AUTH=off'],
      ['systemd Environment', 'Environment="RUNWISP_PASSWORD=Zz9yy8xx"', 'Environment="RUNWISP_PASSWORD=[REDACTED:secret-assignment]"'],
      [
        'command-line flag',
        'executor daemon run --auth-token Zx9Qw8Er7Ty6 --port 4788',
        'executor daemon run --auth-token [REDACTED:secret-flag] --port 4788',
      ],
      ['flag with =', 'runwisp exec --password=Hunter22 --url x', 'runwisp exec --password=[REDACTED:secret-assignment] --url x'],
      [
        'API key shapes',
        'ghp_abcdefghijklmnopqrstuvwxyz0123456789 AKIAIOSFODNN7EXAMPL3 sk-proj-abcdefghij0123456789KLMN',
        '[REDACTED:api-key] [REDACTED:api-key] [REDACTED:api-key]',
      ],
      [
        'webhook URL keeps the host',
        'post https://hooks.slack.com/services/T000/B000/XXXXabc failed',
        'post https://hooks.slack.com/[REDACTED:webhook-url] failed',
      ],
      [
        'private key keeps its lines',
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\nAAAA\n-----END OPENSSH PRIVATE KEY-----\nnext',
        '[REDACTED:private-key]\n\n\n\nnext',
      ],
      ['cut-off private key', 'x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'x\n[REDACTED:private-key]\n'],
    ]
    for (const [name, input, expected] of cases) it(name, () => assert.equal(clean(input).text, expected))
  })

  describe('pseudonyms', () => {
    it('home → ~, user and host get consistent pseudonyms; neighbours of the home path are left', () => {
      const text = 'alice on alice-laptop.example.com (alice-laptop) at /home/alice/.executor; /home/alicex; alice-laptop again'
      assert.equal(clean(text).text, 'anon-user-1 on anon-host-1 (anon-host-1) at ~/.executor; /home/alicex; anon-host-1 again')
    })
    it('does not pseudonymise root, nobody, localhost or names too short to be safe', () => {
      const id = currentIdentity({USER: 'root', LOGNAME: 'ab'}, '/root')
      assert.ok(!id.users.includes('root') && !id.users.includes('ab'))
      assert.ok(!id.hosts.some((h) => h.startsWith('localhost')))
    })
  })

  it('is idempotent: redacting a redacted text changes nothing and finds nothing', () => {
    const text = [
      `GET /?_token=${TOKEN}`,
      'Authorization: Bearer abcDEF123456789xyz',
      'Cookie: session=abc123',
      `url https://u:p4ss@h/x?password=${encodeURIComponent(PASSWORD)}`,
      'alice at /home/alice',
      '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----',
      '{"password": "x y z", "secret": "[REDACTED:secret-9]"}',
    ].join('\n')
    const once = clean(text)
    const twice = clean(once.text)
    assert.equal(twice.text, once.text)
    assert.deepEqual(twice.hits, [])
  })

  it('keeps the lines a maintainer needs (over-redaction guard)', () => {
    const useful = [
      'EADDRINUSE: address already in use 127.0.0.1:4788',
      'http://localhost:4788 rejected the stored bearer credentials (401). If the key came from EXECUTOR_API_KEY or EXECUTOR_AUTH_TOKEN, check that value.',
      'www-authenticate: Bearer realm="executor"',
      'Another daemon startup is already in progress for localhost (cwd:/srv/app).',
      'RUNWISP_AUTH=off and RUNWISP_PASSWORD are mutually exclusive — unset one of them',
      'Use --password or RUNWISP_PASSWORD with the correct password',
      'Confirm --password / RUNWISP_PASSWORD is correct',
      'the password does not match the daemon on port 9477',
      'failed to parse config file: unknown key "schedule" at line 4:1',
      'token: expired',
      'password = "${file:/run/secrets/rw}"',
      'url = "${NOTIFY_URL}"',
      '"kind": "bearer", "tokenEndpoint": "https://executor.sh/oauth/token", "key": "http:http://localhost:4788"',
      'executor 1.5.35 pid 48213 port 4789 startedAt 2026-07-20T10:11:12.345Z',
      'run 01J3ZK9Q8V7W6X5Y4Z3A2B1C0D id 550e8400-e29b-41d4-a716-446655440000',
      'runwisp-binary-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'Basic authentication failed for user ops',
      'ssh://git@github.com/org/repo.git',
      'executor daemon run --foreground --port 4788 --hostname 127.0.0.1 --password-file /etc/x',
    ]
    for (const line of useful) {
      const result = clean(line)
      assert.equal(result.text, line, `over-redacted (${JSON.stringify(result.counts)})`)
    }
  })
})
