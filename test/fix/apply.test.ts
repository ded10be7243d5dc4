import assert from 'node:assert/strict'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  realpathSync,
  readlinkSync,
  existsSync,
} from 'node:fs'
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {applyPlan, type Answer} from '../../src/fix/apply.js'
import {Journal} from '../../src/fix/journal.js'
import {ProcessProbe} from '../../src/probes/processes.js'
import {processFingerprint} from '../../src/fix/process-control.js'
import {bootstrapStep, chmodStep, quarantineStep, replaceSymlinkStep, runStep, terminateStep} from '../../src/fix/steps.js'
import {undoRun} from '../../src/fix/undo.js'
import type {PlannedStep} from '../../src/fix/types.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'
import {contentTree, hashTreeExcept, isAlive, killRecorders, planOf, startRecorder} from './helpers.js'

const tmp = tmpDirs()
// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('fix/apply', () => {
  afterEach(async () => {
    await killRecorders()
    tmp.cleanup()
  })

  const yes = async (): Promise<Answer> => 'yes'
  const noTty = async (): Promise<Answer> => 'no-tty'
  const apply = (plan: PlannedStep[], stateDir: string, approve: (p: PlannedStep, q: 'apply' | 'sigkill') => Promise<Answer> = yes) =>
    applyPlan(plan, {stateDir, command: 'test', tool: 'doctorkit', approve})

  function setup() {
    const root = tmp.make()
    const data = join(root, 'data')
    const state = join(root, 'state')
    mkdirSync(data)
    return {root, data, state}
  }

  describe('fix apply engine: quarantine', () => {
    it('moves a stale file to the quarantine and undo puts it back byte for byte, mode included', async () => {
      const {data, state} = setup()
      const file = join(data, 'server.json')
      writeFileSync(file, Buffer.from([0, 1, 2, 255, 10, 13]))
      chmodSync(file, 0o640)
      const before = contentTree(data)
      const pid = await deadPid()
      const {results, runId} = await apply(
        planOf(quarantineStep({path: file, stat: lstatSync(file), why: 'stale', guard: {pid, mustBe: 'dead'}})),
        state,
      )
      assert.equal(results[0]!.status, 'applied', JSON.stringify(results))
      assert.equal(existsSync(file), false)
      assert.deepEqual(readFileSync(results[0]!.quarantinedAt!), Buffer.from([0, 1, 2, 255, 10, 13]))
      const undone = undoRun(state)
      assert.equal(undone?.runId, runId)
      assert.deepEqual(
        undone?.results.map((r) => r.status),
        ['restored'],
      )
      assert.deepEqual(contentTree(data), before)
    })

    it('quarantines a cache dir across filesystems (copy, fsync, unlink) and restores it with modes and links', async () => {
      const {data} = setup()
      assert.notEqual(lstatSync('/dev/shm').dev, lstatSync(data).dev, 'this test needs /dev/shm on another filesystem than the temp dir')
      const state = mkdtempSync('/dev/shm/doctorkit-state-')
      try {
        const cache = join(data, 'node_modules', '.vite')
        writeTree(cache, {'deps/_metadata.json': '{"hash":"abcd1234"}', 'deps/react.js': 'export default 1\n', 'deps_ssr/x.js': 'x'})
        chmodSync(join(cache, 'deps', 'react.js'), 0o604)
        chmodSync(join(cache, 'deps_ssr'), 0o750)
        symlinkSync('deps/react.js', join(cache, 'link'))
        const before = contentTree(data)
        const cacheBefore = contentTree(cache)
        const {results} = await apply(planOf(quarantineStep({path: cache, stat: lstatSync(cache), why: 'stale vite cache'})), state)
        assert.equal(results[0]!.status, 'applied', JSON.stringify(results))
        assert.match(results[0]!.detail ?? '', /\(copy\)/)
        assert.equal(existsSync(cache), false)
        assert.deepEqual(contentTree(results[0]!.quarantinedAt!), cacheBefore)
        undoRun(state)
        assert.deepEqual(contentTree(data), before)
      } finally {
        rmSync(state, {recursive: true, force: true})
      }
    })

    it('skips a file that was replaced between plan and apply, and changes nothing', async () => {
      const {root, data, state} = setup()
      const file = join(data, 'daemon-localhost-4788.json')
      writeFileSync(file, '{"pid": 1}')
      const step = quarantineStep({path: file, stat: lstatSync(file), why: 'stale'})
      // The product rewrites its record atomically (new inode) after the check ran.
      writeFileSync(join(data, 'tmp'), '{"pid": 2}')
      renameSync(join(data, 'tmp'), file)
      const before = hashTreeExcept(root, 'state')
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'skipped')
      assert.match(results[0]!.reason!, /replaced/)
      assert.deepEqual(hashTreeExcept(root, 'state'), before)
    })

    it('skips a file rewritten in place (same inode, new size and mtime)', async () => {
      const {data, state} = setup()
      const file = join(data, 'x.json.lock')
      writeFileSync(file, '{"pid": 1}')
      const step = quarantineStep({path: file, stat: lstatSync(file), why: 'stale'})
      writeFileSync(file, '{"pid": 12345}')
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'skipped')
      assert.equal(readFileSync(file, 'utf8'), '{"pid": 12345}')
    })

    it('skips when the recorded pid comes back to life between plan and apply', async () => {
      const {root, data, state} = setup()
      const file = join(data, 'server.json')
      writeFileSync(file, '{}')
      const recorder = await startRecorder(join(root, 'signals.log'))
      // Planned while the pid was dead; by apply time a process holds it again.
      const step = quarantineStep({path: file, stat: lstatSync(file), why: 'stale', guard: {pid: recorder.pid, mustBe: 'dead'}})
      const before = hashTreeExcept(root, 'state')
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'skipped')
      assert.match(results[0]!.reason!, /running again/)
      assert.deepEqual(hashTreeExcept(root, 'state'), before)
      assert.deepEqual(recorder.signals(), [])
    })

    it('a file another process rewrites between the check and the move (same size, its mtime put back) is not moved', async () => {
      const {data, state} = setup()
      const file = join(data, 'server.json')
      writeFileSync(file, '{"pid": 1111}')
      const step = quarantineStep({path: file, stat: lstatSync(file), why: 'stale'})
      // A real other process, run by the plan's first step: it writes a live record over the stale one in place.
      const racer = [
        'python3',
        '-c',
        'import os,sys; p=sys.argv[1]; st=os.stat(p); open(p,"r+").write(\'{"pid": 2222}\'); os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))',
        file,
      ]
      const {results} = await apply(planOf(runStep({command: racer, cwd: data, why: 'a concurrent writer'}), step), state)
      assert.equal(results[0]!.status, 'applied', JSON.stringify(results))
      assert.equal(lstatSync(file).mtimeMs, step.expect.mtimeMs, 'the racer put the mtime back')
      assert.equal(results[1]!.status, 'skipped', JSON.stringify(results))
      assert.match(results[1]!.reason!, /rewritten after the check read it/)
      assert.equal(readFileSync(file, 'utf8'), '{"pid": 2222}')
    })

    it('a dir whose mode another process changed between the check and the chmod is left with that mode', async () => {
      const {data, state} = setup()
      chmodSync(data, 0o755)
      const step = chmodStep({path: data, stat: lstatSync(data), why: 'private'})
      const {results} = await apply(planOf(runStep({command: ['chmod', '0750', data], cwd: data, why: 'a concurrent chmod'}), step), state)
      assert.equal(results[1]!.status, 'skipped', JSON.stringify(results))
      assert.match(results[1]!.reason!, /changed mode since the check \(0750, was 0755\)/)
      assert.equal(lstatSync(data).mode & 0o777, 0o750)
    })

    it("checks each step against what the run's own earlier steps left: chmod then quarantine of one file both apply", async () => {
      const {data, state} = setup()
      const file = join(data, 'daemon.log')
      writeFileSync(file, 'x\n', {mode: 0o644})
      chmodSync(file, 0o644)
      const st = lstatSync(file)
      const {results} = await apply(
        planOf(chmodStep({path: file, stat: st, why: 'private'}), quarantineStep({path: file, stat: st, why: 'stale'})),
        state,
      )
      assert.deepEqual(
        results.map((r) => r.status),
        ['applied', 'applied'],
        JSON.stringify(results),
      )
      assert.equal(lstatSync(results[1]!.quarantinedAt!).mode & 0o777, 0o600)
    })

    it('never acts through a directory that became a symlink', async () => {
      const {root, data, state} = setup()
      const dir = join(data, 'server-control')
      writeTree(dir, {'server.json': '{}'})
      const step = quarantineStep({path: join(dir, 'server.json'), stat: lstatSync(join(dir, 'server.json')), why: 'stale'})
      renameSync(dir, join(root, 'elsewhere'))
      symlinkSync(join(root, 'elsewhere'), dir)
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'skipped')
      assert.match(results[0]!.reason!, /symlink/)
      assert.ok(existsSync(join(root, 'elsewhere', 'server.json')))
    })

    it('reports a file that is already gone as not needed', async () => {
      const {data, state} = setup()
      const file = join(data, 'a.json')
      writeFileSync(file, '{}')
      const step = quarantineStep({path: file, stat: lstatSync(file), why: 'stale'})
      rmSync(file)
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'not-needed')
    })

    it('undo keeps both copies when the original path was written again', async () => {
      const {data, state} = setup()
      const file = join(data, 'server.json')
      writeFileSync(file, 'old')
      const {results} = await apply(planOf(quarantineStep({path: file, stat: lstatSync(file), why: 'stale'})), state)
      writeFileSync(file, 'new, written by the product')
      const undone = undoRun(state)
      assert.equal(undone?.results[0]?.status, 'kept')
      assert.equal(readFileSync(file, 'utf8'), 'new, written by the product')
      assert.equal(readFileSync(results[0]!.quarantinedAt!, 'utf8'), 'old')
    })
  })

  describe('fix apply engine: chmod and symlinked secrets', () => {
    it('sets 0600 on a file and 0700 on a dir; undo restores the old modes', async () => {
      const {data, state} = setup()
      const secret = join(data, 'auth.json')
      writeFileSync(secret, '{"token":"x"}')
      chmodSync(secret, 0o644)
      const dir = join(data, 'private')
      mkdirSync(dir)
      chmodSync(dir, 0o755)
      const {results} = await apply(
        planOf(
          chmodStep({path: secret, stat: lstatSync(secret), why: 'world-readable secret'}),
          chmodStep({path: dir, stat: lstatSync(dir), why: 'open dir'}),
        ),
        state,
      )
      assert.deepEqual(
        results.map((r) => r.status),
        ['applied', 'applied'],
      )
      assert.equal(lstatSync(secret).mode & 0o777, 0o600)
      assert.equal(lstatSync(dir).mode & 0o777, 0o700)
      undoRun(state)
      assert.equal(lstatSync(secret).mode & 0o777, 0o644)
      assert.equal(lstatSync(dir).mode & 0o777, 0o755)
    })

    it('does not chmod through a symlink planted at the path after the plan', async () => {
      const {root, data, state} = setup()
      const secret = join(data, 'auth.json')
      const victim = join(root, 'victim')
      writeFileSync(victim, 'v')
      chmodSync(victim, 0o644)
      writeFileSync(secret, 's')
      const step = chmodStep({path: secret, stat: lstatSync(secret), why: 'w'})
      rmSync(secret)
      symlinkSync(victim, secret)
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'skipped')
      assert.equal(lstatSync(victim).mode & 0o777, 0o644)
    })

    it('replaces a symlinked secret with a 0600 file of the same bytes after a yes, and undo restores the link', async () => {
      const {root, data, state} = setup()
      const target = join(root, 'shared', 'auth.json')
      writeTree(join(root, 'shared'), {'auth.json': '{"token":"abc"}\n'})
      chmodSync(target, 0o644)
      const link = join(data, 'auth.json')
      symlinkSync(target, link)
      const step = replaceSymlinkStep({
        path: link,
        linkStat: lstatSync(link),
        linkTarget: readlinkSync(link),
        targetPath: realpathSync(link),
        targetStat: lstatSync(target),
        why: 'symlinked secret',
      })
      const targetBefore = contentTree(join(root, 'shared'))
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'applied', JSON.stringify(results))
      const st = lstatSync(link)
      assert.ok(st.isFile())
      assert.equal(st.mode & 0o777, 0o600)
      assert.equal(readFileSync(link, 'utf8'), '{"token":"abc"}\n')
      assert.deepEqual(contentTree(join(root, 'shared')), targetBefore)
      undoRun(state)
      assert.ok(lstatSync(link).isSymbolicLink())
      assert.equal(readlinkSync(link), target)
    })

    it('leaves a confirm step alone without a TTY or --yes, and changes nothing', async () => {
      const {root, data, state} = setup()
      const target = join(root, 'shared-secret')
      writeFileSync(target, 'x')
      const link = join(data, 'auth.json')
      symlinkSync(target, link)
      const step = replaceSymlinkStep({
        path: link,
        linkStat: lstatSync(link),
        linkTarget: target,
        targetPath: target,
        targetStat: lstatSync(target),
        why: 'w',
      })
      const before = hashTreeExcept(root, 'state')
      const {results} = await apply(planOf(step), state, noTty)
      assert.equal(results[0]!.status, 'not-approved')
      assert.deepEqual(hashTreeExcept(root, 'state'), before)
    })
  })

  describe('fix apply engine: processes and commands', () => {
    async function fingerprintOf(pid: number, dataDir: string) {
      const probe = new ProcessProbe()
      const lookup = await probe.get(pid)
      assert.ok(lookup.alive === true)
      return processFingerprint(lookup.info, {
        envKeys: ['HOME'],
        environ: await probe.environ(pid),
        cwd: await probe.cwd(pid),
        dataDir,
        verifiedBecause: 'test',
      })
    }

    it('terminates a verified process with SIGTERM', async () => {
      const {root, state} = setup()
      const proc = await startRecorder(join(root, 'sig.log'), {exitOnTerm: true})
      const step = terminateStep({process: await fingerprintOf(proc.pid, root), why: 'leaked dev server.', graceMs: 3000})
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'applied', JSON.stringify(results))
      assert.deepEqual(proc.signals(), ['SIGTERM'])
    })

    it('stops a verified dev server and the child its wrapper started when it leads its process group', async () => {
      const {root, state} = setup()
      const childPidFile = join(root, 'child.pid')
      // A `bunx vite`-like wrapper: a group leader whose real server is a child that would outlive it.
      const wrapper = spawn(
        process.execPath,
        [
          '-e',
          `
        const {spawn} = require('child_process')
        const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'})
        require('fs').writeFileSync(${JSON.stringify(childPidFile)}, String(c.pid))
        process.on('SIGTERM', () => process.exit(0))
        setInterval(() => {}, 1000)
      `,
        ],
        {detached: true, stdio: 'ignore'},
      )
      try {
        await new Promise<void>((resolve) => {
          const tick = () => (existsSync(childPidFile) && readFileSync(childPidFile, 'utf8') ? resolve() : setTimeout(tick, 20))
          tick()
        })
        const serverPid = Number(readFileSync(childPidFile, 'utf8'))
        const step = terminateStep({
          process: await fingerprintOf(wrapper.pid!, root),
          why: 'orphan dev server.',
          graceMs: 3000,
          group: true,
        })
        const {results} = await apply(planOf(step), state)
        assert.equal(results[0]!.status, 'applied', JSON.stringify(results))
        await new Promise((r) => setTimeout(r, 200))
        assert.equal(isAlive(serverPid), false, "the wrapper's server child outlived the group SIGTERM")
      } finally {
        try {
          process.kill(-wrapper.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    })

    it('escalates to SIGKILL only after the second confirm', async () => {
      const {root, state} = setup()
      const stubborn = await startRecorder(join(root, 'sig.log'))
      const step = terminateStep({process: await fingerprintOf(stubborn.pid, root), why: 'hung.', graceMs: 300})
      const questions: string[] = []
      const declineKill = async (_p: PlannedStep, q: 'apply' | 'sigkill'): Promise<Answer> => {
        questions.push(q)
        return q === 'apply' ? 'yes' : 'no'
      }
      const first = await apply(planOf(step), state, declineKill)
      assert.equal(first.results[0]!.status, 'declined')
      assert.deepEqual(questions, ['apply', 'sigkill'])
      assert.ok(isAlive(stubborn.pid), 'SIGKILL was sent without consent')
      const second = await apply(planOf(step), state, yes)
      assert.equal(second.results[0]!.status, 'applied')
      assert.match(second.results[0]!.detail!, /SIGKILL/)
      await new Promise((r) => setTimeout(r, 50))
      assert.equal(isAlive(stubborn.pid), false)
    })

    it('never signals a pid that now belongs to another process (start time differs)', async () => {
      const {root, state} = setup()
      const other = await startRecorder(join(root, 'sig.log'))
      const fp = await fingerprintOf(other.pid, root)
      const step = terminateStep({process: {...fp, startedAtMs: fp.startedAtMs - 60_000}, why: 'w.', graceMs: 200})
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'skipped')
      assert.match(results[0]!.reason!, /another process/)
      assert.ok(isAlive(other.pid))
      assert.deepEqual(other.signals(), [])
    })

    it('never signals a process whose data dir environment changed', async () => {
      const {root, state} = setup()
      const other = await startRecorder(join(root, 'sig.log'), {env: {HOME: join(root, 'b')}})
      const fp = await fingerprintOf(other.pid, root)
      const {results} = await apply(
        planOf(terminateStep({process: {...fp, environ: {HOME: join(root, 'a')}}, why: 'w.', graceMs: 200})),
        state,
      )
      assert.equal(results[0]!.status, 'skipped')
      assert.deepEqual(other.signals(), [])
    })

    it('runs `bun run bootstrap` after a confirm when bun is on PATH, and is manual without bun', async () => {
      const {root, state} = setup()
      const bin = join(root, 'bin')
      const checkout = join(root, 'checkout')
      mkdirSync(checkout)
      writeTree(bin, {bun: `#!/bin/sh\necho "$@" > "${join(checkout, 'ran')}"\n`})
      chmodSync(join(bin, 'bun'), 0o755)
      const step = bootstrapStep({checkout, pathEnv: bin, why: 'No bootstrap build.'})
      assert.equal(step.kind, 'run')
      assert.equal(step.risk, 'confirm')
      const withoutConsent = await apply(planOf(step), state, noTty)
      assert.equal(withoutConsent.results[0]!.status, 'not-approved')
      assert.equal(existsSync(join(checkout, 'ran')), false)
      const {results} = await apply(planOf(step), state)
      assert.equal(results[0]!.status, 'applied', JSON.stringify(results))
      assert.equal(readFileSync(join(checkout, 'ran'), 'utf8'), 'run bootstrap\n')
      const manual = bootstrapStep({checkout, pathEnv: join(root, 'empty'), why: 'No bootstrap build.'})
      assert.equal(manual.kind, 'manual')
      assert.equal((await apply(planOf(manual), state)).results[0]!.status, 'manual')
    })

    it('journals a failed command with its exit code', async () => {
      const {root, state} = setup()
      const bin = join(root, 'bin')
      writeTree(bin, {bun: '#!/bin/sh\necho "error: lockfile had changes" >&2\nexit 3\n'})
      chmodSync(join(bin, 'bun'), 0o755)
      const {results, runId} = await apply(planOf(bootstrapStep({checkout: root, pathEnv: bin, why: 'w'})), state)
      assert.equal(results[0]!.status, 'failed')
      assert.match(results[0]!.reason!, /exited with 3: error: lockfile had changes/)
      const journal = Journal.open(state, runId!)!
      assert.ok(journal.entries().some((e) => e.type === 'result' && e.status === 'failed'))
    })
  })

  describe('fix planner', () => {
    it('resolves directories that are symlinks by layout when planning, then acts on the real path', async () => {
      const {root, data, state} = setup()
      writeTree(data, {'server.json': '{}'})
      symlinkSync(data, join(root, 'home-link'))
      const viaLink = join(root, 'home-link', 'server.json')
      const {collectPlan} = await import('../../src/fix/plan.js')
      const step = quarantineStep({path: viaLink, stat: lstatSync(viaLink), why: 'stale'})
      const report = {
        checks: [{id: 'stale-manifest', target: 'executor', findings: [{symptom: 'executor/stale-manifest', plan: [step, step]}]}],
      } as unknown as Parameters<typeof collectPlan>[0]
      const plan = collectPlan(report)
      assert.equal(plan.length, 1, 'the same step from two findings is planned once')
      assert.equal((plan[0]!.step as {path: string}).path, join(data, 'server.json'))
      const {results} = await apply(plan, state)
      assert.equal(results[0]!.status, 'applied')
      assert.equal(existsSync(join(data, 'server.json')), false)
    })
  })
})
