/**
 * `doctor preflight` end to end in a skeleton Executor monorepo (issue 7, "End-to-end in a
 * skeleton checkout"): the built CLI, run from the checkout's e2e/ directory as a contributor or a
 * CI job does, against a checkout that is bootstrapped, has a current Vite cache, a free e2e port
 * block, Playwright's Chromium and a healthy daemon. Each test then breaks one precondition from
 * executor-troubleshooting ("Missing bootstrap builds", "Stale Vite caches", "E2e and
 * multi-checkout port collisions") for real, reads the report back (JUnit, GitHub, JSON) and puts
 * the checkout back. One skeleton serves every test: building it (git, daemon) costs more than a run.
 */
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {SocketProbe} from '../../src/probes/sockets.js'
import {portBlock} from '../../src/targets/executor/dev/ports.js'
import type {Report} from '../../src/types.js'
import {freeBlockCheckout, releaseBlocks} from '../helpers/e2e-block.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import {executorShim, killAll, startFixture, stop, type Started} from '../helpers/processes.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'
import {crafted, killCrafted} from '../executor-dev/crafted.js'
import {BUN_LOCK, git, makeCheckout, writeViteCache} from '../executor-dev/skeleton.js'
import {childElements, parseXml, textOf, type XmlElement} from './xml.js'

/** The Chromium build the skeleton's playwright-core expects (browsers.json), and its headless shell. */
const CHROMIUM_REVISION = '1187'
const PLAYWRIGHT_VERSION = '1.56.1'
const PREFLIGHT = [
  'bootstrap-build',
  'vite-cache',
  'e2e-ports',
  'leaked-dev-servers',
  'playwright-browser',
  'port-squatter',
  'daemon-health',
  'stale-manifest',
  'stale-lock',
]

/**
 * A contributor's history, two days old: a feature branch rebased onto a newer main. The reflog
 * and ORIG_HEAD then record a rebase, which vite-cache compares its caches with.
 */
function workOnAFeatureBranch(root: string): void {
  git(root, ['checkout', '-qb', 'feature'])
  writeTree(root, {'packages/app/src/feature.ts': 'export const feature = true\n'})
  git(root, ['add', '-A'])
  git(root, ['commit', '-qm', 'feature'])
  git(root, ['checkout', '-q', 'main'])
  writeTree(root, {'apps/cli/src/main.ts': 'export {}\n'})
  git(root, ['add', '-A'])
  git(root, ['commit', '-qm', 'main moves on'])
  git(root, ['checkout', '-q', 'feature'])
  git(root, ['rebase', '-q', 'main'])
}

interface World {
  root: string
  block: number
  home: string
  dataDir: string
  browsers: string
  /** The Vite cache of packages/app, written for the current bun.lock. */
  viteCache: string
  env: NodeJS.ProcessEnv
  daemon: Started
}

/** Vite's lockfileHash as Vite 8 computes it for a bun.lock with a patches/ dir, recomputed here independently of the check. */
function viteLockfileHash(lockText: string, patchesDir: string): string {
  return createHash('sha256')
    .update(lockText + statSync(patchesDir).mtimeMs.toString())
    .digest('hex')
    .slice(0, 8)
}

/** The service port (4789) is checked by every run; other suites on this machine may hold it briefly. */
async function whenServicePortFree(): Promise<void> {
  const deadline = Date.now() + 15_000
  while ((await new SocketProbe().onPort(4789)).length > 0) {
    if (Date.now() > deadline) throw new Error("port 4789 stayed busy for 15 s; another process holds it (see: ss -ltnp 'sport = :4789')")
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

function testcases(xml: string): Map<string, XmlElement> {
  const root = parseXml(xml)
  assert.equal(root.name, 'testsuites')
  const map = new Map<string, XmlElement>()
  for (const suite of childElements(root, 'testsuite')) for (const tc of childElements(suite, 'testcase')) map.set(tc.attrs.name!, tc)
  return map
}

const outcomeOf = (tc: XmlElement | undefined) =>
  tc ? (childElements(tc).find((c) => c.name !== 'system-out')?.name ?? 'pass') : 'missing'
const outcomes = (cases: Map<string, XmlElement>) => Object.fromEntries([...cases].map(([id, tc]) => [id, outcomeOf(tc)]))
/** Every preflight check passing, except the ones named. */
const allPassBut = (changed: Record<string, string> = {}) => Object.fromEntries(PREFLIGHT.map((id) => [id, changed[id] ?? 'pass']))
const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('doctor preflight in a skeleton Executor monorepo (CLI, end to end)', function () {
  this.timeout(60_000)
  const tmp = tmpDirs()
  let world: World
  /** How each test puts the checkout back, run after it (newest first). */
  const undo: Array<() => void | Promise<void>> = []

  async function startDaemon(home: string, dataDir: string): Promise<Started> {
    // Named `executor` by the kernel (a hard link to node), registered in the data dir as the real CLI does.
    // Untracked: it lives for the whole describe, and other files' root-level afterEach(killAll) must not end it.
    return startFixture('executor-daemon.ts', ['daemon', 'run', '--data-dir', dataDir, '--executable', join(home, 'bin', 'executor')], {
      executable: executorShim(home),
      untracked: true,
    })
  }

  before(async () => {
    // A checkout whose e2e block is free right now, kept from the kernel's ephemeral ports until after().
    const {root} = await freeBlockCheckout(() => join(realpathSync(tmp.make('doctorkit-monorepo-')), 'executor'))
    makeCheckout(root)
    workOnAFeatureBranch(root)
    const home = tmp.make('doctorkit-home-')
    const dataDir = join(home, 'executor-data')
    const browsers = join(home, 'ms-playwright')
    mkdirSync(dataDir)
    writeTree(root, {
      // bootstrap's `bun install` put playwright-core in; its browsers.json names the builds it drives.
      'node_modules/playwright-core/package.json': JSON.stringify({name: 'playwright-core', version: PLAYWRIGHT_VERSION}),
      'node_modules/playwright-core/browsers.json': JSON.stringify(
        {
          comment: 'Do not edit this file, use utils/roll_browser.js',
          browsers: [
            {name: 'chromium', revision: CHROMIUM_REVISION, installByDefault: true, browserVersion: '141.0.7390.37'},
            {name: 'chromium-headless-shell', revision: CHROMIUM_REVISION, installByDefault: true, browserVersion: '141.0.7390.37'},
            {name: 'firefox', revision: '1495', installByDefault: true},
          ],
        },
        null,
        2,
      ),
      // An optimized dependency whose source exists in this checkout.
      'packages/app/node_modules/react/index.js': 'module.exports = {}\n',
    })
    // `bunx playwright install chromium`, complete (Playwright writes the marker last).
    writeTree(browsers, {
      [`chromium-${CHROMIUM_REVISION}/INSTALLATION_COMPLETE`]: '',
      [`chromium-${CHROMIUM_REVISION}/chrome-linux/chrome`]: '#!/bin/sh\n',
      [`chromium_headless_shell-${CHROMIUM_REVISION}/INSTALLATION_COMPLETE`]: '',
    })
    const viteCache = join(root, 'packages', 'app', 'node_modules', '.vite')
    world = {
      root,
      block: portBlock(root),
      home,
      dataDir,
      browsers,
      viteCache,
      env: {
        HOME: home,
        EXECUTOR_DATA_DIR: dataDir,
        PLAYWRIGHT_BROWSERS_PATH: browsers,
        XDG_CACHE_HOME: '',
        XDG_CONFIG_HOME: '',
        GITHUB_ACTIONS: '',
        GITHUB_STEP_SUMMARY: '',
        GITHUB_WORKSPACE: '',
      },
      daemon: await startDaemon(home, dataDir),
    }
    writeFreshViteCache()
  })

  afterEach(async () => {
    for (const step of undo.splice(0).reverse()) await step()
    await killCrafted()
  })

  after(async () => {
    if (world) await stop(world.daemon.child)
    await killAll()
    releaseBlocks()
    tmp.cleanup()
  })

  /** The cache a dev server wrote after the last install: lockfileHash of today's bun.lock and patches/. */
  function writeFreshViteCache(): void {
    writeViteCache(world.viteCache, {
      lockfileHash: viteLockfileHash(readFileSync(join(world.root, 'bun.lock'), 'utf8'), join(world.root, 'patches')),
      optimized: {react: {src: '../../react/index.js', file: 'react.js'}},
    })
  }

  /** Runs `doctor preflight` from the checkout's e2e/ directory, pointed at the healthy daemon. */
  async function preflight(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    await whenServicePortFree()
    return runCli(['preflight', ...args, '--executor-port', String(world.daemon.ready.port)], {
      cwd: join(world.root, 'e2e'),
      env: {...world.env, ...env},
    })
  }

  async function junit(args: string[] = []) {
    const result = await preflight(['--format', 'junit', ...args])
    return {...result, cases: testcases(result.stdout)}
  }

  /** The `<failure>` of a testcase, with the message, symptom, fix and evidence every failing testcase must carry. */
  function failureOf(cases: Map<string, XmlElement>, id: string, symptom: string): {message: string; body: string} {
    const failure = childElements(cases.get(id)!, 'failure')[0]
    assert.ok(failure, `${id} has no <failure>`)
    assert.equal(failure.attrs.type, symptom)
    const body = textOf(failure)
    assert.ok(body.includes(`symptom: ${symptom}`), body)
    assert.match(body, /\n {2}evidence: /)
    assert.match(body, /\n {2}fix: /)
    assert.match(body, /\n {2}docs: /)
    return {message: failure.attrs.message!, body}
  }

  it('passes the clean checkout: exit 0 and every check passing, in JUnit, JSON and GitHub form', async () => {
    // Someone's running session in this very checkout is neither a leak nor a squatter.
    await crafted(`node ${world.root}/node_modules/.bin/vite dev --port 5173`, join(world.root, 'packages', 'app'))

    const r = await junit()
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(outcomes(r.cases), allPassBut(), r.stdout)
    const suites = childElements(parseXml(r.stdout), 'testsuite')
    assert.deepEqual(
      suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.errors, s.attrs.skipped]),
      [['executor', '9', '0', '0', '0']],
    )

    // --strict too: nothing even warns (unset hooks, a cache older than the checkout's history).
    const strict = await junit(['--strict'])
    assert.equal(strict.code, 0, strict.stdout)
    for (const [id, tc] of strict.cases) assert.equal(childElements(tc, 'system-out').length, 0, `${id} printed: ${strict.stdout}`)

    const json = await preflight(['--json'])
    assert.equal(json.code, 0, json.stderr)
    const report = JSON.parse(json.stdout) as Report
    assertValidReport(report)
    assert.deepEqual(
      report.checks.map((c) => [c.id, c.status]),
      PREFLIGHT.map((id) => [id, 'pass']),
    )
    assert.deepEqual(report.summary, {...report.summary, pass: 9, warn: 0, fail: 0, error: 0, skip: 0})

    const summary = join(world.home, 'clean-summary.md')
    const github = await preflight([], {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: world.root})
    assert.equal(github.code, 0, github.stdout + github.stderr)
    assert.doesNotMatch(github.stdout, /^::(error|warning)/m)
    assert.match(readFileSync(summary, 'utf8'), /^### ✅ doctor preflight: 9 passed \(/)
  })

  it('fails bootstrap-build when the bootstrap build is missing (no vite-plugin dist)', async () => {
    const dist = join(world.root, 'packages', 'core', 'vite-plugin', 'dist')
    const away = join(world.home, 'vite-plugin-dist')
    renameSync(dist, away)
    undo.push(() => renameSync(away, dist))
    const r = await junit()
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.deepEqual(outcomes(r.cases), allPassBut({'bootstrap-build': 'failure'}), r.stdout)
    const {message, body} = failureOf(r.cases, 'bootstrap-build', 'executor/bootstrap-missing')
    assert.equal(
      message,
      `The checkout at ${world.root} is missing what \`bun run bootstrap\` builds: packages/core/vite-plugin/dist/index.js (every Vite config imports @executor-js/vite-plugin). Vite dev servers fail with "Failed to resolve entry for package '@executor-js/vite-plugin'".`,
    )
    assert.ok(body.includes(`    $ cd ${world.root}\n    $ bun run bootstrap`), body)
  })

  it('under GitHub Actions, annotates the missing bootstrap build as an error and writes the step summary', async () => {
    const dist = join(world.root, 'packages', 'core', 'vite-plugin', 'dist')
    const away = join(world.home, 'vite-plugin-dist')
    renameSync(dist, away)
    undo.push(() => renameSync(away, dist))
    const summary = join(world.home, 'step-summary.md')
    writeFileSync(summary, '## Build\n\nok\n\n')
    undo.push(() => rmSync(summary, {force: true}))
    const r = await preflight([], {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: world.root})
    assert.equal(r.code, 1, r.stdout + r.stderr)
    const commands = r.stdout.split('\n').filter((l) => l.startsWith('::'))
    assert.equal(commands.length, 1, r.stdout)
    // Title properties escape ":" (%3A); the message escapes line breaks (%0A) so it stays one command.
    const prefix = '::error title=bootstrap-build [executor]%3A Check the checkout is bootstrapped::'
    assert.ok(commands[0]!.startsWith(prefix), commands[0])
    const message = commands[0]!.slice(prefix.length).split('%0A')
    assert.equal(
      message[0],
      `The checkout at ${world.root} is missing what \`bun run bootstrap\` builds: packages/core/vite-plugin/dist/index.js (every Vite config imports @executor-js/vite-plugin). Vite dev servers fail with "Failed to resolve entry for package '@executor-js/vite-plugin'".`,
    )
    assert.ok(
      message.some((line) => line.startsWith('Fix: Run bootstrap from the repository root (it is idempotent)')),
      commands[0],
    )
    assert.ok(message.includes('  $ bun run bootstrap'), commands[0])

    const md = readFileSync(summary, 'utf8')
    assert.ok(md.startsWith('## Build\n\nok\n\n### ❌ doctor preflight: 8 passed, 1 failed ('), md)
    const rows = md.split('\n').filter((l) => /^\| (✅|❌|⚠️|⏭️|❓) /.test(l))
    assert.deepEqual(
      rows.map((row) => row.split(' | ').slice(0, 2)),
      PREFLIGHT.map((id) => [id === 'bootstrap-build' ? '| ❌ fail' : '| ✅ pass', `\`${id}\``]),
    )
    assert.match(
      md,
      /\| ❌ fail \| `bootstrap-build` \| executor \| The checkout at .* is missing what `bun run bootstrap` builds: packages\/core\/vite-plugin\/dist\/index\.js/,
    )
    assert.ok(md.includes('#### How to fix'), md)
    assert.ok(md.includes(`\`\`\`sh\ncd ${world.root}\nbun run bootstrap\n\`\`\``), md)
  })

  it('warns on a Vite cache built for another bun.lock, and fails the gate under --strict (vite-cache)', async () => {
    const otherLock = BUN_LOCK.replace('"packages": {}', '"packages": {"react": ["react@18.3.1", "", {}, "sha512-x"]}')
    const stale = viteLockfileHash(otherLock, join(world.root, 'patches'))
    const current = viteLockfileHash(BUN_LOCK, join(world.root, 'patches'))
    const metadata = writeViteCache(world.viteCache, {
      lockfileHash: stale,
      optimized: {react: {src: '../../react/index.js', file: 'react.js'}},
    })
    undo.push(writeFreshViteCache)

    const lenient = await junit()
    assert.equal(lenient.code, 0, 'a stale cache is a warning: Vite re-optimizes it at the next start')
    assert.deepEqual(outcomes(lenient.cases), allPassBut(), lenient.stdout)
    assert.match(textOf(childElements(lenient.cases.get('vite-cache')!, 'system-out')[0]!), /^warning:\n⚠ The Vite cache /)

    const r = await junit(['--strict'])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.deepEqual(outcomes(r.cases), allPassBut({'vite-cache': 'failure'}), r.stdout)
    const {message, body} = failureOf(r.cases, 'vite-cache', 'executor/vite-cache-lockfile-changed')
    assert.equal(
      message,
      `The Vite cache ${metadata} records lockfileHash ${stale}, but ${join(world.root, 'bun.lock')} now hashes to ${current} (as Vite computes it): a running dev server still serves the old dependencies and the next start re-optimizes.`,
    )
    assert.ok(body.includes(`    $ rm -rf ${world.viteCache}\n`), body)
  })

  it("reports a squatter on this checkout's e2e port block, naming it and how to stop it (e2e-ports)", async () => {
    const elsewhere = tmp.make('doctorkit-elsewhere-')
    const port = world.block // offset 0: E2E_CLOUD_PORT, the cloud vite dev server
    const squatter = await startFixture('squatter.ts', ['--port', String(port)], {cwd: elsewhere})
    undo.push(() => stop(squatter.child))

    const r = await junit(['--strict'])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.deepEqual(outcomes(r.cases), allPassBut({'e2e-ports': 'failure'}), r.stdout)
    const {message, body} = failureOf(r.cases, 'e2e-ports', 'executor/e2e-port-squatted')
    assert.match(
      message,
      new RegExp(
        `^Port ${port} \\(E2E_CLOUD_PORT\\) of this checkout's e2e block ${world.block}–${world.block + 9} is held by pid ${squatter.pid} \\(${escapeRe(process.execPath)} --import .+\\) running from .+\\.$`,
      ),
    )
    // The evidence keeps what the message shortens: the whole command line and the working directory.
    assert.ok(body.includes(`"command":"${process.execPath} --import `) && body.includes(`squatter.ts --port ${port}"`), body)
    assert.ok(body.includes(`"cwd":"${elsewhere}"`), body)
    assert.ok(body.includes(`    $ kill -TERM ${squatter.pid}\n    $ bun run reap\n    $ cd ${world.root}/e2e && bun run ports`), body)

    const lenient = await junit()
    assert.equal(lenient.code, 0, 'the suite walks past a squatted block: a warning unless --strict')
    assert.equal(outcomeOf(lenient.cases.get('e2e-ports')), 'pass')
    assert.match(textOf(childElements(lenient.cases.get('e2e-ports')!, 'system-out')[0]!), new RegExp(`Port ${port} \\(E2E_CLOUD_PORT\\)`))
  })

  it('reports a dev server leaked from a deleted checkout (leaked-dev-servers)', async () => {
    const removed = makeCheckout(join(tmp.make('doctorkit-removed-'), 'old worktree'), {git: false})
    const pid = await crafted(`node ${removed}/node_modules/.bin/vite dev --port 5174`, tmp.make('doctorkit-cwd-'))
    rmSync(removed, {recursive: true})

    const r = await junit(['--strict'])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.deepEqual(outcomes(r.cases), allPassBut({'leaked-dev-servers': 'failure'}), r.stdout)
    const {message, body} = failureOf(r.cases, 'leaked-dev-servers', 'executor/orphan-dev-server')
    // `exec -a` keeps sleep's own argument: the kernel reports "<argv0> 300".
    assert.match(
      message,
      new RegExp(
        `^Dev server pid ${pid} \\(node ${escapeRe(removed)}/node_modules/\\.bin/vite dev --port 5174 300\\) runs from ${escapeRe(removed)}, which no longer exists \\(told by its command line\\); it has been running for \\d+ s\\.$`,
      ),
    )
    assert.ok(body.includes(`    $ kill -TERM -- -${pid}\n    $ bun run reap --dry-run`), body)

    const lenient = await junit()
    assert.equal(lenient.code, 0, 'a leaked server is a warning unless --strict')
    assert.match(textOf(childElements(lenient.cases.get('leaked-dev-servers')!, 'system-out')[0]!), new RegExp(`Dev server pid ${pid} `))
  })

  it("fails playwright-browser when the Chromium the checkout's Playwright expects is missing", async () => {
    const chromium = join(world.browsers, `chromium-${CHROMIUM_REVISION}`)
    const away = join(world.home, 'chromium-away')
    renameSync(chromium, away)
    undo.push(() => renameSync(away, chromium))
    writeTree(world.browsers, {'chromium-1140/INSTALLATION_COMPLETE': ''}) // an older Playwright's build
    undo.push(() => rmSync(join(world.browsers, 'chromium-1140'), {recursive: true}))

    const r = await junit()
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.deepEqual(outcomes(r.cases), allPassBut({'playwright-browser': 'failure'}), r.stdout)
    const {message, body} = failureOf(r.cases, 'playwright-browser', 'executor/playwright-chromium-missing')
    assert.equal(
      message,
      `chromium ${CHROMIUM_REVISION} (for Playwright ${PLAYWRIGHT_VERSION}) is not installed in ${world.browsers} (PLAYWRIGHT_BROWSERS_PATH): there is no chromium-${CHROMIUM_REVISION} folder (only chromium-1140, for another Playwright version).`,
    )
    assert.ok(body.includes(`    $ cd ${world.root}\n    $ bunx playwright install chromium`), body)
  })

  it('fails stale-manifest when the daemon died and left its manifest behind', async () => {
    const dead = world.daemon
    await stop(dead.child) // SIGKILL: no chance to remove server.json, as after a crash or an OOM kill
    undo.push(async () => {
      // What `executor daemon status` cleans up, then a fresh start.
      rmSync(join(world.dataDir, `daemon-localhost-${dead.ready.port}.json`), {force: true})
      world.daemon = await startDaemon(world.home, world.dataDir)
    })
    const manifest = join(world.dataDir, 'server-control', 'server.json')
    assert.equal((JSON.parse(readFileSync(manifest, 'utf8')) as {pid: number}).pid, dead.pid)

    const r = await junit()
    assert.equal(r.code, 1, r.stdout + r.stderr)
    // daemon-health has nothing to probe (stale-manifest reports the leftover): skipped, not failed.
    assert.deepEqual(outcomes(r.cases), allPassBut({'stale-manifest': 'failure', 'daemon-health': 'skipped'}), r.stdout)
    const {message, body} = failureOf(r.cases, 'stale-manifest', 'executor/stale-manifest')
    assert.equal(
      message,
      `${manifest} names pid ${dead.pid}, which is not running: the daemon that wrote it died without cleaning up (SIGKILL, crash or reboot). (and 1 more)`,
    )
    assert.ok(body.includes(`    $ rm ${manifest}\n`), body)
    // The daemon record it wrote beside the manifest is left over too: one testcase, every finding.
    assert.ok(
      body.includes(
        `⚠ ${join(world.dataDir, `daemon-localhost-${dead.ready.port}.json`)} records pid ${dead.pid}, which is not running.\n  symptom: executor/stale-record`,
      ),
      body,
    )
  })

  it('passes again once every broken state is put back (the fixes hold)', async () => {
    const r = await junit(['--strict'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(outcomes(r.cases), allPassBut(), r.stdout)
  })
})
