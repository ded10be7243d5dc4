import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {checks} from '../../checks/index.js'
import {allSymptoms, symptom} from '../../src/catalogue.js'
import '../../src/targets/index.js'
import {REPO} from '../helpers/processes.js'

/** The public check ids of DESIGN.md: they may grow, never be renamed. */
const DESIGN_IDS = [
  'daemon-health',
  'port-squatter',
  'stale-manifest',
  'stale-lock',
  'unreachable-daemon',
  'duplicate-daemon',
  'symlinked-secret',
  'secret-permissions',
  'data-dir-permissions',
  'clock-skew',
  'disk-space',
  'daemon-log-errors',
  'service-unit',
  'token-drift',
  'auth-env',
  'public-origin',
  'config-valid',
  'bootstrap-build',
  'vite-cache',
  'e2e-ports',
  'leaked-dev-servers',
  'playwright-browser',
]

describe('check registry', () => {
  const files = readdirSync(join(REPO, 'checks'))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''))

  it('lists every file in checks/ and nothing else, each under its file name', () => {
    assert.deepEqual([...checks.map((c) => c.id)].sort(), [...files].sort())
  })

  it('uses only ids from the public contract (or new ones), never duplicates', () => {
    assert.equal(new Set(checks.map((c) => c.id)).size, checks.length)
    for (const c of checks) assert.match(c.id, /^[a-z][a-z0-9-]*$/)
    const known = checks.filter((c) => DESIGN_IDS.includes(c.id))
    assert.ok(known.length >= 8)
  })

  it('has tests for every check, for every target it supports', () => {
    const testFiles = readdirSync(join(REPO, 'test'), {recursive: true})
      .map(String)
      .filter((f) => f.endsWith('.test.ts'))
    const sources = testFiles.map((f) => ({name: f, text: readFileSync(join(REPO, 'test', f), 'utf8')}))
    for (const check of checks) {
      for (const target of check.targets) {
        // A test file named after the check, or one that exercises it by id for this target.
        const named = sources.some((s) => s.name.endsWith(`${check.id}.test.ts`) && (target === 'executor' || s.text.includes(target)))
        const mentioned = sources.some((s) => s.text.includes(`'${check.id}'`) && s.text.includes(target))
        assert.ok(
          named || mentioned || existsSync(join(REPO, 'test/checks', `${check.id}.test.ts`)),
          `no test exercises ${check.id} for ${target}`,
        )
      }
    }
  })

  it('declares only symptoms that exist in the catalogue and belong to its targets', () => {
    for (const c of checks) {
      for (const id of c.symptoms) {
        const entry = symptom(id)
        assert.ok(c.targets.includes(entry.target), `${c.id} declares ${id} of another target`)
        if (entry.check) assert.equal(entry.check, c.id, `${id} says it is detected by ${entry.check}, but ${c.id} declares it`)
      }
    }
  })

  it('every catalogue entry that names a check is declared by that check', () => {
    const byId = new Map(checks.map((c) => [c.id, c]))
    for (const entry of allSymptoms()) {
      if (!entry.check) continue
      const check = byId.get(entry.check)
      if (!check) continue // a check planned in DESIGN.md and not built yet
      assert.ok(check.symptoms.includes(entry.id), `${entry.id} names ${entry.check}, which does not declare it`)
    }
  })

  it('has no dependency cycles and depends only on known checks', () => {
    const byId = new Map(checks.map((c) => [c.id, c]))
    const visit = (id: string, path: string[]): void => {
      assert.ok(!path.includes(id), `dependency cycle: ${[...path, id].join(' → ')}`)
      for (const dep of byId.get(id)?.dependsOn ?? []) {
        assert.ok(byId.has(dep), `${id} depends on unknown ${dep}`)
        visit(dep, [...path, id])
      }
    }
    for (const c of checks) visit(c.id, [])
  })
})

describe('symptom catalogue', () => {
  it('gives every entry a message, cause, fix and docs reference', () => {
    for (const e of allSymptoms()) {
      assert.match(e.id, /^(executor|runwisp)\/[a-z0-9-]+$/, e.id)
      for (const field of ['title', 'message', 'cause'] as const) assert.ok(e[field].trim().length > 0, `${e.id} has no ${field}`)
      assert.ok(
        e.check !== undefined || (e.docs ?? '').trim().length > 0,
        `${e.id}: no check reports it, so it needs a page of the product's docs`,
      )
      assert.ok(e.fix.summary.trim().length > 0, `${e.id} has no fix`)
    }
  })
})
