/**
 * Text about something else gets no answer: other programs' errors, kernel messages, tracebacks,
 * everyday sentences. `explain` must say it does not know rather than present an unrelated entry.
 */
import {strict as assert} from 'node:assert'
import {catalogueExplainer} from '../../src/explain/index.js'

const UNRELATED: Record<string, string> = {
  'kernel panic':
    'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\nCPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.15.0-91-generic #101-Ubuntu',
  'OOM killer':
    '[12345.678901] Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:4023456kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9000kB oom_score_adj:0',
  'segfault in dmesg':
    '[ 8012.123456] chrome[31337]: segfault at 0 ip 00007f9c2b3c4d5e sp 00007ffd1234abcd error 4 in libc.so.6[7f9c2b300000+195000]',
  'nginx bind': 'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\nnginx: [emerg] still could not bind()',
  'nginx upstream':
    '2026/07/20 10:11:12 [error] 1234#1234: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.5, server: example.com, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/"',
  'postgres auth':
    'psql: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: FATAL:  password authentication failed for user "postgres"',
  'sqlite, bare': 'Error: database is locked',
  'http 401, bare': '401 Unauthorized',
  'postgres auth, bare': 'password authentication failed for user postgres',
  'postgres disk': 'PANIC:  could not write to file "pg_wal/xlogtemp.123": No space left on device',
  'npm ERR!':
    'npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR! Found: react@18.2.0\nnpm ERR! Could not resolve dependency: peer react@"^17.0.0" from some-lib@1.0.0',
  'npm unknown error': 'npm ERR! Unknown error',
  'node EADDRINUSE on another port':
    'Error: listen EADDRINUSE: address already in use :::3000\n    at Server.setupListenHandle [as _listen2] (node:net:1817:16)\n    at listenInCluster (node:net:1865:12)',
  'Python traceback':
    'Traceback (most recent call last):\n  File "/usr/lib/python3.11/urllib/request.py", line 1348, in do_open\n    h.request(req.get_method(), req.selector, req.data, headers,\nConnectionRefusedError: [Errno 111] Connection refused',
  'Python import error':
    'Traceback (most recent call last):\n  File "app.py", line 1, in <module>\n    import numpy as np\nModuleNotFoundError: No module named \'numpy\'',
  'Java exception':
    'Exception in thread "main" java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null\n\tat com.example.App.main(App.java:5)',
  'Rust panic':
    "thread 'main' panicked at 'called `Option::unwrap()` on a `None` value', src/main.rs:4:37\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
  'docker daemon': 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
  'git merge conflict':
    'CONFLICT (content): Merge conflict in src/index.ts\nAutomatic merge failed; fix conflicts and then commit the result.',
  'ssh host key':
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
  'systemd unrelated unit':
    "Jul 20 10:11:12 host systemd[1]: nginx.service: Main process exited, code=exited, status=1/FAILURE\nJul 20 10:11:12 host systemd[1]: nginx.service: Failed with result 'exit-code'.",
  TLS: 'curl: (60) SSL certificate problem: unable to get local issuer certificate',
  'disk full': "cp: error writing '/mnt/backup/archive.tar': No space left on device",
  'permission denied shell': 'bash: ./deploy.sh: Permission denied',
  'an everyday sentence': 'the coffee machine on the third floor is broken again',
  'a question about cooking': 'how long should I boil an egg for a soft yolk',
  'empty-ish': '   \n\t  ',
}

describe('explain: unrelated text matches nothing', () => {
  const explainer = catalogueExplainer()
  for (const [name, text] of Object.entries(UNRELATED)) {
    it(name, () => {
      const result = explainer.explain(text)
      assert.deepEqual(
        result.matches.map((m) => `${m.symptom} ${m.score}`),
        [],
        `${JSON.stringify(text.slice(0, 80))} was explained as ${result.matches[0]?.symptom} (via ${result.via})`,
      )
    })
  }
})
