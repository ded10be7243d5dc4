import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {appendFileSync, chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync, cpSync} from 'node:fs'
import {join} from 'node:path'
import {Journal, listRunIds, reconcile} from '../../src/fix/journal.js'
import {acquireFixLock, FixLockBusy, lockPath} from '../../src/fix/lock.js'
import {quarantineStep, runStep} from '../../src/fix/steps.js'
import {listRuns, undoRun} from '../../src/fix/undo.js'
import {deadPid, REPO, TSX} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {contentTree, isAlive, planOf} from './helpers.js'

const tmp = tmpDirs()
// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('fix/journal', () => {
  afterEach(() => tmp.cleanup())

  function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms
    return new Promise((resolve, reject) => {
      const tick = () => {
        if (predicate()) return resolve()
        if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`))
        setTimeout(tick, 20)
      }
      tick()
    })
  }

  describe('fix journal: a doctor killed mid-run', () => {
    it('leaves a consistent journal when SIGKILLed during a step, and undo still restores what was done', async () => {
      const root = tmp.make()
      const data = join(root, 'data')
      const state = join(root, 'state')
      mkdirSync(data)
      writeFileSync(join(data, 'a.json'), 'first, with bytes \u00ff\n')
      chmodSync(join(data, 'a.json'), 0o604)
      writeFileSync(join(data, 'b.json'), 'second')
      const before = contentTree(data)
      const plan = planOf(
        quarantineStep({path: join(data, 'a.json'), stat: lstatSync(join(data, 'a.json')), why: 'stale'}),
        runStep({command: ['sleep', '30'], cwd: root, why: 'a slow documented command'}),
        quarantineStep({path: join(data, 'b.json'), stat: lstatSync(join(data, 'b.json')), why: 'stale'}),
      )
      writeFileSync(join(root, 'plan.json'), JSON.stringify(plan))
      // Its own process group, so the kill takes the `sleep` child down with it.
      const child = spawn(
        process.execPath,
        ['--import', TSX, join(REPO, 'test/fix/fixtures/apply-harness.ts'), state, join(root, 'plan.json')],
        {detached: true, stdio: 'ignore'},
      )
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const journalOf = () => {
        const [id] = listRunIds(state)
        return id ? Journal.open(state, id) : null
      }
      try {
        await waitFor(
          () =>
            journalOf()
              ?.entries()
              .some((e) => e.type === 'intent' && e.seq === 2) ?? false,
          15_000,
          'the harness to start step 2',
        )
      } finally {
        process.kill(-child.pid!, 'SIGKILL')
        await exited
      }
      assert.equal(isAlive(child.pid!), false)
      const journal = journalOf()!
      const raw = journal.entries()
      assert.equal(raw.filter((e) => e.type === 'intent' && e.seq === 2).length, 1)
      assert.equal(
        raw.some((e) => e.type === 'result' && e.seq === 2),
        false,
        'step 2 had not finished',
      )
      assert.equal(
        raw.some((e) => e.type === 'intent' && e.seq === 3),
        false,
        'step 3 never started',
      )
      assert.ok(existsSync(join(data, 'b.json')))
      // The list is read-only and shows the run as interrupted.
      const [listed] = listRuns(state)
      assert.equal(listed?.finished, false)
      const undone = undoRun(state)
      assert.deepEqual(
        undone?.results.map((r) => [r.seq, r.status]),
        [[1, 'restored']],
      )
      const settled = journal.entries()
      for (const intent of settled.filter((e) => e.type === 'intent')) {
        assert.equal(
          settled.filter((e) => e.type === 'result' && e.seq === intent.seq).length,
          1,
          `intent ${intent.seq} has exactly one result`,
        )
      }
      assert.ok(settled.some((e) => e.type === 'result' && e.seq === 2 && e.recovered && e.status === 'failed'))
      assert.deepEqual(contentTree(data), before)
    })

    it('settles a rename that completed before its result was written', () => {
      const root = tmp.make()
      const state = join(root, 'state')
      const file = join(root, 'server.json')
      writeFileSync(file, 'manifest')
      chmodSync(file, 0o600)
      const before = contentTree(root)
      const step = quarantineStep({path: file, stat: lstatSync(file), why: 'stale'})
      const journal = Journal.create(state, 'test', 'doctorkit')
      const payload = journal.payloadPath(1)
      journal.append({type: 'intent', seq: 1, at: new Date().toISOString(), origin: planOf(step)[0]!.origin, step, payload})
      mkdirSync(join(journal.dir, 'quarantine'))
      renameSync(file, payload) // killed here: moved, no result written
      journal.close()
      reconcile(journal)
      const result = journal.entries().find((e) => e.type === 'result')
      assert.equal(result?.type === 'result' && result.status, 'applied')
      undoRun(state)
      const after = contentTree(root)
      for (const key of Object.keys(after)) if (key.startsWith('state')) delete after[key]
      assert.deepEqual(after, before)
    })

    it('drops a partial cross-filesystem copy and leaves the original in place', () => {
      const root = tmp.make()
      const state = join(root, 'state')
      const dir = join(root, 'cache')
      mkdirSync(dir)
      writeFileSync(join(dir, 'one'), '1')
      writeFileSync(join(dir, 'two'), '2')
      const before = contentTree(dir)
      const step = quarantineStep({path: dir, stat: lstatSync(dir), why: 'stale cache'})
      const journal = Journal.create(state, 'test', 'doctorkit')
      const payload = journal.payloadPath(1)
      journal.append({type: 'intent', seq: 1, at: new Date().toISOString(), origin: planOf(step)[0]!.origin, step, payload})
      mkdirSync(join(journal.dir, 'quarantine'))
      mkdirSync(payload)
      cpSync(join(dir, 'one'), join(payload, 'one')) // killed mid-copy
      journal.close()
      reconcile(journal)
      assert.equal(existsSync(payload), false)
      assert.deepEqual(contentTree(dir), before)
      assert.equal(undoRun(state), null, 'nothing was applied, so there is nothing to undo')
    })

    it('ignores a torn last line', () => {
      const state = join(tmp.make(), 'state')
      const journal = Journal.create(state, 'test', 'doctorkit')
      journal.close()
      appendFileSync(journal.path, '{"type":"intent","seq":1,"at":"20')
      assert.deepEqual(
        journal.entries().map((e) => e.type),
        ['run'],
      )
    })
  })

  describe('fix lock', () => {
    it('refuses a second concurrent fix with who holds it', async () => {
      const state = join(tmp.make(), 'state')
      const first = await acquireFixLock(state, 'doctor --fix')
      try {
        await assert.rejects(
          acquireFixLock(state, 'doctor --fix'),
          (error: unknown) => error instanceof FixLockBusy && new RegExp(`pid ${process.pid}`).test(error.message),
        )
      } finally {
        first.release()
      }
      const again = await acquireFixLock(state, 'doctor --fix')
      again.release()
      assert.equal(existsSync(lockPath(state)), false)
    })

    it('reclaims a lock left by a doctor that died', async () => {
      const state = join(tmp.make(), 'state')
      mkdirSync(state, {recursive: true})
      writeFileSync(lockPath(state), JSON.stringify({pid: await deadPid(), startedAtMs: 1, command: 'doctor --fix', since: 'earlier'}))
      const lock = await acquireFixLock(state, 'doctor --fix')
      assert.equal(JSON.parse(readFileSync(lockPath(state), 'utf8')).pid, process.pid)
      lock.release()
    })

    it('reclaims a lock whose pid was recycled by another process', async () => {
      const state = join(tmp.make(), 'state')
      mkdirSync(state, {recursive: true})
      // pid 1 is alive but did not write this lock: its start time differs.
      writeFileSync(lockPath(state), JSON.stringify({pid: 1, startedAtMs: Date.now(), command: 'doctor --fix', since: 'earlier'}))
      const lock = await acquireFixLock(state, 'doctor --fix')
      lock.release()
    })
  })
})
