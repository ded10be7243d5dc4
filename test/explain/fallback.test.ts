/**
 * What users paste around, instead of, or beside a product's message (issue 12 §4):
 * - a how-to question is not an error report, so it gets no answer;
 * - another package's Vite resolve error is not ours (only the package the bootstrap builds is);
 * - a message found anywhere in a long paste wins, whatever surrounds it (stacks, neighbouring lines);
 * - a symptom told in the user's own words is found whatever synonym they use ("rebase",
 *   "git pull", "switched branches", …);
 * - systemd's own lines about a product's unit lead to that product's service entries, and the
 *   same lines about any other unit to nothing.
 */
import {strict as assert} from 'node:assert'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {catalogueExplainer} from '../../src/explain/index.js'
import {REPO} from '../helpers/processes.js'

const explainer = catalogueExplainer()
const best = (text: string) => {
  const result = explainer.explain(text)
  return {
    result,
    id: result.matches[0]?.symptom ?? '(no match)',
    say: `${JSON.stringify(text.slice(0, 160))} → ${result.matches.map((m) => `${m.symptom} ${m.score}`).join(', ') || 'nothing'} (${result.via})`,
  }
}
const expectNothing = (text: string) =>
  assert.deepEqual(
    explainer.explain(text).matches.map((m) => m.symptom),
    [],
    best(text).say,
  )
const expectEntry = (text: string, id: string) => assert.equal(best(text).id, id, best(text).say)

describe('explain: questions, other packages, long pastes, synonyms and systemd', () => {
  describe('a how-to question is not an error', () => {
    for (const question of [
      'how do I install executor on windows?',
      'How can I run runwisp as a systemd service',
      'what is the best way to upgrade executor',
      'how to change the runwisp port',
      'is it possible to run two executor daemons for two projects?',
      'where do I find the runwisp password file',
    ]) {
      it(question, () => expectNothing(question))
    }
    it('a question that reports a failure is answered', () =>
      expectEntry('how do I fix the dev server serving old code after a rebase?', 'executor/vite-cache-pre-rebase'))
    it("a question quoting the product's message is answered by the message", () =>
      expectEntry(
        'why does executor say "Port 4788 is in use. Starting daemon on available port 47912 instead."?',
        'executor/port-squatter',
      ))
  })

  describe("another package's Vite resolve error is not ours", () => {
    const VITE = (pkg: string) =>
      `Failed to resolve entry for package "${pkg}". The package may have incorrect main/module/exports specified in its package.json.`
    for (const pkg of ['react-dom', '@tanstack/react-router', 'vite-plugin-svgr', '@executor-js/plugin-openapi']) {
      it(pkg, () => {
        expectNothing(VITE(pkg))
        expectNothing(`[vite] Internal server error: ${VITE(pkg)}\n  Plugin: vite:import-analysis\n  File: /home/dev/app/src/main.tsx`)
        expectNothing(`10:11:12 [vite] error while updating dependencies:\nError: ${VITE(pkg)}`)
      })
    }
    it('@executor-js/vite-plugin, the package bootstrap builds, is ours', () => {
      expectEntry(VITE('@executor-js/vite-plugin'), 'executor/bootstrap-missing')
      expectEntry(
        `failed to load config from /home/dev/executor/apps/local/vite.config.ts\nerror when starting dev server:\nError: ${VITE('@executor-js/vite-plugin')}\n    at packageEntryFailure (file:///home/dev/executor/node_modules/vite/dist/node/chunks/dep-D-7KCb9p.js:46637:15)`,
        'executor/bootstrap-missing',
      )
    })
  })

  describe('a message anywhere in a long paste wins, whatever surrounds it', () => {
    const stack = Array.from(
      {length: 60},
      (_, i) => `    at fn${i} (/home/dev/project/node_modules/some-lib/dist/index.js:${i + 10}:${i + 3})`,
    ).join('\n')
    const neighbours = Array.from(
      {length: 80},
      (_, i) => `2026-07-20T10:11:${String(i % 60).padStart(2, '0')}.000Z INFO GET /assets/index-${i}.js 200 ${i}ms`,
    ).join('\n')
    const table = JSON.parse(readFileSync(join(REPO, 'test/explain/data/executor-1.5.9-messages.json'), 'utf8')) as {
      messages: Array<{sample: string[]; expect: string}>
    }
    for (const m of table.messages.filter((m) => m.expect !== 'executor/progress-line')) {
      it(`${m.sample[0]!.slice(0, 90)}`, () => {
        const message = m.sample.join('\n')
        expectEntry(`${neighbours}\n${message}\n${stack}`, m.expect)
        expectEntry(`${message}\n${stack}\n${neighbours}`, m.expect)
      })
    }
  })

  describe("the user's own words, whatever synonym", () => {
    for (const words of [
      'the dev server keeps serving old code after a rebase',
      'the dev server keeps serving old code after git pull',
      'the dev server keeps serving old code after I switched branches',
      'dev server shows outdated code since I pulled main, tests are green',
      'after git checkout of another branch vite still serves stale code',
      'vite serves the old version of my code after merging main',
    ]) {
      it(words, () => expectEntry(words, 'executor/vite-cache-pre-rebase'))
    }
  })

  describe("systemd's lines about a product's unit", () => {
    const journal = (unit: string, lines: string[], pid = 1) =>
      lines.map((l) => `Jul 20 10:11:12 host systemd[${pid}]: ${unit}: ${l}`).join('\n')
    it('RunWisp, User= names no user (217/USER), as journalctl prints it', () => {
      const text = [
        'Jul 20 10:11:12 host systemd[1]: Started runwisp.service - RunWisp.',
        'Jul 20 10:11:12 host (runwisp)[1234]: runwisp.service: Failed to determine user credentials: No such process',
        'Jul 20 10:11:12 host (runwisp)[1234]: runwisp.service: Failed at step USER spawning /usr/local/bin/runwisp: No such process',
        'Jul 20 10:11:12 host systemd[1]: runwisp.service: Main process exited, code=exited, status=217/USER',
        "Jul 20 10:11:12 host systemd[1]: runwisp.service: Failed with result 'exit-code'.",
      ].join('\n')
      expectEntry(text, 'runwisp/unit-user-missing')
      expectEntry('runwisp.service: Main process exited, code=exited, status=217/USER', 'runwisp/unit-user-missing')
    })
    for (const unit of ['runwisp.service', 'runwisp-3f9a1c2b.service']) {
      it(`RunWisp (${unit}): exits and the start limit`, () => {
        expectEntry(
          journal(unit, ['Main process exited, code=exited, status=1/FAILURE', "Failed with result 'exit-code'."]),
          'runwisp/service-not-active',
        )
        expectEntry(
          journal(unit, [
            'Scheduled restart job, restart counter is at 5.',
            'Start request repeated too quickly.',
            "Failed with result 'start-limit-hit'.",
          ]),
          'runwisp/service-not-active',
        )
      })
    }
    it('Executor (sh.executor.daemon.service, a user unit): exits, the start limit, a binary gone (203/EXEC)', () => {
      const unit = 'sh.executor.daemon.service'
      expectEntry(
        journal(unit, ['Main process exited, code=exited, status=1/FAILURE', "Failed with result 'exit-code'."], 912),
        'executor/service-not-running',
      )
      expectEntry(
        journal(unit, ['Start request repeated too quickly.', "Failed with result 'start-limit-hit'."], 912),
        'executor/service-not-running',
      )
      expectEntry(
        journal(
          unit,
          ['Failed to execute /home/dev/.bun/bin/executor: No such file or directory', 'Main process exited, code=exited, status=203/EXEC'],
          912,
        ),
        'executor/service-binary-missing',
      )
    })
    it("another unit's lines match nothing, even next to a product's", () => {
      expectNothing(journal('nginx.service', ['Main process exited, code=exited, status=1/FAILURE', "Failed with result 'exit-code'."]))
      expectNothing('postgresql.service: Start request repeated too quickly.')
      expectNothing(
        journal('myapp.service', [
          'Failed to determine user credentials: No such process',
          'Main process exited, code=exited, status=217/USER',
        ]),
      )
      expectEntry(
        `${journal('nginx.service', ['Main process exited, code=exited, status=1/FAILURE'])}\n${journal('runwisp.service', ['Main process exited, code=exited, status=1/FAILURE'])}`,
        'runwisp/service-not-active',
      )
    })
  })
})
