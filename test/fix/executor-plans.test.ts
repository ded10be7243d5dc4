/**
 * The plans of Executor's secret and dev-checkout findings, end to end through the built CLI:
 * a real broken state, `doctor --fix` (or `--fix --yes` for confirm steps), the check passing on
 * re-check, and `doctor undo` putting back every byte and mode where the step is reversible.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'
import type {FixStep, StepResult} from '../../src/fix/types.js'
import type {Report} from '../../src/types.js'
import {freeBlockCheckout, releaseBlocks} from '../helpers/e2e-block.js'
import {runCli, jsonReport} from '../helpers/cli.js'
import {deadPid, killAll, REPO, startFixture, TSX} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {makeCheckout, writeViteCache} from '../executor-dev/skeleton.js'
import {contentTree, hashTree, isAlive, killRecorders, startRecorder} from './helpers.js'
import type {ScenarioSpec} from './fixtures/pidns-scenario.js'

const tmp = tmpDirs()
// Hooks scoped to this file: a root-level afterEach would run after every test of the whole run.
describe('fix/executor-plans', () => {
  afterEach(async () => {
    await killRecorders()
    await killAll()
    tmp.cleanup()
  })

  const json = jsonReport

  const byCheck = (report: Report, id: string) => report.checks.find((c) => c.id === id && c.target === 'executor')!
  const kinds = (steps: StepResult[]) => steps.map((s) => [s.step.kind, s.step.risk, s.status])

  /** A HOME with its own state dir, kept outside what the tests hash. PATH holds no executor and no bun. */
  function machine(extraEnv: Record<string, string> = {}) {
    const home = tmp.make()
    const stateDir = join(tmp.make(), 'state')
    const env = {
      HOME: home,
      DOCTORKIT_STATE_DIR: stateDir,
      XDG_STATE_HOME: '',
      XDG_DATA_HOME: '',
      EXECUTOR_DATA_DIR: '',
      PATH: '/usr/bin:/bin',
      ...extraEnv,
    }
    const doctor = (args: string[], cwd?: string) =>
      runCli(['--target', 'executor', ...args], {env, ...(cwd ? {cwd} : {}), timeoutMs: 40_000})
    const undo = (args: string[] = []) => runCli(['undo', ...args], {env})
    return {home, dataDir: join(home, '.executor'), stateDir, env, doctor, undo}
  }

  describe('fix plans: Executor secrets', () => {
    it('secret-permissions: chmod 0600 on a readable bearer, the check passes, undo puts 0644 back', async () => {
      const m = machine()
      const bearer = join(m.dataDir, 'server-control', 'auth.json')
      mkdirSync(join(m.dataDir, 'server-control'), {recursive: true})
      writeFileSync(bearer, JSON.stringify({version: 1, token: 'a'.repeat(43), createdAt: new Date().toISOString()}) + '\n', {mode: 0o644})
      chmodSync(bearer, 0o644)
      const before = contentTree(m.home)

      const dry = json(await m.doctor(['--only', 'secret-permissions', '--dry-run', '--json']))
      assert.deepEqual(kinds(dry.fix!.steps), [['chmod', 'safe', 'planned']])
      assert.deepEqual(contentTree(m.home), before, '--dry-run changed something')

      const report = json(await m.doctor(['--only', 'secret-permissions', '--fix', '--json']))
      assert.equal(byCheck(report, 'secret-permissions').status, 'fail')
      assert.deepEqual(kinds(report.fix!.steps), [['chmod', 'safe', 'applied']], JSON.stringify(report.fix))
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['secret-permissions', 'fixed']],
      )
      assert.equal(lstatSync(bearer).mode & 0o777, 0o600)

      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.deepEqual(contentTree(m.home), before)
    })

    it('symlinked-secret: nothing without --yes (whole tree unchanged); with --yes a private 0600 copy; undo restores the link', async () => {
      const m = machine()
      const shared = join(m.home, 'dotfiles', 'executor-auth.json')
      mkdirSync(join(m.home, 'dotfiles'))
      writeFileSync(shared, '{"version":1,"token":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}\n', {mode: 0o640})
      chmodSync(shared, 0o640)
      const link = join(m.dataDir, 'server-control', 'auth.json')
      mkdirSync(join(m.dataDir, 'server-control'), {recursive: true})
      symlinkSync(shared, link)
      const before = hashTree(m.home)
      const content = contentTree(m.home)

      const refused = json(await m.doctor(['--only', 'symlinked-secret', '--fix', '--json']))
      assert.deepEqual(kinds(refused.fix!.steps), [['replace-symlink', 'confirm', 'not-approved']], JSON.stringify(refused.fix))
      assert.deepEqual(hashTree(m.home), before, 'a confirm step ran without --yes')

      const report = json(await m.doctor(['--only', 'symlinked-secret', '--fix', '--yes', '--json']))
      assert.deepEqual(kinds(report.fix!.steps), [['replace-symlink', 'confirm', 'applied']], JSON.stringify(report.fix))
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['symlinked-secret', 'fixed']],
      )
      const now = lstatSync(link)
      assert.ok(now.isFile())
      assert.equal(now.mode & 0o777, 0o600)
      assert.equal(readFileSync(link, 'utf8'), readFileSync(shared, 'utf8'))
      assert.equal(lstatSync(shared).mode & 0o777, 0o640, "the link's target is left alone")

      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.equal(readlinkSync(link), shared)
      assert.deepEqual(contentTree(m.home), content)
    })

    it('symlinked-secret: a secret owned by another user is only explained (a root doctor must not own the copy)', async () => {
      const m = machine()
      const shared = join(m.home, 'shared-auth.json')
      writeFileSync(shared, '{"version":1,"token":"cccccccccccccccccccccccccccccccccccccccccccc"}\n', {mode: 0o600})
      chownSync(shared, 65534, 65534)
      mkdirSync(join(m.dataDir, 'server-control'), {recursive: true})
      symlinkSync(shared, join(m.dataDir, 'server-control', 'auth.json'))
      const before = hashTree(m.home)
      const report = json(await m.doctor(['--only', 'symlinked-secret', '--fix', '--yes', '--json']))
      assert.deepEqual(kinds(report.fix!.steps), [['manual', 'manual', 'manual']], JSON.stringify(report.fix))
      assert.match(report.fix!.steps[0]!.step.why, /uid 0/)
      assert.deepEqual(hashTree(m.home), before)
    })
  })

  describe('fix plans: Executor configuration decisions', () => {
    it('auth-env: a bearer token in the environment gets the documented commands as a manual step; --fix --yes changes nothing', async () => {
      const m = machine({EXECUTOR_AUTH_TOKEN: 'tok'})
      mkdirSync(join(m.dataDir, 'server-control'), {recursive: true})
      // A 1.5.35 manifest (its pid dead) pins the generation: without it, a 1.5.9 daemon some other
      // suite runs on 4788 would make the target "legacy", where the variable means nothing.
      const origin = 'http://localhost:1'
      const manifest = {
        version: 1,
        kind: 'cli-daemon',
        pid: await deadPid(),
        startedAt: new Date().toISOString(),
        dataDir: m.dataDir,
        scopeDir: null,
        connection: {kind: 'http', key: `http:${origin}`, origin, apiBaseUrl: `${origin}/api`, displayName: 'CLI daemon'},
        owner: {client: 'cli', version: '1.5.35', executablePath: null},
      }
      writeFileSync(join(m.dataDir, 'server-control', 'server.json'), JSON.stringify(manifest, null, 2) + '\n', {mode: 0o600})
      const before = hashTree(m.home)
      const report = json(await m.doctor(['--only', 'auth-env', '--fix', '--yes', '--json']))
      const finding = byCheck(report, 'auth-env').findings[0]!
      assert.equal(finding.symptom, 'executor/env-token-set')
      assert.deepEqual(kinds(report.fix!.steps), [['manual', 'manual', 'manual']], JSON.stringify(report.fix))
      assert.deepEqual((report.fix!.steps[0]!.step as Extract<FixStep, {kind: 'manual'}>).instructions, finding.fix.commands)
      assert.deepEqual(hashTree(m.home), before)
    })
  })

  describe('fix plans: Executor dev checkout', () => {
    const checkout = (options: Parameters<typeof makeCheckout>[1] = {git: false}) => makeCheckout(join(tmp.make(), 'executor'), options)

    it('vite-cache: the stale cache and its .tanstack dir are quarantined (safe), the check passes, undo restores them byte for byte', async () => {
      const m = machine()
      const root = checkout()
      writeViteCache(join(root, 'packages/app/node_modules/.vite'), {
        lockfileHash: 'deadbeef',
        optimized: {react: {src: '../../../../node_modules/react/index.js', file: 'react.js'}},
      })
      mkdirSync(join(root, 'packages/app/.tanstack/tmp'), {recursive: true})
      writeFileSync(join(root, 'packages/app/.tanstack/tmp/routes.json'), '{"routes":[]}\n')
      const before = contentTree(root)

      const dry = json(await m.doctor(['--only', 'vite-cache', '--dry-run', '--json'], root))
      assert.deepEqual(kinds(dry.fix!.steps), [
        ['quarantine', 'safe', 'planned'],
        ['quarantine', 'safe', 'planned'],
      ])
      assert.deepEqual(contentTree(root), before)

      const report = json(await m.doctor(['--only', 'vite-cache', '--fix', '--json'], root))
      assert.equal(byCheck(report, 'vite-cache').status, 'warn')
      assert.deepEqual(
        kinds(report.fix!.steps),
        [
          ['quarantine', 'safe', 'applied'],
          ['quarantine', 'safe', 'applied'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['vite-cache', 'fixed']],
      )
      assert.equal(existsSync(join(root, 'packages/app/node_modules/.vite')), false)
      assert.equal(existsSync(join(root, 'packages/app/.tanstack')), false)

      const undone = await m.undo()
      assert.equal(undone.code, 0, undone.stdout + undone.stderr)
      assert.deepEqual(contentTree(root), before)
    })

    it('vite-cache: with a dev server of this checkout running, a stop step comes first, moving needs a confirm, and the server gets no signal', async () => {
      const m = machine()
      const root = checkout()
      writeViteCache(join(root, 'packages/app/node_modules/.vite'), {lockfileHash: 'deadbeef'})
      const server = await startRecorder(join(tmp.make(), 'signals.log'), {cwd: join(root, 'packages/app'), extraArgs: ['vite', 'dev']})
      const before = hashTree(root)

      const refused = json(await m.doctor(['--only', 'vite-cache', '--fix', '--json'], root))
      const finding = byCheck(refused, 'vite-cache').findings[0]!
      assert.ok(JSON.stringify(finding.evidence.liveDevServers).includes(`pid ${server.pid}`), JSON.stringify(finding.evidence))
      assert.deepEqual(
        kinds(refused.fix!.steps),
        [
          ['manual', 'manual', 'manual'],
          ['quarantine', 'confirm', 'not-approved'],
        ],
        JSON.stringify(refused.fix),
      )
      assert.ok(
        (refused.fix!.steps[0]!.step as Extract<FixStep, {kind: 'manual'}>).instructions.some((i) =>
          i.startsWith(`kill -TERM ${server.pid}`),
        ),
      )
      assert.deepEqual(hashTree(root), before)

      const report = json(await m.doctor(['--only', 'vite-cache', '--fix', '--yes', '--json'], root))
      assert.deepEqual(kinds(report.fix!.steps), [
        ['manual', 'manual', 'manual'],
        ['quarantine', 'confirm', 'applied'],
      ])
      assert.ok(isAlive(server.pid))
      assert.deepEqual(server.signals(), [])
    })

    it('bootstrap-build: without bun the step is manual; with bun it runs `bun run bootstrap` in the checkout root only after --yes, and the check passes', async () => {
      const root = checkout({git: true, bootstrapped: false})
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>
      pkg.scripts = {
        bootstrap:
          'mkdir -p packages/core/vite-plugin/dist packages/react/dist node_modules/.bin && echo "export default function executor() {}" > packages/core/vite-plugin/dist/index.js && echo "export const routes = []" > packages/react/dist/console-routes.js && printf "#!/bin/sh\\n" > node_modules/.bin/vitest && git config core.hooksPath .githooks',
      }
      writeFileSync(join(root, 'package.json'), JSON.stringify(pkg, null, 2))

      const without = machine()
      const manual = json(await without.doctor(['--only', 'bootstrap-build', '--dry-run', '--json'], root))
      assert.deepEqual(
        kinds(manual.fix!.steps),
        [
          ['manual', 'manual', 'manual'],
          ['run', 'confirm', 'planned'],
        ],
        JSON.stringify(manual.fix),
      )
      assert.ok((manual.fix!.steps[0]!.step as Extract<FixStep, {kind: 'manual'}>).instructions.includes(`cd ${root} && bun run bootstrap`))

      // bun on PATH: a stand-in that runs the named package.json script of its working directory, and logs where it ran.
      const bin = tmp.make()
      const log = join(tmp.make(), 'bun.log')
      writeFileSync(
        join(bin, 'bun'),
        `#!/bin/sh\nprintf '%s\\n' "$PWD $*" >> ${log}\n[ "$1" = run ] || exit 2\nscript=$(${process.execPath} -e 'const s = (require(process.cwd() + "/package.json").scripts || {})[process.argv[1]]; if (!s) process.exit(3); process.stdout.write(s)' "$2") || exit 3\nexec sh -c "$script"\n`,
        {mode: 0o755},
      )
      const m = machine({PATH: `${bin}:/usr/bin:/bin`})
      const before = hashTree(root)
      const refused = json(await m.doctor(['--only', 'bootstrap-build', '--fix', '--json'], root))
      assert.deepEqual(
        kinds(refused.fix!.steps),
        [
          ['run', 'confirm', 'not-approved'],
          ['run', 'confirm', 'not-approved'],
        ],
        JSON.stringify(refused.fix),
      )
      assert.deepEqual(hashTree(root), before)
      assert.equal(existsSync(log), false, 'bun ran without a confirm')

      const report = json(await m.doctor(['--only', 'bootstrap-build', '--fix', '--yes', '--json'], root))
      assert.equal(byCheck(report, 'bootstrap-build').status, 'fail')
      assert.deepEqual(
        kinds(report.fix!.steps),
        [
          ['run', 'confirm', 'applied'],
          ['run', 'confirm', 'applied'],
        ],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['bootstrap-build', 'fixed']],
      )
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [`${root} run bootstrap`])
    })
  })

  /** Runs `spec` and the doctor in a fresh PID namespace: the machine-wide process scan sees only this scenario. */
  function inPidNamespace(spec: ScenarioSpec): Promise<{
    code: number
    stdout: string
    stderr: string
    processes: Record<string, {pid: number; alive: boolean; signals: string[]; childSignals: string[]}>
  }> {
    const specFile = join(tmp.make(), 'spec.json')
    writeFileSync(specFile, JSON.stringify(spec))
    const child = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', process.execPath, '--import', TSX, join(REPO, 'test/fix/fixtures/pidns-scenario.ts'), specFile],
      {stdio: ['ignore', 'pipe', 'pipe']},
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
      child.once('exit', () => {
        clearTimeout(timer)
        try {
          resolve(JSON.parse(out.trim().split('\n').pop()!))
        } catch {
          reject(new Error(`the scenario failed:\n${out}\n${err}`))
        }
      })
    })
  }

  describe('fix plans: Executor leaked dev servers (in a PID namespace of their own)', () => {
    function scenario(fixArgs: string[]) {
      const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
      const removed = makeCheckout(join(tmp.make(), 'removed worktree'), {git: false})
      const logs = tmp.make()
      const m = machine()
      const spec: ScenarioSpec = {
        processes: [
          // Verified orphans: dev servers of a checkout that no longer exists, recorded nowhere.
          {name: 'orphan', argv0: 'vite dev', cwd: join(removed, 'apps', 'cloud'), log: join(logs, 'orphan.log')},
          {
            name: 'orphanGroup',
            argv0: 'vite dev --port 5199',
            cwd: join(removed, 'packages', 'app'),
            log: join(logs, 'group.log'),
            groupWithChild: true,
          },
          // Never signalled: a live checkout's server, an instance recorded in e2e/.dev, a process that is no dev server.
          {name: 'live', argv0: 'vite dev', cwd: join(root, 'packages', 'app'), log: join(logs, 'live.log')},
          {name: 'recorded', argv0: 'vite dev', cwd: join(removed, 'e2e'), log: join(logs, 'recorded.log')},
          {name: 'foreign', argv0: 'python3 -m http.server', cwd: join(removed, 'apps'), log: join(logs, 'foreign.log')},
        ],
        remove: [removed],
        devStates: [{path: join(root, 'e2e', '.dev', 'selfhost.json'), target: 'selfhost', children: ['recorded']}],
        doctor: {
          bin: join(REPO, 'bin/run.js'),
          args: ['--target', 'executor', '--only', 'leaked-dev-servers', '--json', ...fixArgs],
          env: m.env,
          cwd: root,
        },
      }
      return {root, spec}
    }

    it('--fix without --yes signals nothing; --fix --yes stops only the verified orphans (and the group one leads), never a live, recorded or foreign process', async () => {
      const first = scenario(['--fix'])
      const refused = await inPidNamespace(first.spec)
      const refusedReport = JSON.parse(refused.stdout) as Report
      const terminate = refusedReport.fix!.steps.filter((s) => s.step.kind === 'terminate')
      assert.equal(terminate.length, 2, JSON.stringify(refusedReport.fix))
      assert.ok(terminate.every((s) => s.status === 'not-approved'))
      for (const p of Object.values(refused.processes)) {
        assert.ok(p.alive)
        assert.deepEqual([...p.signals, ...p.childSignals], [])
      }

      const second = scenario(['--fix', '--yes'])
      const run = await inPidNamespace(second.spec)
      const report = JSON.parse(run.stdout) as Report
      const symptoms = byCheck(report, 'leaked-dev-servers')
        .findings.map((f) => f.symptom)
        .sort()
      assert.deepEqual(symptoms, ['executor/dev-instance-stale', 'executor/orphan-dev-server', 'executor/orphan-dev-server'])
      const steps = report.fix!.steps.map((s) => [s.step.kind, s.status, s.origin.symptom])
      assert.deepEqual(
        steps.filter(([kind]) => kind === 'terminate').map(([, status]) => status),
        ['applied', 'applied'],
        JSON.stringify(report.fix),
      )
      assert.deepEqual(
        steps.filter(([kind]) => kind === 'manual'),
        [['manual', 'manual', 'executor/dev-instance-stale']],
      )
      const grouped = report.fix!.steps.find((s) => s.step.kind === 'terminate' && s.step.group)
      assert.ok(grouped, 'the orphan leading its own group is stopped with its group')
      const {processes: p} = run
      assert.deepEqual([p.orphan!.signals, p.orphan!.alive], [['SIGTERM'], false])
      assert.deepEqual([p.orphanGroup!.signals, p.orphanGroup!.childSignals, p.orphanGroup!.alive], [['SIGTERM'], ['SIGTERM'], false])
      for (const name of ['live', 'recorded', 'foreign']) assert.deepEqual([name, p[name]!.alive, p[name]!.signals], [name, true, []])
      // The recorded instance still has no runner: only `bun run cli down` may act on it.
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['leaked-dev-servers', 'still-failing']],
      )
      assert.match(report.fix!.recheck[0]!.reason!, /records the selfhost instance/)
    })
  })

  describe('fix plans: Executor e2e ports', () => {
    const freeCheckout = () => freeBlockCheckout(() => makeCheckout(join(tmp.make(), 'executor'), {git: false}))
    afterEach(releaseBlocks)

    it('a port squatter from another live checkout is only explained; a leaked dev server of a removed checkout is stopped after --yes', async () => {
      const m = machine()
      const {root, block} = await freeCheckout()
      const other = makeCheckout(join(tmp.make(), 'other'), {git: false})
      const live = await startFixture('squatter.ts', ['--port', String(block + 3)], {cwd: other})
      const removed = makeCheckout(join(tmp.make(), 'gone'), {git: false})
      mkdirSync(join(removed, 'apps', 'cloud'), {recursive: true})
      const orphan = await startFixture('squatter.ts', ['--port', String(block + 4)], {
        cwd: join(removed, 'apps', 'cloud'),
        argv0: 'vite dev',
      })
      rmSync(removed, {recursive: true})

      const report = json(await m.doctor(['--only', 'e2e-ports', '--fix', '--yes', '--json'], root))
      const steps = report.fix!.steps.map((s) => [s.step.kind, s.status, (s.step as {process?: {pid: number}}).process?.pid ?? null])
      assert.deepEqual(
        steps.sort(),
        [
          ['manual', 'manual', null],
          ['terminate', 'applied', orphan.pid],
        ].sort(),
        JSON.stringify(report.fix),
      )
      assert.ok(JSON.stringify(report.fix!.steps.find((s) => s.step.kind === 'manual')).includes(`kill -TERM ${live.pid}`))
      assert.ok(isAlive(live.pid), "the live checkout's process was signalled")
      assert.equal(isAlive(orphan.pid), false)
      assert.deepEqual(
        report.fix!.recheck.map((r) => [r.check, r.outcome]),
        [['e2e-ports', 'still-failing']],
      )
    })
  })
})
