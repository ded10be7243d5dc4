import assert from 'node:assert/strict'
import {mkdirSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import e2ePorts from '../../checks/e2e-ports.js'
import {fnv1a, portBlock} from '../../src/targets/executor/dev/ports.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {freeBlockCheckout, releaseBlocks} from '../helpers/e2e-block.js'
import {deadPid, killAll, startFixture} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {makeCheckout} from './skeleton.js'

/** An e2e/.dev/selfhost.json as the e2e CLI writes it (executor-facts §3.4: 1-space JSON, no trailing newline). */
function writeRecord(root: string, pids: {runnerPid: number; childPids?: number[]}): string {
  const dir = join(root, 'e2e', '.dev')
  mkdirSync(dir, {recursive: true})
  const path = join(dir, 'selfhost.json')
  writeFileSync(
    path,
    JSON.stringify(
      {target: 'selfhost', status: 'ready', ...pids, logFile: join(dir, 'selfhost.log'), startedAt: new Date().toISOString()},
      null,
      1,
    ),
  )
  return path
}

describe('executor dev: e2e-ports', () => {
  const tmp = tmpDirs()
  afterEach(async () => {
    await killAll()
    releaseBlocks()
    tmp.cleanup()
  })

  /** A checkout whose block is free right now, and kept from the kernel's ephemeral ports until the test ends. */
  const freeCheckout = (name = 'executor') => freeBlockCheckout(() => makeCheckout(join(tmp.make(), name), {git: false}))

  const run = (root: string, env: Record<string, string> = {}) => runCheck(e2ePorts, {cwd: root, home: tmp.make(), env})

  it("computes the block exactly as e2e/src/ports.ts (the fact sheet's test vectors)", () => {
    assert.equal(fnv1a('/home/user/executor'), 2160252991)
    assert.equal(portBlock('/home/user/executor'), 43910)
    assert.equal(fnv1a('/Users/dev/code/executor'), 3407503934)
    assert.equal(portBlock('/Users/dev/code/executor'), 45340)
    // UTF-16 code units, not bytes: "é" is one unit (0xE9).
    assert.equal(fnv1a('é'), Math.imul(2166136261 ^ 0xe9, 16777619) >>> 0)
  })

  it('passes when the block is free', async () => {
    const {root} = await freeCheckout()
    expectResult(await run(root), {status: 'pass'})
  })

  it('names a squatter from another checkout: pid, command line and that checkout', async () => {
    const {root, block} = await freeCheckout()
    const other = makeCheckout(join(tmp.make(), 'other checkout'), {git: false})
    const squatter = await startFixture('squatter.ts', ['--port', String(block + 4)], {cwd: other})
    const result = await run(root)
    expectResult(result, {
      status: 'warn',
      symptoms: ['executor/e2e-port-squatted'],
      mentions: [block + 4, `pid ${squatter.pid}`, 'squatter.ts', `checkout ${other}`, 'E2E_SELFHOST_PORT', `kill -TERM ${squatter.pid}`],
    })
  })

  it('sees a squatter listening on ::1 only (the suite connects to both loopbacks)', async () => {
    const {root, block} = await freeCheckout()
    const squatter = await startFixture('squatter.ts', ['--port', String(block + 1), '--host', '::1'], {cwd: tmp.make()})
    expectResult(await run(root), {
      status: 'warn',
      symptoms: ['executor/e2e-port-squatted'],
      mentions: [block + 1, `pid ${squatter.pid}`, 'E2E_CLOUD_DB_PORT'],
    })
  })

  it("accepts this checkout's own running suite: its lock and the servers it started are not squatters", async () => {
    const {root, block} = await freeCheckout()
    const suite = await startFixture('e2e-suite.ts', ['--lock-port', String(block + 9), '--serve-port', String(block)], {
      cwd: join(root, 'e2e'),
    })
    assert.ok(typeof suite.ready.childPid === 'number')
    expectResult(await run(root), {status: 'pass'})
  })

  it('names a server started from inside this checkout that no suite started and no record names: a squatter', async () => {
    const {root, block} = await freeCheckout()
    const cwd = join(root, 'apps', 'cloud')
    const squatter = await startFixture('squatter.ts', ['--port', String(block)], {cwd})
    expectResult(await run(root), {
      status: 'warn',
      symptoms: ['executor/e2e-port-squatted'],
      mentions: [
        `pid ${squatter.pid}`,
        'squatter.ts',
        `working directory ${cwd}`,
        "neither started by this checkout's e2e suite nor recorded in e2e/.dev",
        'E2E_CLOUD_PORT',
      ],
    })
  })

  it("names a leftover server inside this checkout while this checkout's suite holds the lock (the suite walks on past it)", async () => {
    const {root, block} = await freeCheckout()
    await startFixture('e2e-suite.ts', ['--lock-port', String(block + 9), '--serve-port', String(block)], {cwd: join(root, 'e2e')})
    const leftover = await startFixture('squatter.ts', ['--port', String(block + 4)], {cwd: join(root, 'apps', 'cloud')})
    const result = await run(root)
    expectResult(result, {status: 'warn', symptoms: ['executor/e2e-port-squatted'], mentions: [`pid ${leftover.pid}`, 'E2E_SELFHOST_PORT']})
    assert.equal(result.findings.length, 1, "the suite's own server and lock are not findings")
  })

  it('accepts a server that e2e/.dev/<target>.json records (a deliberate long-lived instance)', async () => {
    const {root, block} = await freeCheckout()
    const server = await startFixture('squatter.ts', ['--port', String(block + 4)], {cwd: join(root, 'apps', 'cloud')})
    writeRecord(root, {runnerPid: server.pid})
    expectResult(await run(root), {status: 'pass'})
  })

  it('names the holder when the record is stale: its pid is dead, or reused by a process started after the record was written', async () => {
    const {root, block} = await freeCheckout()
    // Started outside the checkout: only the record could make it ours.
    const server = await startFixture('squatter.ts', ['--port', String(block + 4)], {cwd: tmp.make()})
    writeRecord(root, {runnerPid: await deadPid(), childPids: [await deadPid()]})
    expectResult(await run(root), {status: 'warn', symptoms: ['executor/e2e-port-squatted'], mentions: [`pid ${server.pid}`]})
    // The same pid, recorded an hour before this process started: another program now has that pid.
    const path = writeRecord(root, {runnerPid: server.pid, childPids: [server.pid]})
    const anHourAgo = new Date(Date.now() - 3600_000)
    utimesSync(path, anHourAgo, anHourAgo)
    expectResult(await run(root), {status: 'warn', symptoms: ['executor/e2e-port-squatted'], mentions: [`pid ${server.pid}`]})
    assert.doesNotMatch(JSON.stringify(await run(root)), /recorded in/)
  })

  it("says when another checkout's suite holds this block's lock", async () => {
    const {root, block} = await freeCheckout()
    const other = makeCheckout(join(tmp.make(), 'colliding'), {git: false})
    const lock = await startFixture('squatter.ts', ['--port', String(block + 9)], {cwd: join(other, 'e2e')})
    expectResult(await run(root), {
      status: 'warn',
      symptoms: ['executor/e2e-block-locked'],
      mentions: [block + 9, `pid ${lock.pid}`, other, '"held": true'],
    })
  })

  it('probes pinned ports the suite never probes, and flags a pin that is not a port', async () => {
    const {root} = await freeCheckout()
    const squatter = await startFixture('squatter.ts', ['--port', '0'], {cwd: tmp.make()})
    const port = squatter.ready.port as number
    const result = await run(root, {E2E_SELFHOST_PORT: String(port), E2E_CLOUD_PORT: 'abc'})
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/e2e-pinned-port-busy', 'executor/e2e-pin-invalid'],
      mentions: [`E2E_SELFHOST_PORT=${port}`, `pid ${squatter.pid}`, 'E2E_CLOUD_PORT=abc', 'silently uses'],
    })
  })

  it('works for a checkout path with spaces (the hash covers the exact path)', async () => {
    const {root, block} = await freeCheckout('my executor checkout')
    assert.equal(block, portBlock(root))
    assert.ok(root.includes(' '))
    const squatter = await startFixture('squatter.ts', ['--port', String(block + 2)], {cwd: tmp.make()})
    expectResult(await run(root), {
      status: 'warn',
      symptoms: ['executor/e2e-port-squatted'],
      mentions: [`pid ${squatter.pid}`, 'E2E_WORKOS_EMULATOR_PORT', `"hashedPath": "${root}"`],
    })
  })
})
