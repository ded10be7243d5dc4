/**
 * `doctor explain` prints what it read from the pasted text (paths, pids, in the fix commands):
 * that goes through the report's output-safety step — terminal controls never reach the terminal
 * and a secret this machine knows (here EXECUTOR_AUTH_TOKEN) is redacted, in human and --json output.
 */
import assert from 'node:assert/strict'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'

const SECRET = 'S3cretValue-9f8e7d6c5b4a'
// An OSC 52 clipboard write, a screen clear and a right-to-left override inside the data dir the message names, then the secret.
const PASTE = `a RunWisp daemon is already running for data dir /srv/x\u001b]52;c;SGVsbG8=\u0007\u001b[2J\u202Eevil${SECRET} (pid 42); stop it first`

describe('doctor explain: output safety', function () {
  this.timeout(30_000)
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  for (const json of [false, true]) {
    it(`neutralises terminal controls and redacts known secrets in ${json ? '--json' : 'human'} output`, async () => {
      const home = tmp.make()
      const result = await runCli(['explain', ...(json ? ['--json'] : []), PASTE], {
        env: {HOME: home, EXECUTOR_AUTH_TOKEN: SECRET, NO_COLOR: '1'},
        cwd: home,
      })
      assert.equal(result.code, 0, result.stderr + result.stdout)
      assert.match(result.stdout, /runwisp\/data-dir-locked/)
      // The value read from the paste is still shown, made safe.
      assert.match(result.stdout, /runwisp status --data \/srv\/x/)
      assert.doesNotMatch(result.stdout, /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/, 'a control reached stdout')
      assert.equal(result.stdout.includes(SECRET), false, 'the known secret was printed')
      assert.match(result.stdout, /\[REDACTED:secret-1\]/)
      if (json) JSON.parse(result.stdout)
    })
  }
})
