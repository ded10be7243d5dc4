/**
 * The check table serves declared targets as it serves the built-ins: a profile parsed from a real
 * doctor.config.json text, real files with real modes, real dead pids; each row states the
 * status, the `<id>/<slug>` symptoms and the risks of the plan the generic check offers.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, lstatSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {defineTargetSymptoms} from '../../src/catalogue.js'
import {knownIds} from '../../src/config/load.js'
import {parseConfig} from '../../src/config/schema.js'
import type {TargetProfile} from '../../src/targets/profile.js'
import {checkTable, type CheckRow} from '../helpers/check-table.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

/** `kv` declared in `dir` (relative paths are the config's dir): a pid file, a 0700 data dir, a 0600 secret. */
function kv(dir: string): TargetProfile {
  const text = JSON.stringify({
    targets: [{id: 'kv', pidFile: 'kv.pid', dataDir: {path: 'data', mode: '0700'}, secrets: [{path: 'kv.conf', mode: '0600'}]}],
  })
  return parseConfig(text, join(dir, 'doctor.config.json'), knownIds(), {env: {}, home: dir}).targets[0]!
}
const at = (dir: string) => ({at: {profile: kv(dir), home: dir, env: {HOME: dir}}})

describe('check table: a declared target', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())
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
  ]
  checkTable('stale-lock', staleLock, () => tmp.make())

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
