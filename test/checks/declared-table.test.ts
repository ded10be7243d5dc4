/**
 * The check table serves declared targets as it serves the built-ins: a profile parsed from a real
 * doctor.config.json text, real files with real modes, real dead pids; each row states the
 * status, the `<id>/<slug>` symptoms and the risks of the plan the generic check offers.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {defineTargetSymptoms} from '../../src/catalogue.js'
import {knownIds} from '../../src/config/load.js'
import {parseConfig} from '../../src/config/schema.js'
import type {TargetProfile} from '../../src/targets/profile.js'
import {checkTable, type CheckRow} from '../helpers/check-table.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

/** `kv` declared in `dir` (relative paths are the config's dir): a pid file, a 0700 data dir, a 0600 secret; `more` adds or replaces fields. */
function kv(dir: string, more: Record<string, unknown> = {}): TargetProfile {
  const text = JSON.stringify({
    targets: [{id: 'kv', pidFile: 'kv.pid', dataDir: {path: 'data', mode: '0700'}, secrets: [{path: 'kv.conf', mode: '0600'}], ...more}],
  })
  return parseConfig(text, join(dir, 'doctor.config.json'), knownIds(), {env: {}, home: dir}).targets[0]!
}
const at = (dir: string, more?: Record<string, unknown>) => ({at: {profile: kv(dir, more), home: dir, env: {HOME: dir}}})

/**
 * A lock on a pid file, for real: `flock` (util-linux) takes an exclusive flock and holds it while
 * its child sleeps; `lockf`, a python3 that takes an fcntl/lockf lock (the other kind a daemon takes).
 */
const held: ChildProcess[] = []
const LOCKF = 'import fcntl, sys, time\nf = open(sys.argv[1], "r+")\nfcntl.lockf(f, fcntl.LOCK_EX)\ntime.sleep(60)'
async function holdLock(path: string, how: 'flock' | 'lockf' = 'flock'): Promise<number> {
  const child =
    how === 'flock'
      ? spawn('flock', ['-x', '-n', path, 'sleep', '60'], {stdio: 'ignore'})
      : spawn('python3', ['-c', LOCKF, path], {stdio: 'ignore'})
  held.push(child)
  // /proc/locks lists the lock once flock has taken it; its pid there is flock's own.
  for (let i = 0; i < 100; i++) {
    if (
      readFileSync('/proc/locks', 'utf8')
        .split('\n')
        .some((line) => line.includes(` ${child.pid} `))
    )
      return child.pid!
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`flock did not take the lock on ${path}`)
}

describe('check table: a declared target', () => {
  const tmp = tmpDirs()
  afterEach(() => {
    for (const child of held.splice(0)) child.kill('SIGKILL')
    tmp.cleanup()
  })
  // Making the target registers its symptoms in the one catalogue: the suites after this one see none of them.
  after(() => {
    defineTargetSymptoms(kv(tmp.make()).id, [])
    tmp.cleanup()
  })

  const staleLock: CheckRow[] = [
    {
      name: 'stale-lock: a pid file naming a dead pid fails, with a quarantine that needs no confirmation',
      async state(dir) {
        const pid = await deadPid()
        writeFileSync(join(dir, 'kv.pid'), `${pid}\n`)
        return {...at(dir), mentions: [pid, join(dir, 'kv.pid')]}
      },
      expect: {status: 'fail', symptoms: ['kv/stale-pid-file'], plan: ['safe']},
    },
    {
      name: 'stale-lock: a locked pid file nobody locks, naming a dead pid, is stale, its quarantine guarded by the lock too',
      async state(dir) {
        const pid = await deadPid()
        writeFileSync(join(dir, 'kv.pid'), `${pid}\n`)
        return {...at(dir, {pidFile: {path: 'kv.pid', locked: true}}), mentions: [pid]}
      },
      expect: {status: 'fail', symptoms: ['kv/stale-pid-file'], plan: ['safe']},
    },
    {
      // The lock is the claim, whatever pid the file names: a foreign holder blocks every start.
      name: 'stale-lock: a locked pid file held by a process that is not the daemon fails, naming the holder, with the commands only',
      async state(dir) {
        writeFileSync(join(dir, 'kv.pid'), `${await deadPid()}\n`)
        const holder = await holdLock(join(dir, 'kv.pid'))
        return {
          ...at(dir, {pidFile: {path: 'kv.pid', locked: true}, process: {names: ['kvd']}}),
          mentions: [holder, 'flock', 'which is not kv', `kill ${holder}`],
        }
      },
      expect: {status: 'fail', symptoms: ['kv/pid-file-locked'], plan: ['manual']},
    },
    {
      name: 'stale-lock: an fcntl/lockf lock on a locked pid file, held by another program, counts as well',
      async state(dir) {
        writeFileSync(join(dir, 'kv.pid'), `${await deadPid()}\n`)
        const holder = await holdLock(join(dir, 'kv.pid'), 'lockf')
        return {...at(dir, {pidFile: {path: 'kv.pid', locked: true}, process: {names: ['kvd']}}), mentions: [holder, 'python3']}
      },
      expect: {status: 'fail', symptoms: ['kv/pid-file-locked'], plan: ['manual']},
    },
    {
      name: "stale-lock: the daemon holds its pid file's lock but the file names another pid: a warning naming both",
      async state(dir) {
        const dead = await deadPid()
        writeFileSync(join(dir, 'kv.pid'), `${dead}\n`)
        // Here the daemon is flock itself (declared by its name): it holds the lock on its pid file.
        const holder = await holdLock(join(dir, 'kv.pid'))
        return {...at(dir, {pidFile: {path: 'kv.pid', locked: true}, process: {names: ['flock']}}), mentions: [holder, dead]}
      },
      expect: {status: 'warn', symptoms: ['kv/pid-file-mismatch'], plan: ['manual']},
    },
    {
      name: 'stale-lock: the daemon holds its pid file and the file names it: healthy',
      async state(dir) {
        writeFileSync(join(dir, 'kv.pid'), '')
        const holder = await holdLock(join(dir, 'kv.pid'))
        writeFileSync(join(dir, 'kv.pid'), `${holder}\n`)
        return at(dir, {pidFile: {path: 'kv.pid', locked: true}, process: {names: ['flock']}})
      },
      expect: {status: 'pass', symptoms: [], plan: []},
    },
    {
      // Without a declared identity a holder the file does not name is neither the daemon nor a squatter: undecided.
      name: 'stale-lock: a held lock on a pid file naming another pid, with no process identity declared, cannot be judged',
      async state(dir) {
        writeFileSync(join(dir, 'kv.pid'), `${await deadPid()}\n`)
        const holder = await holdLock(join(dir, 'kv.pid'))
        return {...at(dir, {pidFile: {path: 'kv.pid', locked: true}}), mentions: [holder, 'declares no process identity']}
      },
      expect: {status: 'error', symptoms: [], plan: []},
    },
  ]
  checkTable('stale-lock', staleLock, () => tmp.make())

  const staleManifest: CheckRow[] = [
    {
      name: 'stale-manifest: a declared target keeps no daemon records; it skips, pointing at stale-lock for its pid file',
      state(dir) {
        writeFileSync(join(dir, 'kv.pid'), `${process.pid}\n`)
        return {
          ...at(dir),
          mentions: ['kv declares no daemon records or manifests', `its pid file ${join(dir, 'kv.pid')} is judged by stale-lock`],
        }
      },
      expect: {status: 'skip', symptoms: [], plan: []},
    },
  ]
  checkTable('stale-manifest', staleManifest, () => tmp.make())

  const modes: CheckRow[] = [
    {
      name: 'data-dir-permissions: a 0755 data dir declared 0700 fails, with a chmod back to 0700',
      state(dir) {
        mkdirSync(join(dir, 'data'))
        chmodSync(join(dir, 'data'), 0o755)
        return {...at(dir), mentions: ['0755', `chmod 0700 ${join(dir, 'data')}`]}
      },
      expect: {status: 'fail', symptoms: ['kv/data-dir-mode'], plan: ['safe']},
    },
    {
      name: 'data-dir-permissions: the declared mode passes, with no plan',
      state(dir) {
        mkdirSync(join(dir, 'data'), {mode: 0o700})
        return at(dir)
      },
      expect: {status: 'pass', symptoms: [], plan: []},
    },
    {
      // The fix rule RunWisp's plans follow, held for a declared target too: `via` is a link
      // another user (nobody, for real) planted in a shared directory on the data dir's path.
      name: 'data-dir-permissions: reached through a link another user planted, the chmod is printed, not done',
      state(dir) {
        chmodSync(dir, 0o755) // nobody must reach the shared directory
        const real = join(dir, 'real')
        mkdirSync(join(real, 'data'), {recursive: true})
        chmodSync(join(real, 'data'), 0o755)
        const shared = join(dir, 'shared')
        mkdirSync(shared)
        chmodSync(shared, 0o1777)
        const via = join(shared, 'via')
        const ln = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'ln', '-s', real, via], {
          encoding: 'utf8',
        })
        if (ln.status !== 0 || lstatSync(via).uid !== 65534) throw new Error(`cannot plant the link as nobody: ${ln.stderr}`)
        return {
          at: {profile: kv(via), home: dir, env: {HOME: dir}},
          mentions: ['does not act through a link', 'owned by nobody', `chmod 0700 -- ${join(real, 'data')}`],
        }
      },
      expect: {status: 'fail', symptoms: ['kv/data-dir-mode'], plan: ['manual']},
    },
  ]
  checkTable('data-dir-permissions', modes, () => tmp.make())

  const secrets: CheckRow[] = [
    {
      name: 'secret-permissions: a 0644 secret declared 0600 fails, with a chmod back to 0600',
      state(dir) {
        writeFileSync(join(dir, 'kv.conf'), 'password hunter2-hunter2\n')
        chmodSync(join(dir, 'kv.conf'), 0o644)
        return {...at(dir), mentions: ['0644', `chmod 0600 ${join(dir, 'kv.conf')}`]}
      },
      expect: {status: 'fail', symptoms: ['kv/secret-mode'], plan: ['safe']},
    },
  ]
  checkTable('secret-permissions', secrets, () => tmp.make())
})
