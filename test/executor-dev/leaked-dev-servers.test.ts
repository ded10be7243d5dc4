import assert from 'node:assert/strict'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import leakedDevServers from '../../checks/leaked-dev-servers.js'
import {absolutePathsIn, rootCandidates} from '../../src/targets/executor/dev/processes.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {deadPid} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {runAsNobody} from './as-nobody.js'
import {crafted, killCrafted} from './crafted.js'
import {makeCheckout} from './skeleton.js'

describe('executor dev: leaked-dev-servers', () => {
  const tmp = tmpDirs()
  afterEach(async () => {
    await killCrafted()
    tmp.cleanup()
  })

  const run = (root: string) => runCheck(leakedDevServers, {cwd: root, home: tmp.make(), env: {}})
  const mine = (result: Awaited<ReturnType<typeof run>>, pid: number) => result.findings.filter((f) => f.evidence.pid === pid)

  it('reads argv elements whole and every segment boundary (the reaper stops at spaces and at the first "apps")', () => {
    assert.deepEqual(absolutePathsIn('node /tmp/my checkout/node_modules/.bin/vite dev'), ['/tmp/my checkout/node_modules/.bin/vite dev'])
    assert.deepEqual(rootCandidates('/home/apps/wt/apps/cloud/node_modules/.bin/vite'), [
      '/home',
      '/home/apps/wt',
      '/home/apps/wt/apps/cloud',
    ])
  })

  it("does not flag a dev server of a live checkout (someone's running session)", async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
    const pid = await crafted(`node ${root}/node_modules/.bin/vite dev --port 5173`, join(root, 'packages', 'app'))
    const result = await run(root)
    assert.deepEqual(mine(result, pid), [], JSON.stringify(result))
  })

  it('finds an orphan from its command line, with pid, command, checkout and age', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
    const removed = makeCheckout(join(tmp.make(), 'removed worktree'), {git: false})
    const pid = await crafted(`node ${removed}/node_modules/.bin/vite dev`, tmp.make())
    rmSync(removed, {recursive: true})
    const result = await run(root)
    const found = mine(result, pid)
    assert.equal(found.length, 1, JSON.stringify(result))
    assert.equal(found[0]!.symptom, 'executor/orphan-dev-server')
    assert.equal(found[0]!.evidence.checkout, removed, 'the path with a space survives whole')
    assert.equal(found[0]!.evidence.checkoutFoundVia, 'command line')
    assert.ok(typeof found[0]!.evidence.ageS === 'number')
    assert.ok(found[0]!.fix.commands.includes(`kill -TERM -- -${pid}`))
  })

  it('finds an orphan from its deleted working directory when the command line names no path', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
    const removed = makeCheckout(join(tmp.make(), 'gone'), {git: false})
    const pid = await crafted('bun run scripts/dev-db.ts', join(removed, 'apps', 'cloud'))
    rmSync(removed, {recursive: true})
    const result = await run(root)
    const found = mine(result, pid)
    assert.equal(found.length, 1, JSON.stringify(result))
    assert.equal(found[0]!.evidence.checkout, removed)
    assert.equal(found[0]!.evidence.checkoutFoundVia, 'working directory')
    assert.match(String(found[0]!.evidence.cwd), /\(deleted\)$/)
  })

  it('leaves alone instances recorded in e2e/.dev/<target>.json, and flags them once their runner is dead', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
    const removed = makeCheckout(join(tmp.make(), 'old'), {git: false})
    const child = await crafted(`node ${removed}/node_modules/.bin/vite dev`, tmp.make())
    rmSync(removed, {recursive: true})
    const runner = await crafted('bun scripts/cli.ts __run selfhost', join(root, 'e2e'))
    mkdirSync(join(root, 'e2e', '.dev'), {recursive: true})
    const state = (runnerPid: number) =>
      JSON.stringify(
        {target: 'selfhost', status: 'ready', runnerPid, childPids: [child], logFile: 'x', startedAt: new Date().toISOString()},
        null,
        1,
      )
    writeFileSync(join(root, 'e2e', '.dev', 'selfhost.json'), state(runner))
    writeFileSync(join(root, 'e2e', '.dev', 'debris.json'), '{"not": "an instance"')
    assert.deepEqual(mine(await run(root), child), [])
    writeFileSync(join(root, 'e2e', '.dev', 'selfhost.json'), state(await deadPid()))
    const result = await run(root)
    const found = mine(result, child)
    assert.equal(found.length, 1, JSON.stringify(result))
    assert.equal(found[0]!.symptom, 'executor/dev-instance-stale')
    assert.ok(found[0]!.fix.commands[0]!.includes('bun run cli down selfhost'))
  })

  it('skips with a clear reason outside a checkout', async () => {
    expectResult(await runCheck(leakedDevServers, {cwd: tmp.make(), home: tmp.make(), env: {}}), {
      status: 'skip',
      mentions: ['no Executor monorepo checkout'],
    })
  })

  it('says it cannot decide when /proc/<pid>/cwd is unreadable and the command line names no path', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
    const pid = await crafted('bunx --bun vite dev', tmp.make())
    const result = await runAsNobody('leaked-dev-servers', {cwd: root, home: tmp.make()}, parents(root))
    assert.equal(result.status, 'error', JSON.stringify(result))
    assert.ok(result.reason?.includes(`pid ${pid}`) && result.reason.includes('cwd is not readable'), result.reason)
  })
})

function parents(path: string): string[] {
  const out = [path]
  let current = path
  while (current !== '/') {
    current = current.slice(0, current.lastIndexOf('/')) || '/'
    out.push(current)
  }
  return out
}
