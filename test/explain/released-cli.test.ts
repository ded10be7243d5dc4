/**
 * The released Executor CLI (npm executor@1.5.9) is an older generation than the source the
 * reference pages quote (executor-facts §10), and prints messages of its own. Every user-facing
 * message read out of its binary is committed in data/executor-1.5.9-messages.json; here:
 * - each message's text is really in the installed binary (the table cannot drift from it);
 * - `explain` ranks the message's own entry first, by its pattern, as printed and as logged;
 * - the failures that can be provoked are provoked for real (a taken port under
 *   `daemon run --foreground`, a daemon spawn that fails with ENOENT, a non-local host, an
 *   unreachable https server, a missing profile, any HTTP server on the port), and what the
 *   binary printed is explained.
 */
import assert from 'node:assert/strict'
import {spawn, execFileSync} from 'node:child_process'
import {closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, unlinkSync} from 'node:fs'
import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import {createServer, type Server} from 'node:net'
import {dirname, join} from 'node:path'
import {catalogueExplainer} from '../../src/explain/index.js'
import {executorBinary, executorRun} from '../helpers/executor-cli.js'
import {freePort} from '../helpers/ports.js'
import {REPO} from '../helpers/processes.js'
import {tmpDirs} from '../helpers/tmp.js'

interface ReleasedMessage {
  template: string[]
  sample: string[]
  expect: string
  where: string
  /** Assembled at run time from parts (an error class, a method name, a path): only its words are in the binary. */
  composed?: boolean
}

const TABLE = JSON.parse(readFileSync(join(REPO, 'test/explain/data/executor-1.5.9-messages.json'), 'utf8')) as {
  messages: ReleasedMessage[]
}
const explainer = catalogueExplainer()
const tmp = tmpDirs()

/** The binary holds its bundle as JavaScript source: non-ASCII characters may be written as `\uXXXX` escapes. */
function jsEscaped(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
}

function best(text: string) {
  const result = explainer.explain(text)
  return {
    result,
    id: result.matches[0]?.symptom ?? '(no match)',
    say: `${JSON.stringify(text)} → ${result.matches.map((m) => `${m.symptom} ${m.score}`).join(', ') || 'nothing'} (${result.via})`,
  }
}

describe('explain: the released Executor CLI (executor@1.5.9)', function () {
  this.timeout(60_000)
  let binary = ''
  let bytes: Buffer
  before(function () {
    this.timeout(300_000)
    binary = executorBinary()
    bytes = readFileSync(binary)
  })
  afterEach(() => tmp.cleanup())

  it('every message of the table is text of the installed binary', () => {
    assert.ok(TABLE.messages.length >= 60, `${TABLE.messages.length} messages`)
    for (const message of TABLE.messages) {
      for (const line of message.template) {
        if (message.composed) {
          for (const word of line.match(/[A-Za-z]{4,}/g) ?? [])
            assert.ok(bytes.includes(word), `${word} (of ${JSON.stringify(line)}) is not in ${binary}`)
          continue
        }
        for (const piece of line
          .split(/\$\{[^}]*\}/)
          .map((p) => p.trim())
          .filter((p) => p !== '')) {
          assert.ok(
            bytes.includes(piece) || bytes.includes(jsEscaped(piece)),
            `${JSON.stringify(piece)} (of ${JSON.stringify(line)}) is not in ${binary}`,
          )
        }
      }
    }
  })

  describe('each message leads to its entry, by its pattern', () => {
    const dressings: Array<[string, (lines: string[]) => string]> = [
      ['as printed', (lines) => lines.join('\n')],
      ['red, as a terminal shows an error', (lines) => lines.map((l) => `\u001b[0m\u001b[31m${l}\u001b[0m`).join('\n')],
      ['journald', (lines) => lines.map((l) => `Jul 20 10:11:12 devbox executor[4242]: ${l}`).join('\n')],
    ]
    for (const message of TABLE.messages) {
      it(`${message.sample.join(' ⏎ ').slice(0, 100)} → ${message.expect}`, () => {
        for (const [name, dress] of dressings) {
          const {result, id, say} = best(dress(message.sample))
          assert.equal(id, message.expect, `${name}: ${say}`)
          assert.equal(result.via, 'pattern', `${name}: found by description, not by the message: ${say}`)
        }
      })
    }
  })

  describe('failures provoked for real', () => {
    const servers: Array<Server | HttpServer> = []
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
    })

    /** A plain TCP listener on 127.0.0.1 (not Executor), holding a port. */
    async function holdPort(): Promise<number> {
      const server = createServer((socket) => socket.destroy())
      servers.push(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return (server.address() as {port: number}).port
    }

    /**
     * Runs the binary until `done(output)` says enough was printed (or it exits), then stops it.
     * Returns what it printed on both streams and whether it was still running. Output goes to a
     * file, as on a terminal: Bun exits before a pipe has taken a long error print (the code frame
     * of a spawn failure), so a pipe would lose the error itself.
     */
    function runUntil(
      home: string,
      args: string[],
      done: (output: string) => boolean,
      options: {executable?: string; onSpawn?: (pid: number) => void; env?: NodeJS.ProcessEnv} = {},
    ): Promise<{output: string; stillRunning: boolean; code: number | null}> {
      const env: NodeJS.ProcessEnv = {...process.env, HOME: home, EXECUTOR_DISABLE_UPDATE_CHECK: '1', ...options.env}
      if (options.env?.EXECUTOR_DATA_DIR === undefined) delete env.EXECUTOR_DATA_DIR
      const file = join(home, 'output.txt')
      const fd = openSync(file, 'w')
      const child = spawn(options.executable ?? binary, args, {cwd: home, env, stdio: ['ignore', fd, fd]})
      closeSync(fd)
      if (child.pid !== undefined) options.onSpawn?.(child.pid)
      const read = () => readFileSync(file, 'utf8')
      return new Promise((resolve, reject) => {
        const started = Date.now()
        let exited: number | null | undefined
        child.once('exit', (code) => (exited = code))
        const poll = () => {
          const output = read()
          if (exited !== undefined) return resolve({output, stillRunning: false, code: exited})
          if (done(output)) {
            // Let the rest of a multi-line print (a stack) arrive before stopping it.
            return setTimeout(() => {
              const running = exited === undefined
              child.kill('SIGKILL')
              resolve({output: read(), stillRunning: running, code: exited ?? null})
            }, 400)
          }
          if (Date.now() - started > 30_000) {
            child.kill('SIGKILL')
            return reject(new Error(`executor ${args.join(' ')} printed nothing expected in 30 s:\n${output}`))
          }
          setTimeout(poll, 50)
        }
        poll()
      })
    }

    for (const debug of [false, true]) {
      it(`a taken port under \`daemon run --foreground\`${debug ? ' --log-level debug (with its stack)' : ''}: the foreground port entry, with the port read back`, async () => {
        const home = tmp.make('doctorkit-released-')
        const port = await holdPort()
        const args = [
          'daemon',
          'run',
          '--foreground',
          '--port',
          String(port),
          '--hostname',
          '127.0.0.1',
          ...(debug ? ['--log-level', 'debug'] : []),
        ]
        const {output, stillRunning} = await runUntil(home, args, (out) => out.includes('in use?'))
        assert.ok(output.includes(`Failed to start server. Is port ${port} in use?`), output)
        if (debug) assert.match(output, /^\s+at serve /m, `no stack under --log-level debug:\n${output}`)
        // What the entry's cause says: 1.5.9 does not exit after this.
        assert.ok(stillRunning, `executor exited after the port error:\n${output}`)
        const {result, id, say} = best(output)
        assert.equal(id, 'executor/foreground-port-in-use', say)
        assert.equal(String(result.values.port), String(port), say)
        assert.ok(
          result.matches[0]!.fix.commands.some((c) => c.includes(`:${port}`)),
          `the fix names the port: ${JSON.stringify(result.matches[0]!.fix.commands)}`,
        )
      })
    }

    it('a daemon spawn that fails (the binary removed under a running CLI: ENOENT): the spawn entry, and the start lock it leaves', async () => {
      const home = tmp.make('doctorkit-released-')
      // A hard-linked copy of the binary's directory (sidecars included), so the copy can be removed.
      const copy = join(home, 'bin')
      try {
        execFileSync('cp', ['-al', dirname(binary), copy])
      } catch {
        execFileSync('cp', ['-a', dirname(binary), copy])
      }
      const executable = join(copy, 'executor')
      const port = await freePort()
      let removed = false
      // Once the process runs the copy (its /proc/<pid>/exe is the copy), remove the copy: the CLI's
      // later re-spawn of itself as the daemon then finds no file.
      const removeOnceRunning = (pid: number) => {
        const deadline = Date.now() + 10_000
        const poll = () => {
          try {
            if (readlinkSync(`/proc/${pid}/exe`) === executable) {
              unlinkSync(executable)
              removed = true
              return
            }
          } catch {
            // not exec'd yet
          }
          if (Date.now() < deadline) setTimeout(poll, 2)
        }
        poll()
      }
      const {output} = await runUntil(
        home,
        ['call', '--base-url', `http://localhost:${port}`, 'tools', 'list'],
        (out) => /ENOENT/.test(out) && /Bun v|code: "ENOENT"/.test(out),
        {executable, onSpawn: removeOnceRunning},
      )
      assert.ok(removed, 'the copy was never seen running')
      assert.match(output, /posix_spawn '[^']*executor(?: \(deleted\))?'/, output.replace(/ {20,}/g, ' '))
      const {id, say} = best(output)
      assert.equal(id, 'executor/daemon-spawn-failed', say)
      const locks = readdirSync(join(home, '.executor')).filter((f) => /^daemon-active-.*\.json\.lock$/.test(f))
      assert.ok(locks.length > 0, `no start lock left in ${join(home, '.executor')}`)
    })

    it('an empty EXECUTOR_DATA_DIR: `daemon run` fails to create "" and hangs; pasted with the command, the empty-variable entry', async () => {
      const home = tmp.make('doctorkit-released-')
      const port = await freePort()
      const {output, stillRunning} = await runUntil(
        home,
        ['daemon', 'run', '--foreground', '--port', String(port), '--hostname', '127.0.0.1'],
        (out) => out.includes('mkdir'),
        {env: {EXECUTOR_DATA_DIR: ''}},
      )
      assert.match(output, /ENOENT: no such file or directory, mkdir\s*$/m, output)
      assert.ok(stillRunning, `executor exited:\n${output}`)
      const {id, say} = best(`$ EXECUTOR_DATA_DIR= executor daemon run --foreground --port ${port}\n${output}`)
      assert.equal(id, 'executor/empty-data-dir-env', say)
    })

    it('`daemon run` for a non-local host', () => {
      const home = tmp.make('doctorkit-released-')
      const r = executorRun(home, ['daemon', 'run', '--hostname', '192.0.2.1', '--port', '47400'])
      const output = r.stdout + r.stderr
      assert.match(output, /Cannot background a daemon for non-local host 192\.0\.2\.1/)
      const {id, say} = best(output)
      assert.equal(id, 'executor/autostart-non-local', say)
    })

    it('an https server URL where nothing answers', async () => {
      const home = tmp.make('doctorkit-released-')
      const port = await freePort()
      const r = executorRun(home, ['call', '--base-url', `https://127.0.0.1:${port}`, 'tools', 'list'])
      const output = r.stdout + r.stderr
      assert.match(output, /For password-protected local or desktop servers, set EXECUTOR_AUTH_PASSWORD/)
      const {result, id, say} = best(output)
      assert.equal(id, 'executor/remote-server-unreachable', say)
      assert.equal(result.values.origin, `https://127.0.0.1:${port}`, say)
    })

    it('a server profile that does not exist', () => {
      const home = tmp.make('doctorkit-released-')
      const r = executorRun(home, ['server', 'use', 'staging'])
      const output = r.stdout + r.stderr
      assert.match(output, /No server profile named "staging"\./)
      const {id, say} = best(output)
      assert.equal(id, 'executor/default-profile-missing', say)
    })

    it('`daemon stop` where nothing runs', async () => {
      const home = tmp.make('doctorkit-released-')
      const port = await freePort()
      const r = executorRun(home, ['daemon', 'stop', '--base-url', `http://localhost:${port}`])
      const output = r.stdout + r.stderr
      assert.match(output, /No daemon running at/)
      const {id, say} = best(output)
      assert.equal(id, 'executor/health-no-answer', say)
    })

    it('`daemon status` in front of any HTTP server: "no local ownership record", the unregistered-daemon entry', async () => {
      const home = tmp.make('doctorkit-released-')
      // On both loopback addresses: the CLI asks for localhost, which may resolve to either.
      const v4 = createHttpServer((_, res) => res.end('<html>not executor</html>'))
      const v6 = createHttpServer((_, res) => res.end('<html>not executor</html>'))
      servers.push(v4, v6)
      await new Promise<void>((resolve) => v4.listen(0, '127.0.0.1', resolve))
      const port = (v4.address() as {port: number}).port
      await new Promise<void>((resolve, reject) => v6.once('error', reject).listen(port, '::1', resolve))
      // Run asynchronously: the servers above live in this process's event loop.
      const {output} = await runUntil(home, ['daemon', 'status', '--base-url', `http://127.0.0.1:${port}`], () => false)
      assert.match(output, /\(no local ownership record\)/, output)
      const {result, id, say} = best(output)
      assert.equal(id, 'executor/unregistered-daemon', say)
      assert.match(result.matches[0]!.cause, /any HTTP server/)
      assert.ok(!existsSync(join(home, '.executor', 'server-control', 'server.json')))
    })
  })
})
