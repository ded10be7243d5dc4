/**
 * Output never cites the reference material the doctor was written from (its fact sheets and the
 * copies of the products' troubleshooting pages): a user has none of it. Where advice comes from
 * is a code comment; a finding's `docs` points at what the user can open (`doctor checks <id>`
 * and the product's own documentation). This test builds broken Executor and RunWisp states for
 * real and scans every output format, and every catalogue entry and check.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checks} from '../../checks/index.js'
import {allSymptoms, docsFor, type SymptomEntry} from '../../src/catalogue.js'
import '../../src/targets/index.js'
import {runCli} from '../helpers/cli.js'
import {executorHome} from '../helpers/executor-state.js'
import {deadPid, REPO} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

/** Names and section marks of the reference pages (and of the project's own design notes). */
const CITATION =
  /(?:executor|runwisp)-(?:facts|troubleshooting)|(?:facts|troubleshooting|anchors)\.md|§|DESIGN\.md|STYLE-ANCHORS|shared\/reference/i

function assertNoCitation(text: string, where: string): void {
  const line = text.split('\n').find((l) => CITATION.test(l))
  assert.equal(line, undefined, `${where} cites a document the user does not have: ${line}`)
}

function entryTexts(e: SymptomEntry): string[] {
  return [e.title, e.message, e.cause, e.fix.summary, ...e.fix.commands, docsFor(e), ...(e.keywords ?? [])]
}

describe('no reference citations in what a user reads', function () {
  this.timeout(120_000)
  const tmp = tmpDirs()
  after(() => tmp.cleanup())

  it('holds for every catalogue entry (message, cause, fix, docs), every check and its page', () => {
    assert.ok(allSymptoms().length > 100)
    for (const e of allSymptoms()) for (const text of entryTexts(e)) assertNoCitation(text, e.id)
    for (const c of checks) for (const text of [c.title, c.description]) assertNoCitation(text, `check ${c.id}`)
    // What `doctor checks <id>` prints.
    for (const c of checks) assertNoCitation(readFileSync(join(REPO, 'docs/checks', `${c.id}.md`), 'utf8'), `docs/checks/${c.id}.md`)
  })

  it('holds for every output format of a broken Executor and RunWisp machine', async () => {
    const root = tmp.make()
    const home = join(root, 'home')
    const cwd = join(root, 'project')
    mkdirSync(home)
    mkdirSync(cwd)
    const pid = await deadPid()
    const ex = executorHome(home)
    ex.manifest({pid})
    ex.record(pid)
    ex.startLock(String(pid))
    ex.legacyLock(JSON.stringify({pid, startedAt: new Date().toISOString()}))
    ex.errorLog(['Port 4788 is in use. Starting daemon on available port 47912 instead.'])
    writeFileSync(join(ex.dataDir, 'auth.json'), '{"tokens":{}}\n', {mode: 0o644})
    chmodSync(join(ex.dataDir, 'auth.json'), 0o644)
    writeFileSync(join(root, 'elsewhere.json'), '{"token":"00000000-0000-4000-8000-000000000000"}\n')
    symlinkSync(join(root, 'elsewhere.json'), join(ex.dataDir, 'server-control', 'auth.json'))
    // RunWisp 0.6+ in the working directory: a loose data dir, a readable password, a dead daemon.pid.
    const data = join(cwd, '.runwisp')
    mkdirSync(data)
    chmodSync(data, 0o755)
    writeFileSync(join(data, 'password'), 'hunter2-hunter2\n', {mode: 0o644})
    chmodSync(join(data, 'password'), 0o644)
    writeFileSync(join(data, 'daemon.pid'), `${pid}\n`)
    writeFileSync(join(cwd, 'runwisp.toml'), '[tasks.a]\ncron = "0 * * * *"\nparallelism = 2\n')
    const summary = join(root, 'summary.md')
    const env = {
      HOME: home,
      EXECUTOR_DATA_DIR: '',
      RUNWISP_DATA: '',
      RUNWISP_CONFIG: '',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: cwd,
    }
    const targets = ['--target', 'executor', '--target', 'runwisp', '--runwisp-port', '1']

    const runs: Array<[string, string[]]> = [
      ['human', []],
      ['human --verbose', ['--verbose']],
      ['json', ['--json']],
      ['junit', ['--format', 'junit']],
      ['github', ['--format', 'github']],
      ['prometheus', ['--format', 'prometheus']],
      ['--fix --dry-run', ['--fix', '--dry-run', '--verbose']],
      ['--fix --dry-run --json', ['--fix', '--dry-run', '--json']],
    ]
    let failed = 0
    for (const [name, args] of runs) {
      const r = await runCli([...targets, ...args], {env, cwd, timeoutMs: 60_000})
      assert.ok(r.code === 0 || r.code === 1, `${name}: exit ${r.code}\n${r.stderr}`)
      assertNoCitation(r.stdout, `doctor ${name} (stdout)`)
      assertNoCitation(r.stderr, `doctor ${name} (stderr)`)
      if (name === 'json') {
        const report = JSON.parse(r.stdout) as {checks: Array<{status: string; findings: unknown[]}>}
        failed = report.checks.filter((c) => c.status === 'fail').length
        assert.ok(report.checks.flatMap((c) => c.findings).length >= 6, 'the broken state gives findings of both targets to scan')
      }
    }
    assert.ok(failed >= 3, 'the broken state fails several checks')
    assertNoCitation(readFileSync(summary, 'utf8'), 'the GitHub step summary (Markdown)')

    const preflight = await runCli(['preflight', '--format', 'junit'], {env, cwd, timeoutMs: 60_000})
    assertNoCitation(preflight.stdout, 'doctor preflight')

    for (const text of [
      'Port 4788 is in use. Starting daemon on available port 47912 instead.',
      'refusing to write data/password: path is a symlink',
      'the daemon keeps saying port in use',
    ]) {
      for (const args of [[], ['--json']]) {
        const r = await runCli(['explain', ...args, text], {env, cwd})
        assertNoCitation(r.stdout, `doctor explain ${args.join(' ')} "${text}"`)
      }
    }
    const listing = await runCli(['checks', '--json'], {env, cwd})
    assertNoCitation(listing.stdout, 'doctor checks --json')

    const archive = join(root, 'bundle.tar.gz')
    const bundle = await runCli(['bundle', '--output', archive], {env, cwd, timeoutMs: 90_000})
    assert.equal(bundle.code, 0, bundle.stderr)
    const unpacked = join(root, 'unpacked')
    mkdirSync(unpacked)
    execFileSync('tar', ['-xzf', archive, '-C', unpacked])
    const files = walk(unpacked)
    assert.ok(files.some((f) => f.endsWith('report.md')) && files.some((f) => f.endsWith('.json')), files.join(', '))
    for (const file of files.filter((f) => /\.(?:md|json|txt)$/.test(f)))
      assertNoCitation(readFileSync(file, 'utf8'), `bundle ${file.slice(unpacked.length)}`)
  })
})

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}
