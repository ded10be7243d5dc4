import {spawn, type ChildProcess} from 'node:child_process'
import {copyFileSync, existsSync, linkSync, mkdirSync, realpathSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import check from '../../checks/duplicate-daemon.js'
import {defineTargetSymptoms} from '../../src/catalogue.js'
import {knownIds} from '../../src/config/load.js'
import {parseConfig} from '../../src/config/schema.js'
import type {TargetProfile} from '../../src/targets/profile.js'
import {toTargetId} from '../../src/types.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {executorHome} from '../helpers/executor-state.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {killAll, stop} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()
const run = (home: string) => runCheck(check, {home, env: {HOME: home}})

describe('duplicate-daemon', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('passes with one registered daemon', async () => {
    const home = tmp.make()
    await startFakeExecutor(home)
    expectResult(await run(home), {status: 'pass'})
  })

  it('fails naming both pids when two daemons serve one data dir', async () => {
    const home = tmp.make()
    const first = await startFakeExecutor(home)
    const second = await startFakeExecutor(home, ['--no-manifest'])
    expectResult(await run(home), {
      status: 'fail',
      symptoms: ['executor/duplicate-daemon'],
      mentions: [first.pid, second.pid, first.dataDir],
    })
  })

  it('warns about a daemon that answers but is registered nowhere', async () => {
    const home = tmp.make()
    executorHome(home)
    const orphan = await startFakeExecutor(home, ['--no-manifest'])
    expectResult(await run(home), {status: 'warn', symptoms: ['executor/unregistered-daemon'], mentions: [orphan.pid, orphan.port]})
  })

  it('ignores a daemon that serves another data dir', async () => {
    const home = tmp.make()
    const other = tmp.make()
    executorHome(home)
    await startFakeExecutor(other)
    const result = await run(home)
    if (result.status !== 'pass' && result.status !== 'skip') throw new Error(JSON.stringify(result))
  })
})

/**
 * A declared target's daemons are real processes: node behind a link named `kvdup` (so the kernel
 * names the process kvdup and nothing else on the machine matches), told apart by `servedBy`.
 */
describe('duplicate-daemon: a declared target', () => {
  const children: ChildProcess[] = []
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => stop(c)))
    tmp.cleanup()
  })
  after(() => defineTargetSymptoms(toTargetId('kvdup'), []))

  function declared(dir: string, servedBy: unknown, process: object = {names: ['kvdup']}): TargetProfile {
    const text = JSON.stringify({
      targets: [{id: 'kvdup', process, dataDir: {path: 'data', ...(servedBy === undefined ? {} : {servedBy})}}],
    })
    mkdirSync(join(dir, 'data'), {recursive: true})
    return parseConfig(text, join(dir, 'doctor.config.json'), knownIds(), {env: {}, home: dir}).targets[0]!
  }

  /** A live `kvdup` process with these arguments, environment and working dir; `fork` makes it start a child of the same name. */
  async function kvdup(dir: string, args: string[], options: {env?: Record<string, string>; cwd?: string; fork?: boolean} = {}) {
    const link = join(dir, 'kvdup')
    mkdirSync(join(dir, 'data'), {recursive: true})
    if (!existsSync(link)) symlinkSync(process.execPath, link)
    const script = options.fork
      ? `require('child_process').spawn(${JSON.stringify(link)}, ['-e', 'const p = process.ppid; setInterval(() => process.ppid !== p && process.exit(0), 100)', '--', ...process.argv.slice(1)], {stdio: 'ignore'}); setInterval(()=>{},1000)`
      : 'setInterval(()=>{},1000)'
    const child = spawn(link, ['-e', script, '--', ...args], {cwd: options.cwd ?? dir, env: {...options.env}, stdio: 'ignore'})
    children.push(child)
    await new Promise((resolve) => setTimeout(resolve, 150))
    return child.pid!
  }

  const runDeclared = (dir: string, servedBy: unknown) => runCheck(check, {profile: declared(dir, servedBy), home: dir, env: {HOME: dir}})

  it('{"flag": "--dir"}: two processes given the data dir fail, naming both; one given another dir is not counted', async () => {
    const dir = tmp.make()
    const a = await kvdup(dir, ['--dir', join(dir, 'data')])
    const b = await kvdup(dir, [`--dir=data`]) // relative to its working dir, as the daemon resolves it
    await kvdup(dir, ['--dir', tmp.make()])
    expectResult(await runDeclared(dir, {flag: '--dir'}), {
      status: 'fail',
      symptoms: ['kvdup/duplicate-daemon'],
      mentions: [`pid ${a}`, `pid ${b}`],
    })
  })

  it('{"env": "KV_DATA"} then "cwd": the first rule that answers places each daemon', async () => {
    const dir = tmp.make()
    const a = await kvdup(dir, [], {env: {KV_DATA: join(dir, 'data')}})
    const b = await kvdup(dir, [], {cwd: join(dir, 'data')})
    expectResult(await runDeclared(dir, [{env: 'KV_DATA'}, 'cwd']), {
      status: 'fail',
      symptoms: ['kvdup/duplicate-daemon'],
      mentions: [a, b],
    })
  })

  it('one daemon passes, and its own child of the same name (a worker, a fork) is that daemon, not a second', async () => {
    const dir = tmp.make()
    await kvdup(dir, ['--dir', join(dir, 'data')], {fork: true})
    expectResult(await runDeclared(dir, {flag: '--dir'}), {status: 'pass'})
  })

  it('a daemon of this data dir beside one whose data dir no rule tells is undecided, not a pass', async () => {
    const dir = tmp.make()
    await kvdup(dir, ['--dir', join(dir, 'data')])
    const unplaced = await kvdup(dir, [])
    expectResult(await runDeclared(dir, {flag: '--dir'}), {status: 'error', mentions: [`pid ${unplaced}`, 'its command line has no --dir']})
  })

  it('without dataDir.servedBy it skips, naming the field', async () => {
    const dir = tmp.make()
    await kvdup(dir, ['--dir', join(dir, 'data')])
    await kvdup(dir, ['--dir', join(dir, 'data')])
    expectResult(await runDeclared(dir, undefined), {status: 'skip', mentions: ['dataDir.servedBy']})
  })

  it('a daemon told only by its executable (its name says nothing: it renamed itself) is counted too', async () => {
    const dir = tmp.make()
    // A node of its own (a hard link, else a copy), so no other process on the machine has this executable.
    const exe = join(dir, 'kvexe')
    try {
      linkSync(realpathSync(process.execPath), exe)
    } catch {
      copyFileSync(process.execPath, exe)
    }
    const renamed = () => {
      // Its title replaces its whole command line, so the data dir comes from its environment.
      const child = spawn(exe, ['-e', "process.title = 'renamed'; setInterval(() => {}, 1000)"], {
        stdio: 'ignore',
        env: {KV_DATA: join(dir, 'data')},
      })
      children.push(child)
      return child.pid!
    }
    const [a, b] = [renamed(), renamed()]
    await new Promise((resolve) => setTimeout(resolve, 300))
    expectResult(await runCheck(check, {profile: declared(dir, {env: 'KV_DATA'}, {executables: [exe]}), home: dir, env: {HOME: dir}}), {
      status: 'fail',
      symptoms: ['kvdup/duplicate-daemon'],
      mentions: [`pid ${a}`, `pid ${b}`],
    })
  })

  it('no process of its identity running is a skip', async () => {
    const dir = tmp.make()
    expectResult(await runDeclared(dir, 'cwd'), {status: 'skip', mentions: ['no kvdup daemon process is running']})
  })
})
