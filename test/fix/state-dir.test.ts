/**
 * Root's `--fix` and `undo` refuse a state dir another user controls (issue 13 §1): a HOME or
 * XDG_STATE_HOME owned by that user, a state dir that is theirs, a `runs/` anyone can write, a
 * journal planted there by `nobody`. The refusal names the path and the owner and changes nothing;
 * a root-owned state dir is used as before.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'
import {hashTree} from './helpers.js'

const NOBODY = 65534
const tmp = tmpDirs()

describe('fix/state-dir', () => {
  afterEach(() => tmp.cleanup())

  before(function () {
    if (process.getuid?.() !== 0)
      throw new Error('these tests build states owned by another user: run them as root (the CI container does)')
  })

  /** A HOME with an Executor data dir holding a truncated server.json (a safe quarantine step). */
  function machine() {
    const root = tmp.make()
    chmodSync(root, 0o755)
    const home = join(root, 'home')
    const dataDir = join(home, '.executor')
    mkdirSync(join(dataDir, 'server-control'), {recursive: true})
    writeFileSync(join(dataDir, 'server-control', 'server.json'), '{"version":1,"kind":"cli-dae')
    const env = {HOME: home, DOCTORKIT_STATE_DIR: '', XDG_STATE_HOME: '', EXECUTOR_DATA_DIR: '', PATH: '/usr/bin:/bin'}
    const fix = (extra: Record<string, string> = {}) =>
      runCli(['--target', 'executor', '--only', 'stale-manifest', '--fix'], {env: {...env, ...extra}})
    return {root, home, dataDir, env, fix}
  }

  const oneLine = (text: string) => text.replace(/\s*\n\s*›\s*/g, ' ').replace(/\s+/g, ' ')

  it('a HOME owned by another user: root refuses to keep its journal there, says whose it is, and changes nothing', async () => {
    const m = machine()
    chownSync(m.home, NOBODY, NOBODY)
    const before = hashTree(m.root)
    const result = await m.fix()
    assert.equal(result.code, 2, result.stdout + result.stderr)
    assert.match(
      oneLine(result.stderr),
      new RegExp(
        `the doctor's state dir ${m.home}/\\.local/state/doctorkit is not safe to use: ${m.home} belongs to uid 65534, another user`,
      ),
    )
    assert.match(oneLine(result.stderr), /DOCTORKIT_STATE_DIR=\/root\/\.local\/state\/doctorkit/)
    assert.deepEqual(hashTree(m.root), before, 'nothing created in that HOME, nothing moved')
    // A root-owned state dir named instead: the same run repairs.
    const state = join(m.root, 'root-state')
    const fixed = await m.fix({DOCTORKIT_STATE_DIR: state})
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr)
    assert.equal(existsSync(join(m.dataDir, 'server-control', 'server.json')), false)
    assert.equal(lstatSync(state).uid, 0)
  })

  it('an XDG_STATE_HOME owned by another user, and a state dir that is theirs, are refused', async () => {
    const m = machine()
    const xdg = join(m.root, 'xdg')
    mkdirSync(xdg)
    chownSync(xdg, NOBODY, NOBODY)
    const viaXdg = await m.fix({XDG_STATE_HOME: xdg})
    assert.equal(viaXdg.code, 2)
    assert.match(oneLine(viaXdg.stderr), new RegExp(`${xdg} belongs to uid 65534`))
    const theirs = join(m.root, 'theirs')
    mkdirSync(join(theirs, 'runs'), {recursive: true, mode: 0o700})
    chownSync(theirs, NOBODY, NOBODY)
    const owned = await m.fix({DOCTORKIT_STATE_DIR: theirs})
    assert.equal(owned.code, 2)
    assert.match(oneLine(owned.stderr), new RegExp(`${theirs} belongs to uid 65534`))
    assert.ok(existsSync(join(m.dataDir, 'server-control', 'server.json')), 'nothing was moved')
  })

  it('a root-owned state dir whose runs/ is 0777 is refused (something may have been planted in it), not silently tightened', async () => {
    const m = machine()
    const state = join(m.root, 'state')
    mkdirSync(join(state, 'runs'), {recursive: true, mode: 0o700})
    chmodSync(join(state, 'runs'), 0o777)
    const result = await m.fix({DOCTORKIT_STATE_DIR: state})
    assert.equal(result.code, 2)
    assert.match(oneLine(result.stderr), new RegExp(`${state}/runs is writable by others \\(mode 0777\\)`))
    assert.equal(lstatSync(join(state, 'runs')).mode & 0o777, 0o777)
    assert.ok(existsSync(join(m.dataDir, 'server-control', 'server.json')))
  })

  it('a state dir under a dir anyone can write without a sticky bit is refused; under a sticky one (like /tmp) it is used', async () => {
    const m = machine()
    const open = join(m.root, 'open')
    mkdirSync(open)
    chmodSync(open, 0o777)
    const refused = await m.fix({DOCTORKIT_STATE_DIR: join(open, 'state')})
    assert.equal(refused.code, 2)
    assert.match(oneLine(refused.stderr), new RegExp(`${open} is writable by every user \\(mode 0777, no sticky bit\\)`))
    assert.equal(existsSync(join(open, 'state')), false)
    chmodSync(open, 0o1777)
    const used = await m.fix({DOCTORKIT_STATE_DIR: join(open, 'state')})
    assert.equal(used.code, 0, used.stdout + used.stderr)
  })

  it("root's undo does not act on a journal nobody planted in a state dir nobody owns", async () => {
    const m = machine()
    const state = join(m.root, 'theirs')
    const victim = join(m.root, 'victim')
    writeFileSync(victim, 'root-owned\n', {mode: 0o644})
    const run = '20260101-000000Z-abcdef'
    const planted =
      [
        JSON.stringify({type: 'run', runId: run, startedAt: '2026-01-01T00:00:00Z', pid: 1, command: 'doctor --fix', tool: 'doctorkit'}),
        JSON.stringify({
          type: 'intent',
          seq: 1,
          at: 'x',
          origin: {check: 'c', target: 'executor', symptom: 's'},
          step: {
            kind: 'chmod',
            title: 't',
            why: 'w',
            risk: 'safe',
            undo: 'u',
            path: victim,
            mode: 0o644,
            expect: {kind: 'file', dev: lstatSync(victim).dev, ino: lstatSync(victim).ino, size: 11, mtimeMs: 0, mode: 0o777},
          },
        }),
        JSON.stringify({type: 'result', seq: 1, at: 'x', status: 'applied'}),
      ].join('\n') + '\n'
    mkdirSync(state)
    chownSync(state, NOBODY, NOBODY)
    const script = `mkdir -p -m 700 "$1/runs/$2" && printf '%s' "$3" > "$1/runs/$2/journal.jsonl"`
    const plant = spawnSync('runuser', ['-u', 'nobody', '--', 'sh', '-c', script, 'sh', state, run, planted])
    assert.equal(plant.status, 0, `runuser (util-linux) is needed: ${plant.stderr}`)
    const result = await runCli(['undo', run], {env: {...m.env, DOCTORKIT_STATE_DIR: state}})
    assert.equal(result.code, 2, result.stdout + result.stderr)
    assert.match(oneLine(result.stderr), /belongs to uid 65534/)
    assert.equal(lstatSync(victim).mode & 0o777, 0o644, 'the victim keeps its mode')
    assert.equal(readFileSync(victim, 'utf8'), 'root-owned\n')
  })
})
