import assert from 'node:assert/strict'
import {checks} from '../../checks/index.js'
import {createContext} from '../../src/context.js'
import {runChecks} from '../../src/engine/run-checks.js'
import {FileProbe} from '../../src/probes/files.js'
import {ProcessProbe} from '../../src/probes/processes.js'
import {SocketProbe} from '../../src/probes/sockets.js'
import {targetById} from '../../src/targets/index.js'
import {startFakeExecutor} from '../helpers/fake-executor.js'
import {executorHome} from '../helpers/executor-state.js'
import {killAll} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

const tmp = tmpDirs()

/** Counts calls to a prototype method for the duration of one test. */
function count<T extends object>(proto: T, method: keyof T): {calls: () => number; args: unknown[][]; restore: () => void} {
  const original = proto[method] as unknown as (...args: unknown[]) => unknown
  const args: unknown[][] = []
  ;(proto as Record<string, unknown>)[method as string] = function (this: unknown, ...a: unknown[]) {
    args.push(a)
    return original.apply(this, a)
  }
  return {calls: () => args.length, args, restore: () => ((proto as Record<string, unknown>)[method as string] = original)}
}

describe('engine: one snapshot per run', () => {
  afterEach(async () => {
    await killAll()
    tmp.cleanup()
  })

  it('reads the socket table, the owner map and the process table once, whatever the number of checks', async () => {
    const home = tmp.make()
    const daemon = await startFakeExecutor(home)
    executorHome(home).record(daemon.pid, daemon.port)
    const spies = [
      count(SocketProbe.prototype, 'readLinux' as never),
      count(SocketProbe.prototype, 'scanProcess' as never),
      count(ProcessProbe.prototype, 'readBriefTable' as never),
    ]
    const reads = count(FileProbe.prototype, 'readOnce' as never)
    try {
      const ctx = createContext({home, env: {HOME: home}})
      const target = await targetById('executor')!.detect(ctx)
      const results = await runChecks(
        ctx,
        checks.map((check) => ({check, target})),
        {deadline: Date.now() + 10_000},
      )
      await ctx.close()
      assert.ok(
        results.every((r) => r.status !== 'error'),
        JSON.stringify(results, null, 2),
      )
      assert.equal(spies[0]!.calls(), 1, 'socket table read once')
      assert.equal(spies[2]!.calls(), 1, 'process table read once')
      // The owner scan never reads a process's fds twice, however many checks ask about owners.
      const scanned = spies[1]!.args.map(([pid]) => pid)
      assert.ok(scanned.length > 0)
      assert.equal(new Set(scanned).size, scanned.length)
      // Every check judges server.json, but it is read from disk once.
      const manifestReads = reads.args.filter(([path]) => path === executorHome(home).manifestPath)
      assert.equal(manifestReads.length, 1)
    } finally {
      for (const s of [...spies, reads]) s.restore()
    }
  })
})
