/**
 * `doctor explain` as a user runs it: the built CLI (bin/run.js) in a child process, text as
 * arguments or on stdin, human and JSON output, and its exit codes.
 */
import {strict as assert} from 'node:assert'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {REPO} from '../helpers/processes.js'

describe('doctor explain (CLI)', function () {
  this.timeout(30_000)

  before(() => {
    assert.ok(existsSync(join(REPO, 'dist/commands/explain.js')), 'the CLI is not built: run `npm run build` (npm ci does it)')
  })

  it('explains a message given as arguments, with the fix and the check that confirms it', async () => {
    const r = await runCli(['explain', 'Port 4788 is in use.', 'Starting daemon on available port 47912 instead.'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Executor's port is held by another program/)
    assert.match(r.stdout, /executor\/port-squatter/)
    assert.match(r.stdout, /\$ ss -ltnp 'sport = :4788'/)
    assert.match(r.stdout, /confirm: doctor --only port-squatter --target executor/)
  })

  it('reads the text from stdin, ignoring colours and log prefixes, and prints JSON best first', async () => {
    const log = [
      '\u001b[2m2026-07-20T10:11:12.345Z\u001b[0m \u001b[31mERROR\u001b[0m A local Executor cli-daemon is registered at http://localhost:4789 (pid 4242) but is not reachable.',
      '2026-07-20T10:11:12.346Z ERROR Refusing to start another local server against the same data directory.',
    ].join('\n')
    const r = await runCli(['explain', '--json'], {input: log})
    assert.equal(r.code, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {matches: Array<Record<string, unknown>>}
    assert.ok(doc.matches.length >= 1)
    const best = doc.matches[0]!
    assert.deepEqual(Object.keys(best).sort(), ['cause', 'check', 'fix', 'score', 'symptom', 'target', 'title'])
    assert.equal(best.symptom, 'executor/registered-unreachable')
    assert.equal(best.target, 'executor')
    assert.equal(best.check, 'unreachable-daemon')
    assert.ok((best.fix as {commands: string[]}).commands.includes('executor daemon run --foreground --port 4789 --hostname 127.0.0.1'))
    const scores = doc.matches.map((m) => m.score as number)
    assert.deepEqual(
      [...scores].sort((a, b) => b - a),
      scores,
      'best first',
    )
  })

  it('prints no entry for unrelated text, suggests doctor and doctor bundle, and exits 1', async () => {
    const r = await runCli(['explain', 'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)'])
    assert.equal(r.code, 1)
    assert.match(r.stdout, /No documented symptom matches/)
    assert.match(r.stdout, /`doctor`/)
    assert.match(r.stdout, /`doctor bundle`/)
    assert.doesNotMatch(r.stdout, /executor\//)
    const json = await runCli(['explain', '--json', 'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)'])
    assert.equal(json.code, 1)
    assert.deepEqual(JSON.parse(json.stdout), {matches: []})
  })

  it('exits 2 when there is no text at all', async () => {
    const r = await runCli(['explain'], {input: '   \n'})
    assert.equal(r.code, 2)
    assert.match(r.stderr, /Give the error text/)
  })
})
