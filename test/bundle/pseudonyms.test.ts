/**
 * Pseudonyms beyond the running user (issue 13 §2): every person's account of the machine (name
 * and home), host-name fields whatever they hold, and host names of one or two characters replaced
 * where a host name sits, never as a substring. The end-to-end cases (a real account made with
 * useradd, a real short host name in its own UTS namespace) are in other-user-bundle.test.ts.
 */
import assert from 'node:assert/strict'
import {NO_IDENTITY, peopleAccounts, type Identity} from '../../src/bundle/redact/pseudonyms.js'
import {Redactor} from '../../src/bundle/redact/redactor.js'
import {OutputSafety} from '../../src/report/safety.js'

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'postgres:x:113:120:PostgreSQL:/var/lib/postgresql:/bin/bash',
  'runwisp:x:998:998::/var/lib/runwisp:/usr/sbin/nologin',
  'alice:x:1000:1000:Alice:/home/alice:/bin/bash',
  'svc-bob:x:990:990::/home/svc-bob:/bin/sh',
  'carol:x:1001:1001::/srv/people/carol/:/bin/zsh',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'broken line',
  '',
].join('\n')

describe('bundle pseudonyms: other accounts and short host names', () => {
  it("reads people's accounts from /etc/passwd: uids from UID_MIN, and homes under /home; not system or overflow accounts", () => {
    assert.deepEqual(peopleAccounts(PASSWD, 1000), [
      {name: 'alice', homes: ['/home/alice']},
      {name: 'svc-bob', homes: ['/home/svc-bob']},
      {name: 'carol', homes: ['/srv/people/carol']},
    ])
    assert.deepEqual(
      peopleAccounts(PASSWD, 500).map((a) => a.name),
      ['runwisp', 'alice', 'svc-bob', 'carol'],
    )
  })

  describe('another user', () => {
    const identity: Identity = {
      homes: ['/root'],
      users: [],
      hosts: [],
      accounts: peopleAccounts(PASSWD, 1000),
    }
    const redactor = new Redactor([], identity)
    it('their home and name get pseudonyms of their own, the running home is ~', () => {
      assert.equal(
        redactor.clean('/home/alice/.runwisp/password owned by alice (uid 1000); root at /root; carol: /srv/people/carol/x'),
        '~anon-user-1/.runwisp/password owned by anon-user-1 (uid 1000); root at ~; anon-user-3: ~anon-user-3/x',
      )
    })

    it('not inside longer names or paths, and system accounts stay', () => {
      const text = 'malice /home/alicex alice2 postgres runwisp /var/lib/runwisp'
      assert.equal(redactor.clean(text), text)
    })

    it('the running user keeps the first pseudonym, and is the same person in passwd', () => {
      const r = new Redactor([], {...identity, users: ['carol'], homes: ['/srv/people/carol']})
      assert.equal(r.clean('carol alice /srv/people/carol /home/alice'), 'anon-user-1 anon-user-2 ~ ~anon-user-2')
    })
  })

  describe('host names', () => {
    const redactor = new Redactor([], {homes: [], users: [], hosts: ['h7']})
    const cases: Array<[string, string, string]> = [
      ['JSON hostname field', '{"hostname": "h7", "n": 1}', '{"hostname": "anon-host-1", "n": 1}'],
      ['TOML', 'hostname = "h7"\n', 'hostname = "anon-host-1"\n'],
      ['YAML', 'hostName: h7\n', 'hostName: anon-host-1\n'],
      ['environment', 'HOSTNAME=h7 NODE_NAME=h7', 'HOSTNAME=anon-host-1 NODE_NAME=anon-host-1'],
      ["another machine's name in a hostname field", '"hostname":"build-42"', '"hostname":"anon-host-2"'],
      ['a host field holding this machine', 'host = "h7"', 'host = "anon-host-1"'],
      ['an HTTP Host header', 'Host: h7:4788', 'Host: anon-host-1:4788'],
      ['a shell prompt', 'root@h7:~# doctor', 'root@anon-host-1:~# doctor'],
      ['a URL', 'GET http://h7/v1 and h7:4788', 'GET http://anon-host-1/v1 and anon-host-1:4788'],
      ['a syslog host column', 'May  1 10:00:00 h7 runwisp[12]: up', 'May  1 10:00:00 anon-host-1 runwisp[12]: up'],
      ['a journal ISO stamp', '2024-05-01T10:00:00+0000 h7 executor[3]: up', '2024-05-01T10:00:00+0000 anon-host-1 executor[3]: up'],
      ['a token of its own', 'ping "h7" failed; h7 is down.', 'ping "anon-host-1" failed; anon-host-1 is down.'],
    ]
    for (const [name, input, expected] of cases) it(name, () => assert.equal(redactor.clean(input), expected))

    it('never as a substring, and leaves host fields that are addresses or loopback', () => {
      const kept = [
        'sha7h7x h7x xh7 /v1/h7/x h7-2 h7.5',
        '{"host": "127.0.0.1", "hostname": "localhost", "host": "db.internal", "virtual_host": "h8"}',
        'hostname = "0.0.0.0"',
      ]
      for (const text of kept) assert.equal(redactor.clean(text), text)
    })

    it('a name of letters or digits alone only where a host name sits, not as a word', () => {
      for (const host of ['db', 'a', '42']) {
        const r = new Redactor([], {homes: [], users: [], hosts: [host]})
        assert.equal(r.clean(`a db of 42 rows; ok`), `a db of 42 rows; ok`, host)
        assert.equal(r.clean(`"hostname": "${host}" root@${host}:~#`), '"hostname": "anon-host-1" root@anon-host-1:~#', host)
      }
    })

    it('one name is one pseudonym everywhere, and a second pass changes nothing', () => {
      const r = new Redactor([], {homes: [], users: [], hosts: ['web-1.example.test', 'web-1', 'q']})
      const once = r.clean('web-1 hostname=web-1.example.test root@q "hostname": "other" "hostname": "other"')
      assert.equal(once, 'anon-host-1 hostname=anon-host-1 root@anon-host-2 "hostname": "anon-host-3" "hostname": "anon-host-3"')
      assert.equal(r.clean(once), once)
    })

    it('the output-safety step keeps names (a person reads their own report)', () => {
      assert.equal(new Redactor([], NO_IDENTITY).clean('"hostname": "h7"'), '"hostname": "h7"')
      assert.equal(new OutputSafety().text('"hostname": "h7" root@h7'), '"hostname": "h7" root@h7')
    })
  })
})
