/**
 * `doctor bundle` for declared targets, against real daemons: the declared configs and log tails
 * go in, the secret files are described and never copied, the secret values the profile declares
 * (and their encoded forms) never leave, and `bundle verify` passes on the result.
 */
import {strict as assert} from 'node:assert'
import {appendFileSync} from 'node:fs'
import {join} from 'node:path'
import {runBundle, runVerify} from '../../src/bundle/command.js'
import {DEFAULT_BUNDLE_OPTIONS} from '../../src/bundle/options.js'
import {readArchive, rawTar} from '../bundle/helpers.js'
import {killAll} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'
import {needTools} from '../helpers/tools.js'
import {daemonHome, NGINX, profileOf, REDIS, startDaemon, startSecondInstance, stopDaemons} from '../helpers/third-party.js'

for (const [kind, tool] of [
  ['nginx', NGINX],
  ['redis', REDIS],
] as const) {
  describe(`declared target bundle: ${kind}`, function () {
    this.timeout(60_000)
    const tmp = tmpDirs()
    afterEach(async () => {
      await stopDaemons()
      await killAll()
      tmp.cleanup()
    })

    it('collects the declared config and log tail, describes the secret file, and no secret value (raw or encoded) leaves', async function () {
      needTools(this, tool)
      const home = await daemonHome(kind, tmp.make(`doctorkit-${kind}-`))
      await startDaemon(home)
      await startSecondInstance(home)
      // The secret where a careless log line would put it: raw, base64 (a Basic header) and URL-encoded.
      appendFileSync(
        home.log,
        `debug auth=${home.secretValue} basic=${Buffer.from(`admin:${home.secretValue}`).toString('base64')} url=${encodeURIComponent(home.secretValue)}\n`,
      )
      const profile = profileOf(home)
      const out = tmp.make('doctorkit-bundle-out-')
      const file = join(out, 'b.tar.gz')
      const printed: string[] = []
      const code = await runBundle({
        env: {PATH: process.env.PATH, HOME: out},
        cwd: out,
        options: DEFAULT_BUNDLE_OPTIONS,
        runOptions: {},
        profiles: [profile],
        list: false,
        force: false,
        output: {path: file, shown: 'b.tar.gz'},
        out: (t) => printed.push(t),
        err: (t) => printed.push(t),
      })
      assert.equal(code, 0, printed.join(''))
      const files = await readArchive(file)
      const names = [...files.keys()]
      const id = profile.id
      const tail = names.find((n) => n.endsWith(`${id}/${kind}.log`))
      assert.ok(tail, `no log tail of ${id} in ${names.join(', ')}`)
      assert.match(files.get(tail)!.toString(), /Address already in use/, "the daemon's own failure line is in the tail")
      assert.ok(
        names.some((n) => n.endsWith(`${id}/${kind}.conf`)),
        `no declared config in ${names.join(', ')}`,
      )
      assert.ok(!names.some((n) => n.includes('htpasswd') || n.includes('auth.conf')), `a secret file was copied: ${names.join(', ')}`)
      const described = JSON.parse(files.get(names.find((n) => n.endsWith('secret-files.json'))!)!.toString()) as Array<{
        facts: {path: string; present: boolean; mode?: string}
      }>
      assert.ok(
        described.some((d) => d.facts.present && d.facts.mode === '0600'),
        JSON.stringify(described),
      )
      const report = JSON.parse(files.get(names.find((n) => n.endsWith('report.json'))!)!.toString()) as {
        targets: Array<{id: string; detected: boolean}>
        checks: Array<{id: string; target: string; status: string}>
      }
      assert.equal(report.targets.find((t) => t.id === id)?.detected, true)
      assert.equal(report.checks.find((c) => c.id === 'daemon-log-errors' && c.target === id)?.status, 'fail')
      const raw = rawTar(file)
      for (const form of [
        home.secretValue,
        Buffer.from(`admin:${home.secretValue}`).toString('base64'),
        encodeURIComponent(home.secretValue),
      ]) {
        assert.ok(!raw.includes(form), `the bundle holds the secret in the form ${form}`)
      }
      printed.length = 0
      const verified = await runVerify({
        env: {PATH: process.env.PATH, HOME: out},
        cwd: out,
        file: {path: file, shown: 'b.tar.gz'},
        runOptions: {},
        profiles: [profile],
        out: (t) => printed.push(t),
        err: (t) => printed.push(t),
      })
      assert.equal(verified, 0, printed.join(''))
    })
  })
}
