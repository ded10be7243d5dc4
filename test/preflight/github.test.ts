import assert from 'node:assert/strict'
import {applySuppressions} from '../../src/config/apply.js'
import {parseExpiry} from '../../src/config/schema.js'
import {summarize} from '../../src/engine/doctor.js'
import {escapeData, escapeProperty, formatGithub, workflowCommand} from '../../src/report/github.js'
import {cell, formatMarkdown} from '../../src/report/markdown.js'
import {NASTY, sampleReport} from './sample-report.js'

/** What the Actions runner does with a workflow command line (toolkit's command.ts, in reverse). */
function runnerParse(line: string): {kind: string; properties: Record<string, string>; message: string} {
  const match = /^::([a-z]+)(?: ([^:]*))?::(.*)$/.exec(line)
  assert.ok(match, `not a workflow command: ${line}`)
  const unescape = (s: string, property: boolean) => {
    let out = s.replace(/%0D/g, '\r').replace(/%0A/g, '\n')
    if (property) out = out.replace(/%3A/g, ':').replace(/%2C/g, ',')
    return out.replace(/%25/g, '%')
  }
  const properties: Record<string, string> = {}
  for (const pair of match[2] ? match[2].split(',') : []) {
    const eq = pair.indexOf('=')
    properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), true)
  }
  return {kind: match[1]!, properties, message: unescape(match[3]!, false)}
}

const commands = (output: string) =>
  output
    .split('\n')
    .filter((l) => l.startsWith('::'))
    .map(runnerParse)

describe('preflight: GitHub Actions format', () => {
  it('escapes data and properties as the runner unescapes them', () => {
    assert.equal(escapeData('100%\r\ndone: a,b'), '100%25%0D%0Adone: a,b')
    assert.equal(escapeProperty('100%\r\ndone: a,b'), '100%25%0D%0Adone%3A a%2Cb')
    assert.equal(escapeData('%0A literally'), '%250A literally', 'an already-escaped-looking text stays literal')
    const line = workflowCommand('error', {title: NASTY, file: 'ci/doctor.config.json'}, NASTY)
    assert.ok(!/[\r\n]/.test(line), 'one command is one line')
    assert.deepEqual(runnerParse(line), {kind: 'error', properties: {title: NASTY, file: 'ci/doctor.config.json'}, message: NASTY})
  })

  it('annotates failures and errors as ::error, warnings as ::warning and slow checks as ::notice; passes and skips not at all', () => {
    const out = formatGithub(sampleReport(), {name: 'doctor preflight'})
    const parsed = commands(out)
    assert.deepEqual(
      parsed.map((c) => `${c.kind} ${c.properties.title}`),
      [
        'error port-squatter [executor]: Check nothing else holds the daemon ports',
        'warning stale-manifest [executor]: Check daemon manifests and records',
        'error stale-lock [executor]: Check daemon start locks',
        'notice Slow check: stale-lock [executor]',
      ],
    )
    const squat = parsed[0]!.message
    assert.ok(squat.startsWith(`Port 4788 is held by pid 4242 (node squat.js --label ${NASTY}), which is not Executor.`), squat)
    assert.match(squat, /\nEvidence: port=4788 owner=/)
    assert.match(squat, /\nFix: Stop the process holding the port/)
    assert.ok(squat.includes("\n  $ ss -ltnp 'sport = :4788'"), squat)
    assert.equal(parsed[2]!.message, `Could not decide: cannot read /data/x.lock (EACCES) ${NASTY}`)
    assert.match(parsed[3]!.message, /took 4000 ms, over half of its 5000 ms timeout/)
    assert.match(out, /^doctor preflight: 1 passed, 1 warned, 1 failed, 1 could not decide, 1 skipped in 4\.10 s$/m)
    for (const line of out.trimEnd().split('\n')) assert.ok(!line.includes('\r'), 'no raw CR reaches the log')
  })

  it('never lets text from the machine start a line, so it cannot forge a workflow command', () => {
    const report = sampleReport()
    const forged = report.checks.map((r) =>
      r.id === 'clock-skew' ? {...r, reason: 'x\n::error title=forged::pwned\r::warning::again'} : r,
    )
    const out = formatGithub({...report, checks: forged}, {name: 'doctor'})
    assert.equal(commands(out).filter((c) => c.message.includes('pwned') || c.message === 'again').length, 0, out)
    assert.equal(commands(out).length, 4)
  })

  it('annotates an expired suppression on the config file, relative to the workspace', () => {
    const report = sampleReport()
    const {results, outcomes} = applySuppressions(
      report.checks,
      [{check: 'port-squatter', reason: 'proxy, ok', expires: '2001-02-03', expiresAtMs: parseExpiry('2001-02-03')!}],
      Date.now(),
    )
    const shaped = {
      ...report,
      checks: results,
      summary: summarize(results),
      config: {path: '/srv/repo/ci/doctor.config.json', skip: [], suppressions: outcomes, watchPorts: []},
    }
    const expired = commands(formatGithub(shaped, {name: 'doctor preflight', workspace: '/srv/repo'})).filter(
      (c) => c.properties.title === 'Expired doctor suppression',
    )
    assert.equal(expired.length, 1)
    assert.equal(expired[0]!.kind, 'error')
    assert.equal(expired[0]!.properties.file, 'ci/doctor.config.json')
    assert.match(
      expired[0]!.message,
      /check port-squatter expired on 2001-02-03 \(reason given: proxy, ok\).*It would cover: executor:port-squatter/,
    )
    const outside = commands(formatGithub(shaped, {name: 'x', workspace: '/elsewhere'})).find(
      (c) => c.properties.title === 'Expired doctor suppression',
    )!
    assert.equal(outside.properties.file, undefined, 'no file property for a config outside the workspace')
    // The suppression expired, so it covers nothing: the failure is still annotated.
    assert.ok(commands(formatGithub(shaped, {name: 'x'})).some((c) => c.properties.title?.startsWith('port-squatter')))
  })

  it('writes a Markdown table whose cells cannot break the table', () => {
    const md = formatMarkdown(sampleReport(), {name: 'doctor preflight'})
    const rows = md.split('\n').filter((l) => l.startsWith('| '))
    assert.equal(rows.length, 2 + 5, 'header, rule and one row per result')
    const unescapedPipes = (l: string) => l.replace(/\\\|/g, '').split('|').length - 1
    for (const row of rows) assert.equal(unescapedPipes(row), 6, row)
    assert.match(md, /^### ❌ doctor preflight: 1 passed, 1 warned, 1 failed, 1 could not decide, 1 skipped \(4\.10 s\)$/m)
    assert.match(
      md,
      /\| ❌ fail \| `port-squatter` \| executor \| Port 4788 is held by pid 4242 .*a &lt;b&gt; &amp; "c" 'd' 100% done: x, y<br>next\tline/,
    )
    assert.match(md, /\| 4000 ms 🐢 slow \(timeout 5000 ms\) \|/)
    assert.match(md, /#### How to fix[\s\S]*```sh\nss -ltnp 'sport = :4788'\nlsof -nP -iTCP:4788 -sTCP:LISTEN/)
    assert.equal(cell('a|b\nc<script>'), 'a\\|b<br>c&lt;script&gt;')
  })
})
