/**
 * `doctor undo` reads its journal back as untrusted input (issue 13 §3): a line that parses to
 * null, garbage, a journal that is a FIFO or a link to /dev/zero, a huge one, or one edited to name
 * another file as its payload. Each gives a precise error (exit 2), quickly, with no stack trace,
 * and nothing outside the journal is touched.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {appendFileSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {applyPlan} from '../../src/fix/apply.js'
import {quarantineStep} from '../../src/fix/steps.js'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {contentTree, planOf} from './helpers.js'

const tmp = tmpDirs()
describe('fix/journal-untrusted', () => {
  afterEach(() => tmp.cleanup())

  /** A real --fix run that quarantined one file: its journal, run id and data dir. */
  async function journaledRun() {
    const root = tmp.make()
    const data = join(root, 'data')
    const state = join(root, 'state')
    mkdirSync(data)
    const file = join(data, 'server.json')
    writeFileSync(file, '{"pid": 1}')
    const {runId, journalPath} = await applyPlan(planOf(quarantineStep({path: file, stat: lstatSync(file), why: 'stale'})), {
      stateDir: state,
      command: 'test',
      tool: 'doctorkit',
      approve: async () => 'yes',
    })
    const undo = (args: string[]) => runCli(['undo', ...args], {env: {DOCTORKIT_STATE_DIR: state}, timeoutMs: 15_000})
    return {root, data, state, runId: runId!, journal: journalPath!, undo}
  }

  function assertPrecise(result: {code: number | null; stdout: string; stderr: string}, pattern: RegExp) {
    assert.equal(result.code, 2, result.stdout + result.stderr)
    // oclif wraps the message at the terminal width behind " ›   ": read it back as one line.
    const message = result.stderr.replace(/\s*\n\s*›\s*/g, ' ').replace(/^\s*›\s*/, '')
    assert.match(message, pattern)
    assert.doesNotMatch(result.stderr, /TypeError|RangeError|\n\s+at /, 'no stack trace')
  }

  it('a line that parses to null: a precise error naming the line, no TypeError; --list says the run is unreadable', async () => {
    const m = await journaledRun()
    const lines = readFileSync(m.journal, 'utf8').split('\n')
    lines.splice(1, 0, 'null')
    writeFileSync(m.journal, lines.join('\n'))
    const before = contentTree(m.root)
    assertPrecise(await m.undo([m.runId]), /line 2 of .*journal\.jsonl is not a journal entry the doctor writes \(it is null\)/)
    assertPrecise(await m.undo([]), /it is null/)
    const list = await m.undo(['--list'])
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, new RegExp(`${m.runId}  unreadable: line 2`))
    assert.deepEqual(contentTree(m.root), before)
  })

  it('garbage, a number, an entry of the wrong shape: each a precise error', async () => {
    for (const [line, why] of [
      ['}{ not json', /line 2 .* is not JSON/],
      ['42', /\(it is number\)/],
      ['{"type":"intent","seq":1,"at":"x","origin":{},"step":null}', /\(its step is missing\)/],
      ['{"type":"result","seq":"1","at":"x","status":"applied"}', /a result without its step number/],
    ] as const) {
      const m = await journaledRun()
      const lines = readFileSync(m.journal, 'utf8').split('\n')
      lines.splice(1, 0, line)
      writeFileSync(m.journal, lines.join('\n'))
      assertPrecise(await m.undo([m.runId]), why)
    }
  })

  it('a journal that is a FIFO: refused at once, no hang', async () => {
    const m = await journaledRun()
    rmSync(m.journal)
    assert.equal(spawnSync('mkfifo', [m.journal]).status, 0, 'mkfifo (coreutils) is needed')
    const result = await m.undo([m.runId])
    assertPrecise(result, /journal\.jsonl is a FIFO, not the regular file the doctor writes/)
    assert.ok(result.durationMs < 10_000)
  })

  it('a journal that is a link to /dev/zero: refused, never read through the link', async () => {
    const m = await journaledRun()
    rmSync(m.journal)
    symlinkSync('/dev/zero', m.journal)
    assertPrecise(await m.undo([m.runId]), /journal\.jsonl is a symlink; the doctor reads only the journal it wrote there/)
    assert.ok(lstatSync(m.journal).isSymbolicLink())
  })

  it('a huge journal (a sparse 2 GiB file): refused by its size without reading it', async () => {
    const m = await journaledRun()
    truncateSync(m.journal, 2 * 1024 ** 3)
    const result = await m.undo([m.runId])
    assertPrecise(result, /is 2147483648 bytes, more than any journal the doctor writes/)
    assert.ok(result.durationMs < 10_000)
  })

  it('a journal edited to name another file as the quarantined copy: refused, and that file stays where it is', async () => {
    const m = await journaledRun()
    const victim = join(m.root, 'victim')
    writeFileSync(victim, "not the doctor's\n")
    const text = readFileSync(m.journal, 'utf8').replace(/"quarantinedAt":"[^"]+"/, `"quarantinedAt":${JSON.stringify(victim)}`)
    writeFileSync(m.journal, text)
    const before = contentTree(m.root)
    assertPrecise(await m.undo([m.runId]), /its quarantine path is not this run's slot for step 1/)
    assert.deepEqual(contentTree(m.root), before)
  })

  it('a torn last line is still ignored (the doctor killed mid-write), and undo restores the rest', async () => {
    const m = await journaledRun()
    appendFileSync(m.journal, '{"type":"result","se')
    const result = await m.undo([m.runId])
    assert.equal(result.code, 0, result.stdout + result.stderr)
    assert.equal(readFileSync(join(m.data, 'server.json'), 'utf8'), '{"pid": 1}')
  })
})
