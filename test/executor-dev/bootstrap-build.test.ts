import assert from 'node:assert/strict'
import {rmSync, writeFileSync, mkdirSync, chmodSync} from 'node:fs'
import {join} from 'node:path'
import bootstrapBuild from '../../checks/bootstrap-build.js'
import {createContext} from '../../src/context.js'
import {executorTarget} from '../../src/targets/executor/target.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {tmpDirs} from '../helpers/tmp.js'
import {BUN_LOCK, makeCheckout} from './skeleton.js'

describe('executor dev: checkout detection and bootstrap-build', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  const run = (cwd: string, home: string, extra: {checkout?: string} = {}) =>
    runCheck(bootstrapBuild, {cwd, home, env: {}, options: {targetOptions: {executor: extra.checkout ? {checkout: extra.checkout} : {}}}})

  it('detects a checkout from a subdirectory and reports it in the target reasons', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    const ctx = createContext({cwd: join(root, 'apps', 'cli'), home: tmp.make(), env: {}})
    try {
      const target = await executorTarget.detect(ctx)
      assert.ok(target.detected)
      assert.ok(
        target.reasons.some((r) => r.includes(`Executor monorepo checkout at ${root}`)),
        target.reasons.join('; '),
      )
    } finally {
      await ctx.close()
    }
  })

  it('passes in a bootstrapped checkout', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    expectResult(await run(root, tmp.make()), {status: 'pass'})
  })

  it('skips with the reason when no checkout is found, and when --executor-checkout is not one', async () => {
    const elsewhere = tmp.make()
    expectResult(await run(elsewhere, tmp.make()), {status: 'skip', mentions: ['no Executor monorepo checkout', elsewhere]})
    const notCheckout = tmp.make()
    mkdirSync(join(notCheckout, 'apps', 'cli'), {recursive: true})
    writeFileSync(join(notCheckout, 'apps', 'cli', 'package.json'), JSON.stringify({name: 'not-executor'}))
    expectResult(await run(elsewhere, tmp.make(), {checkout: notCheckout}), {
      status: 'skip',
      mentions: ['--executor-checkout', 'not-executor'],
    })
  })

  it('finds the checkout named by --executor-checkout from anywhere', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'), {bootstrapped: false})
    expectResult(await run(tmp.make(), tmp.make(), {checkout: root}), {
      status: 'fail',
      symptoms: ['executor/bootstrap-missing', 'executor/git-hooks-unset'],
    })
  })

  it('names every missing piece of a fresh worktree, quotes the Vite error and gives bun run bootstrap', async () => {
    const root = makeCheckout(join(tmp.make(), 'fresh worktree'), {bootstrapped: false, appsPlugin: true})
    const result = await run(root, tmp.make())
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/bootstrap-missing', 'executor/git-hooks-unset'],
      mentions: [
        'packages/core/vite-plugin/dist/index.js',
        'packages/react/dist/console-routes.js',
        'packages/plugins/apps/dist/vite.js',
        'node_modules (bun install never ran)',
        "Failed to resolve entry for package '@executor-js/vite-plugin'",
        'bun run bootstrap',
        'core.hooksPath is unset',
      ],
    })
    const missing = result.findings.find((f) => f.symptom === 'executor/bootstrap-missing')!
    assert.deepEqual(missing.fix.commands, [`cd ${root}`, 'bun run bootstrap'])
  })

  it('names only what is missing: vitest gone after a failed install', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    rmSync(join(root, 'node_modules', '.bin', 'vitest'))
    const result = await run(root, tmp.make())
    expectResult(result, {
      status: 'fail',
      symptoms: ['executor/bootstrap-missing'],
      mentions: ['node_modules/.bin/vitest (bun install did not finish)'],
    })
    assert.ok(!JSON.stringify(result).includes('vite-plugin/dist'), 'the built dist is present and must not be reported')
  })

  it("reads core.hooksPath from a linked worktree's common config", async () => {
    const main = makeCheckout(join(tmp.make(), 'executor'))
    const wt = join(tmp.make(), 'wt')
    const {git} = await import('./skeleton.js')
    git(main, ['worktree', 'add', '-q', wt])
    const {bootstrap} = await import('./skeleton.js')
    bootstrap(wt, {git: false})
    expectResult(await run(wt, tmp.make()), {status: 'pass'})
  })

  it('reports a bun.lock with merge conflict markers, a truncated one, and a binary one', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    writeFileSync(
      join(root, 'bun.lock'),
      BUN_LOCK.replace('  "packages": {}', '<<<<<<< HEAD\n  "packages": {}\n=======\n  "packages": {"a": []}\n>>>>>>> theirs'),
    )
    expectResult(await run(root, tmp.make()), {
      status: 'fail',
      symptoms: ['executor/bun-lock-broken'],
      mentions: ['merge conflict marker', 'line 6', 'never hand-merge'],
    })
    writeFileSync(join(root, 'bun.lock'), BUN_LOCK.slice(0, 40))
    expectResult(await run(root, tmp.make()), {status: 'fail', symptoms: ['executor/bun-lock-broken'], mentions: ['truncated']})
    writeFileSync(join(root, 'bun.lock'), Buffer.from([0x7b, 0x00, 0xff, 0x7d]))
    expectResult(await run(root, tmp.make()), {status: 'fail', symptoms: ['executor/bun-lock-broken'], mentions: ['NUL bytes']})
  })

  it('says it cannot decide when bun.lock is unreadable (run as an unprivileged user)', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'))
    chmodSync(join(root, 'bun.lock'), 0o000)
    const {runAsNobody} = await import('./as-nobody.js')
    const out = await runAsNobody('bootstrap-build', {cwd: root, home: tmp.make()}, [root, ...parents(root)])
    assert.equal(out.status, 'error', JSON.stringify(out))
    assert.match(out.reason ?? '', /cannot read .*bun\.lock \(EACCES\)/)
  })
})

function parents(path: string): string[] {
  const out: string[] = []
  let current = path
  while (current !== '/' && current !== '') {
    current = current.slice(0, current.lastIndexOf('/')) || '/'
    out.push(current)
  }
  return out
}
