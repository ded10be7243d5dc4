import {strict as assert} from 'node:assert'
import {catalogueExplainer, compilePattern, MAX_INPUT_CHARS_FOR_TESTS, normalise} from './explain-internals.js'

describe('explain: normalising pasted text', () => {
  it('strips ANSI colours, OSC hyperlinks and control characters', () => {
    const text = '\u001b[31m\u001b[1mError:\u001b[22m\u001b[39m \u001b]8;;https://x\u0007Port\u001b]8;;\u0007 4788 is in use\u0007'
    assert.deepEqual(normalise(text).lines, ['Port 4788 is in use'])
  })

  it('strips timestamps, levels, journald and slog framing, the ERROR badge and `Error:` prefixes', () => {
    const cases: Array<[string, string]> = [
      ['2026-07-20T10:11:12.345Z ERROR Unknown error', 'Unknown error'],
      ['[2026-07-20 10:11:12,345] [error] Unknown error', 'Unknown error'],
      ['2026/07/20 10:11:12 Unknown error', 'Unknown error'],
      ['Jul 20 10:11:12 devbox executor[4242]: Unknown error', 'Unknown error'],
      ['[10:11:12] WARN: Unknown error', 'Unknown error'],
      [' ERROR  Unknown error', 'Unknown error'],
      ['Error: Error: Unknown error', 'Unknown error'],
      ['TypeError: Unknown error', 'Unknown error'],
      [' ›   Error: Unknown error', 'Unknown error'],
      ['time=2026-07-20T10:11:12Z level=ERROR msg="daemon failed" err="Unknown error"', 'daemon failed: Unknown error'],
      ['::error file=a.ts,line=1::Unknown error', 'Unknown error'],
    ]
    for (const [input, expected] of cases) assert.deepEqual(normalise(input).lines, [expected], input)
  })

  it('splits `caused by:` chains into their links', () => {
    assert.deepEqual(normalise('Error: boot failed caused by: Failed to open local SQLite data.\ncaused by: SQLITE_BUSY').lines, [
      'boot failed',
      'Failed to open local SQLite data.',
      'SQLITE_BUSY',
    ])
  })

  it('reads only the start of a huge paste, and says so', () => {
    const huge = 'Unknown error\n' + 'x'.repeat(MAX_INPUT_CHARS_FOR_TESTS * 2)
    const result = catalogueExplainer().explain(huge)
    assert.equal(result.truncated, true)
  })
})

describe('explain: compiled patterns', () => {
  it('generalises ports, pids, URLs, paths and versions, and reads them back', () => {
    const result = catalogueExplainer().explain(
      'A local Executor desktop-sidecar is registered at http://[::1]:65535 (pid 4194303) but is not reachable.',
    )
    assert.equal(result.matches[0]?.symptom, 'executor/registered-unreachable')
    assert.deepEqual(result.values, {kind: 'desktop-sidecar', origin: 'http://[::1]:65535', pid: '4194303'})
    // The fix is filled with the values from the text; what the text did not say stays visible.
    assert.ok(
      result.matches[0]!.fix.commands.includes('executor daemon run --foreground --port 65535 --hostname 127.0.0.1'),
      result.matches[0]!.fix.commands.join('\n'),
    )
  })

  it('accepts paths with spaces and Windows paths in placeholders', () => {
    const result = catalogueExplainer().explain(
      'Executor data directory is already owned by another process: C:\\Users\\Jane Doe\\.executor\\data.db.owner-lock',
    )
    assert.equal(result.matches[0]?.symptom, 'executor/log-data-dir-owned')
    assert.equal(result.values.lockPath, 'C:\\Users\\Jane Doe\\.executor\\data.db.owner-lock')
  })

  it('tolerates re-wrapped lines, curly quotes and a lost full stop', () => {
    const wrapped = 'Lingering is off — the daemon won’t start until you\n  log in. Run loginctl enable-linger'
    assert.equal(catalogueExplainer().explain(wrapped).matches[0]?.symptom, 'executor/service-linger-off')
  })

  it('compiles a pattern once into a matcher with its literal words counted', () => {
    const p = compilePattern('Port ${preferred} is in use. Starting daemon on available port ${selected} instead.')
    assert.deepEqual(p.names, ['preferred', 'selected'])
    assert.equal(p.literalWords, 10)
    assert.ok(p.regex.test('port 1 is in use. starting daemon on available port 2 instead'))
    assert.ok(!p.regex.test('Port x is in use. Starting daemon on available port y instead.'), 'ports are numbers')
  })
})

describe('explain: ranking and credibility', () => {
  it('ranks the entry that explains more of a multi-line paste first, with close alternatives after it', () => {
    const paste = [
      'Port 4788 is in use. Starting daemon on available port 47912 instead.',
      'Starting daemon on localhost:47912...',
      'Daemon did not become reachable at http://localhost:47912 and no reachable local server manifest appeared within 15000ms.',
      'Run in foreground to inspect logs: executor daemon run --foreground --port 47912 --hostname localhost',
    ].join('\n')
    const ids = catalogueExplainer()
      .explain(paste)
      .matches.map((m) => m.symptom)
    assert.equal(ids[0], 'executor/daemon-boot-timeout')
    assert.ok(ids.includes('executor/port-squatter'), ids.join(', '))
  })

  it('counts a generic message when the text is about the product, not otherwise', () => {
    const explainer = catalogueExplainer()
    assert.equal(
      explainer.explain('Error: listen EADDRINUSE: address already in use 127.0.0.1:4788').matches[0]?.symptom,
      'executor/log-address-in-use',
    )
    assert.deepEqual(explainer.explain('Error: listen EADDRINUSE: address already in use :::3000').matches, [])
  })

  it('finds a paraphrase only through descriptions, scored below any message match', () => {
    const result = catalogueExplainer().explain('the dev server keeps serving old code after a rebase')
    assert.equal(result.via, 'description')
    assert.equal(result.matches[0]?.symptom, 'executor/vite-cache-pre-rebase')
    assert.ok(result.matches[0]!.score <= 0.5)
  })

  it('explains the whole catalogue quickly once compiled', () => {
    const explainer = catalogueExplainer()
    const texts = explainer.entries.flatMap((e) => e.patterns ?? []).map((p) => p.replace(/\$\{[^}]*\}/g, '4242'))
    const started = performance.now()
    for (const t of texts) explainer.explain(t)
    const perText = (performance.now() - started) / texts.length
    assert.ok(perText < 20, `${perText.toFixed(2)} ms per text`)
  })
})
