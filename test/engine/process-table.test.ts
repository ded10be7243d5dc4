/**
 * The process table's cheaper views answer as the full one does: `listIdentities` (name and
 * executable, which RunWisp's daemon scan filters on before it reads more) against `list()` on the
 * real table, with a real process whose name is not its executable's (prctl PR_SET_NAME); and
 * kernel threads, whose command line, status and exe link are never read (a proc tree of real
 * files, since the test shards' own PID namespace shows no kernel thread).
 */
import assert from 'node:assert/strict'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdirSync, realpathSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {ProcessProbe} from '../../src/probes/processes.js'
import {processIdentity} from '../../src/targets/runwisp/identity.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()

/** A python3 that renames itself (PR_SET_NAME, 15) and says so on stdout. */
function renamedPython(name: string): Promise<ChildProcess> {
  const code = `import ctypes, sys, time\nctypes.CDLL(None).prctl(15, ${JSON.stringify(name)}.encode(), 0, 0, 0)\nprint("ready", flush=True)\ntime.sleep(60)\n`
  const child = spawn('python3', ['-c', code], {stdio: ['ignore', 'pipe', 'inherit']})
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.stdout!.once('data', () => resolve(child))
  })
}

describe('engine: the process table', () => {
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
    tmp.cleanup()
  })

  it('listIdentities names each process and its executable as the full table does, a renamed process included', async () => {
    const renamed = await renamedPython('renamed-worker')
    children.push(renamed)
    const python = realpathSync(spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {encoding: 'utf8'}).stdout.trim())
    const identities = await new ProcessProbe().listIdentities()
    const full = new Map((await new ProcessProbe().list()).map((p) => [p.pid, p]))
    const mine = identities.find((p) => p.pid === renamed.pid)
    assert.ok(mine, `pid ${renamed.pid} is missing from listIdentities`)
    assert.equal(mine.comm, 'renamed-worker')
    assert.equal(mine.exe, python)
    let compared = 0
    for (const row of identities) {
      const proc = full.get(row.pid)
      if (!proc) continue // exited between the two reads
      compared++
      assert.equal(row.comm, proc.comm, `pid ${row.pid}`)
      assert.equal(row.exe, proc.exe, `pid ${row.pid}`)
      // RunWisp's daemon scan filters on these rows before it reads the rest: the same verdict as on the full row.
      assert.deepEqual(processIdentity(row), processIdentity(proc), `pid ${row.pid}`)
    }
    assert.ok(compared >= 2, `compared ${compared} processes`)
  })

  it('a kernel thread (PF_KTHREAD) is read from its stat alone: no command line, no executable, uid 0', async () => {
    const root = tmp.make()
    writeFileSync(join(root, 'stat'), 'cpu  1 2 3 4\nbtime 1700000000\n')
    const proc = (pid: number, comm: string, flags: number) => {
      const dir = join(root, String(pid))
      mkdirSync(dir)
      // pid (comm) state ppid pgrp session tty tpgid flags … starttime is field 22.
      const rest = ['S', '0', String(pid), '0', '0', '-1', String(flags), ...Array(12).fill('0'), '250', '0']
      writeFileSync(join(dir, 'stat'), `${pid} (${comm}) ${rest.join(' ')}\n`)
      // What a real kernel thread never has: were these read, argv, uid and exe would show them.
      writeFileSync(join(dir, 'cmdline'), `${comm}-argv\0--flag\0`)
      writeFileSync(join(dir, 'status'), `Name:\t${comm}\nUid:\t1000\t1000\t1000\t1000\n`)
      symlinkSync('/usr/bin/true', join(dir, 'exe'))
    }
    proc(2, 'kthreadd', 0x00208040)
    proc(300, 'worker', 0x00400100)
    const probe = new ProcessProbe(root)
    const byPid = new Map((await probe.list()).map((p) => [p.pid, p]))
    assert.deepEqual(
      {...byPid.get(2)!, startedAtMs: 0},
      {pid: 2, ppid: 0, pgrp: 2, comm: 'kthreadd', state: 'S', startedAtMs: 0, uid: 0, argv: [], cmdline: '[kthreadd]', exe: null},
    )
    assert.deepEqual([byPid.get(300)!.argv, byPid.get(300)!.uid, byPid.get(300)!.exe], [['worker-argv', '--flag'], 1000, '/usr/bin/true'])
    assert.equal(byPid.get(2)!.startedAtMs, 1700000000 * 1000 + 2500)
    const identities = new Map((await new ProcessProbe(root).listIdentities()).map((p) => [p.pid, p]))
    assert.equal(identities.get(2)!.exe, null)
    assert.equal(identities.get(2)!.kernelThread, true)
    assert.equal(identities.get(300)!.exe, '/usr/bin/true')
    assert.equal(identities.get(300)!.kernelThread, undefined)
    // One lookup (a recorded pid that is now a kernel thread) answers the same.
    const lookup = await new ProcessProbe(root).get(2)
    assert.ok(lookup.alive === true && lookup.info.exe === null && lookup.info.argv.length === 0 && lookup.info.uid === 0)
  })
})
