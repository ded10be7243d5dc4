/**
 * docs/fleet.md's Ansible sweep, run for real: ansible-playbook runs examples/fleet/ansible/
 * doctor-sweep.yml as it is against an inventory of local "hosts" (ansible_connection=local, each
 * with its own HOME): one healthy, one broken, one whose doctor cannot run. The merge of what it
 * fetched names the broken host and its failing check.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FleetView} from '../../src/fleet/merge.js'
import type {Report} from '../../src/types.js'
import {runCli} from '../helpers/cli.js'
import {executorHome} from '../helpers/executor-state.js'
import {deadPid, REPO} from '../helpers/processes.js'
import {assertValidFleet, assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'
import {ANSIBLE_PLAYBOOK, needTools} from '../helpers/tools.js'

const PLAYBOOK = join(REPO, 'examples/fleet/ansible/doctor-sweep.yml')
const tmp = tmpDirs()

/** ansible-playbook with a controller of its own: its HOME, config, temp dirs; nothing of this machine's. */
function ansiblePlaybook(args: string[], root: string, env: NodeJS.ProcessEnv): Promise<{code: number | null; output: string}> {
  return ansibleCommand('ansible-playbook', args, root, env)
}

function ansibleCommand(
  program: string,
  args: string[],
  root: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{code: number | null; output: string}> {
  const controller = join(root, 'controller')
  mkdirSync(controller, {recursive: true})
  writeFileSync(join(controller, 'ansible.cfg'), '')
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        LC_ALL: 'C.UTF-8',
        HOME: controller,
        ANSIBLE_CONFIG: join(controller, 'ansible.cfg'),
        ANSIBLE_LOCAL_TEMP: join(controller, 'tmp'),
        ANSIBLE_REMOTE_TEMP: join(controller, 'remote-tmp'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({code, output})
    })
  })
}

describe('the Ansible sweep (examples/fleet/ansible/doctor-sweep.yml)', () => {
  afterEach(() => tmp.cleanup())

  it('runs doctor --json on every host, fetches the reports, and their merge names the broken host and its failing check', async function () {
    needTools(this, ANSIBLE_PLAYBOOK)
    this.timeout(120_000)
    const root = tmp.make()
    const healthy = join(root, 'home-healthy')
    const broken = join(root, 'home-broken')
    executorHome(healthy)
    executorHome(broken).manifest({pid: await deadPid()})
    const hostTmp = join(root, 'host-tmp')
    mkdirSync(hostTmp)
    const env = (home: string) => JSON.stringify({HOME: home, EXECUTOR_DATA_DIR: ''})
    writeFileSync(
      join(root, 'inventory.ini'),
      [
        '[fleet]',
        `healthy-host doctor_environment='${env(healthy)}'`,
        `broken-host doctor_environment='${env(broken)}'`,
        // A doctor that cannot run (exit 2: a bad flag): the host fails, the sweep goes on.
        `misconfigured-host doctor_environment='${env(healthy)}' doctor_args='--timeout soon'`,
        '',
        '[fleet:vars]',
        'ansible_connection=local',
        // The controller's own Python: the local "hosts" are this machine.
        'ansible_python_interpreter={{ ansible_playbook_python }}',
        `doctor_command=${process.execPath} ${join(REPO, 'bin/run.js')}`,
        '',
      ].join('\n'),
    )
    const reports = join(root, 'reports')
    // TMPDIR: where the hosts' temporary report directories go, to see them removed.
    const run = await ansiblePlaybook(['-i', 'inventory.ini', '-e', `reports_dir=${reports}`, PLAYBOOK], root, {TMPDIR: hostTmp})
    assert.equal(run.code, 2, `one host failed, so ansible-playbook exits 2\n${run.output}`)
    assert.match(run.output, /healthy-host +: ok=\d+ .*failed=0/)
    assert.match(run.output, /broken-host +: ok=\d+ .*failed=0/, 'a failing check is a report, not a failed task')
    assert.match(run.output, /misconfigured-host +: ok=\d+ .*failed=1/)
    assert.match(run.output, /--timeout \\*"soon\\*" is not a duration/)

    assert.deepEqual(readdirSync(reports).sort(), ['broken-host', 'healthy-host'])
    assert.deepEqual(readdirSync(hostTmp), [], "every host's temporary report directory is removed, also where the doctor failed")
    for (const host of ['broken-host', 'healthy-host']) {
      const report = JSON.parse(readFileSync(join(reports, host, 'doctor.json'), 'utf8')) as Report
      assertValidReport(report)
      assert.equal(report.host, host, 'the inventory name, from --hostname')
    }

    const merged = await runCli(['report', 'merge', '--json', 'healthy-host/doctor.json', 'broken-host/doctor.json'], {cwd: reports})
    assert.equal(merged.code, 1, merged.stderr)
    const view = JSON.parse(merged.stdout) as FleetView
    assertValidFleet(view)
    assert.deepEqual(
      view.hosts.map((h) => [h.host, h.status]),
      [
        ['broken-host', 'fail'],
        ['healthy-host', 'pass'],
      ],
    )
    assert.deepEqual(
      view.hosts[0]!.problems.map((p) => [p.check, p.status, p.symptoms]),
      [['stale-manifest', 'fail', ['executor/stale-manifest']]],
    )
    const human = await runCli(['report', 'merge', ...['broken-host', 'healthy-host'].map((h) => join(reports, h, 'doctor.json'))])
    assert.match(human.stdout, /^ {2}broken-host +fail$/m)
    assert.match(human.stdout, /^Healthy: healthy-host$/m)
    assert.ok(!existsSync(join(REPO, 'examples/fleet/ansible/reports')), 'nothing written beside the playbook')
  })

  it('reads the example inventory of docs/fleet.md as the doc says: hosts, groups, and the doctor settings per host', async function () {
    needTools(this, ANSIBLE_PLAYBOOK)
    this.timeout(60_000)
    const root = tmp.make()
    const inventory = join(REPO, 'examples/fleet/ansible/inventory.ini')
    const listed = await ansibleCommand('ansible-inventory', ['-i', inventory, '--list'], root)
    assert.equal(listed.code, 0, listed.output)
    const vars = (JSON.parse(listed.output) as {_meta: {hostvars: Record<string, Record<string, unknown>>}})._meta.hostvars
    assert.deepEqual(Object.keys(vars).sort(), ['alice-laptop', 'web1.example.com', 'web2.example.com'])
    assert.equal(vars['web1.example.com']!.doctor_args, '--target runwisp')
    assert.equal(
      vars['web2.example.com']!.doctor_args,
      '--runwisp-data-dir /srv/runwisp/data',
      "the host's own setting wins over its group's",
    )
    assert.equal(vars['web1.example.com']!.ansible_become_user, 'runwisp')
    assert.equal(vars['alice-laptop']!.doctor_command, '/home/alice/.npm-global/bin/doctor')
    const syntax = await ansibleCommand('ansible-playbook', ['-i', inventory, '--syntax-check', PLAYBOOK], root)
    assert.equal(syntax.code, 0, syntax.output)
  })
})
