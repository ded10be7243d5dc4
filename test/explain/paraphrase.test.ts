/**
 * Reports in the user's own words, one or more per row of each troubleshooting page's symptom
 * index, written by hand. Each must lead to the row's own entry (owners.ts), found through the
 * entries' descriptions rather than the product's message.
 *
 * RunWisp rows fail until the RunWisp catalogue is registered (see reference.test.ts).
 */
import {strict as assert} from 'node:assert'
import {catalogueExplainer, type Explainer} from '../../src/explain/index.js'
import {ownersOf} from './owners.js'
import {loadRunwispCatalogue} from './runwisp-catalogue.js'
import {DEFAULT_SAMPLES, elisionOf, referenceRows, render, variantsOf, type ReferenceRow} from './reference-table.js'

/** Row (its text on the page) → what a user would write instead. */
const PARAPHRASES: Record<'executor' | 'runwisp', Record<string, string[]>> = {
  executor: {
    'Port 4788 is in use. Starting daemon on available port …': [
      'executor says port 4788 is taken and starts the daemon on some random port instead',
      'something else is using the executor daemon port 4788',
    ],
    'Another local Executor server startup is already in progress': [
      'executor refuses to start because another startup is supposedly in progress but nothing is starting',
    ],
    '… is registered at … but is not reachable': [
      'executor says the daemon is registered but not reachable, the process is alive but hung',
    ],
    'Refusing to start another local server against the same database': [
      'executor will not start a second daemon, it says another one already owns the same database',
    ],
    'Executor server is not reachable at …': ['the executor CLI says the server is not reachable and tells me to set EXECUTOR_AUTH_TOKEN'],
    'Invalid login state': ['Executor Cloud login fails with an invalid login state error after the OAuth callback over plain http'],
    'Invalid origin': ['self-hosted executor behind a reverse proxy rejects my custom domain with an invalid origin error'],
    "Failed to resolve entry for package '@executor-js/vite-plugin'": [
      'in a fresh worktree vite cannot resolve the executor vite-plugin package, I never ran bootstrap',
    ],
    'Dev server serves old code while tests pass': [
      'the dev server keeps serving old code after a rebase',
      'after rebasing, vite still shows the stale pre-rebase code even though unit tests pass',
    ],
    'Auto-start chose a different port than expected': ['executor auto-start chose a different port than I expected for the daemon'],
    'service install succeeded but web UI does not open': [
      'executor service install succeeded but the web UI does not open, executor web says it is not running',
    ],
    'OAuth works on localhost but fails through a tunnel': [
      'executor self-host OAuth works on localhost but fails through a tunnel with an invalid origin',
    ],
  },
  runwisp: {
    'port 9477 on 127.0.0.1 is already in use by another process': [
      'runwisp cannot bind 9477 because some other program already holds that port',
    ],
    'another RunWisp daemon is already running on port 9477 with a different password': [
      'a second runwisp daemon from another directory runs on 9477 and its password differs from mine',
    ],
    'daemon failed to start: health check timed out': ['the runwisp daemon never became healthy within 10 seconds after starting'],
    'refusing to write data/password: path is a symlink': ['runwisp will not write its password file because the path is a symlink'],
    '"permission denied" on the data directory': [
      'runwisp gets permission denied writing to its data directory after I changed the systemd User',
    ],
    '401 Invalid password': ['runwisp login says invalid password although I typed the one from the password file'],
    '401 Invalid or expired challenge': ['runwisp login keeps failing with an expired challenge even after refreshing the tab'],
    'too many authentication attempts against the daemon on port 9477': [
      'runwisp locked me out after too many login attempts, rate limited',
    ],
    '"I lost the password"': ['I lost the runwisp password and cannot find it anywhere'],
    'Web UI shows 401 after restart, then works after a re-login': ['after restarting runwisp the web UI shows 401 until I log in again'],
    'A scheduled task never fires': ['my runwisp cron task is scheduled but never runs at the expected time'],
    'A manual runwisp exec exits 0 but the daemon shows nothing': [
      'runwisp exec finished with exit code 0 but the daemon history shows no run',
    ],
    'A service replica keeps restarting': ['a runwisp service replica restarts over and over with growing backoff'],
    'Task fires but exits with code -2': ['runwisp run shows exit code -2 crashed after the host rebooted'],
    'Log output stopped: disk space critically low': ['runwisp task log output stopped because the disk is almost full'],
    'Task logs cut off at log_max_size': ['runwisp task log is truncated once it reaches log_max_size'],
    'A run row exists in history but its log pane is blank': [
      'a runwisp run appears in history but its log is empty, the log file was deleted',
    ],
    "A failure happened but Slack didn't fire": ['a runwisp task failed but no Slack notification was sent'],
    'notify.delivery_failed events keep arriving': ['runwisp keeps reporting notify delivery failed events for the webhook channel'],
    '"Connection lost" overlay': ['the runwisp web UI shows a connection lost overlay'],
    'cannot reach daemon at <url> — is it running?': ['the runwisp TUI cannot reach the daemon, wrong host or port'],
    'runwisp openapi differs from apps/runwisp/openapi.json': ['runwisp openapi output is different from the openapi.json in the repo'],
  },
}

const symptomRows = referenceRows().filter((r) => r.symptomRow && r.file.endsWith('troubleshooting.md'))
const rowKey = (row: ReferenceRow) => row.template.join('\n')

function expectParaphrases(explainer: Explainer, row: ReferenceRow, paraphrases: string[]): void {
  const owners = ownersOf(
    row,
    variantsOf(row)[0]!.map((l) => render(l, DEFAULT_SAMPLES, elisionOf(row))),
    explainer.entries,
  )
  assert.ok(owners.length > 0, `no ${row.product} entry owns the row ${JSON.stringify(rowKey(row))}`)
  for (const text of paraphrases) {
    const result = explainer.explain(text)
    const best = result.matches[0]?.symptom ?? '(no match)'
    assert.ok(
      owners.includes(best),
      `${JSON.stringify(text)}: expected ${owners.join(' or ')}, got ${best} (${result.matches.map((m) => `${m.symptom} ${m.score}`).join(', ')})`,
    )
  }
}

describe('explain: paraphrased reports of every symptom-index row', () => {
  it('has paraphrases for every row of both pages, and no paraphrase for a row that is gone', () => {
    for (const product of ['executor', 'runwisp'] as const) {
      const rows = symptomRows
        .filter((r) => r.product === product && (r.file === 'runwisp-troubleshooting.md' || r.section === 'Symptom index' || r.descriptive))
        .map(rowKey)
      const written = Object.keys(PARAPHRASES[product])
      assert.deepEqual(
        rows.filter((r) => !written.includes(r)),
        [],
        `${product} rows without a paraphrase`,
      )
      assert.deepEqual(
        written.filter((w) => !symptomRows.some((r) => rowKey(r) === w)),
        [],
        `${product} paraphrases of rows no longer on the page`,
      )
    }
  })

  describe('Executor', () => {
    const explainer = catalogueExplainer()
    for (const [key, paraphrases] of Object.entries(PARAPHRASES.executor)) {
      it(key, () => {
        const row = symptomRows.find((r) => r.product === 'executor' && rowKey(r) === key)
        assert.ok(row, `row ${key} not on the page`)
        expectParaphrases(explainer, row, paraphrases)
      })
    }
  })

  // RUNWISP (to finish after merging the RunWisp target).
  describe('RunWisp', () => {
    let explainer: Explainer | null = null
    let missing: string | null = null
    before(async () => {
      missing = await loadRunwispCatalogue()
      if (missing === null) explainer = catalogueExplainer()
    })
    for (const [key, paraphrases] of Object.entries(PARAPHRASES.runwisp)) {
      it(key, () => {
        if (!explainer) assert.fail(missing ?? 'RunWisp catalogue missing')
        const row = symptomRows.find((r) => r.product === 'runwisp' && rowKey(r) === key)
        assert.ok(row, `row ${key} not on the page`)
        expectParaphrases(explainer, row, paraphrases)
      })
    }
  })
})
