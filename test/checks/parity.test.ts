/**
 * Parity, as ESLint keeps its rules: every check has its file in checks/, its registry entry, its
 * page in docs/checks/, its own test file and its README row, and each of them agrees with the
 * check's metadata (targets, symptoms, fixable). The runtime half (a check reports only declared
 * symptoms and, unless fixable, plans only manual steps) is `defineCheck`'s, tested at the end.
 *
 * Convention for a check's own test file: a file under test/ named `<id>.test.ts`, or whose name
 * joins ids with `-and-` (`auth-env-and-token-drift.test.ts`), that imports `checks/<id>.js` or
 * runs it by its id (`judge('disk-space', …)`).
 */
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {checks} from '../../checks/index.js'
import {defineCheck} from '../../src/check.js'
import {createContext} from '../../src/context.js'
import {quarantineStep, manualStep} from '../../src/fix/steps.js'
import '../../src/targets/index.js'
import type {DetectedTarget} from '../../src/targets/types.js'
import {REPO} from '../helpers/processes.js'

const ids = checks.map((c) => c.id)
const read = (path: string) => readFileSync(join(REPO, path), 'utf8')
const testFiles = readdirSync(join(REPO, 'test'), {recursive: true})
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))

/** The relative imports of a module, resolved to repo paths (.js → .ts). */
function imports(path: string): string[] {
  const text = read(path)
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)]
    .map((m) => relative(REPO, resolve(REPO, dirname(path), m[1]!)).replace(/\.js$/, '.ts'))
    .filter((p) => existsSync(join(REPO, p)))
}

/** The check's own code: its file and what it imports from src/targets and src/generic, transitively (shared engine, fix and probe modules are not its own). */
function ownModules(id: string): string[] {
  const seen = new Set<string>()
  const visit = (path: string) => {
    if (seen.has(path)) return
    seen.add(path)
    for (const next of imports(path)) if (/^src\/(targets|generic)\//.test(next)) visit(next)
  }
  visit(`checks/${id}.ts`)
  return [...seen]
}

describe('check parity', () => {
  it('every file in checks/ is a registry entry and every registry entry is a file', () => {
    const files = readdirSync(join(REPO, 'checks'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
    assert.deepEqual([...ids].sort(), files.sort())
  })

  it('every check has its page in docs/checks/, agreeing with its metadata, and there is no page for anything else', () => {
    const pages = readdirSync(join(REPO, 'docs/checks')).filter((f) => f !== 'README.md')
    assert.deepEqual(pages.sort(), ids.map((id) => `${id}.md`).sort())
    const index = read('docs/checks/README.md')
    for (const c of checks) {
      const page = read(`docs/checks/${c.id}.md`)
      assert.ok(page.startsWith(`# \`${c.id}\`: ${c.title}\n`), `docs/checks/${c.id}.md starts with its id and title`)
      assert.ok(page.includes(c.description), `docs/checks/${c.id}.md states what it protects against (the check's description)`)
      for (const symptom of c.symptoms)
        assert.match(page, new RegExp(`^#{3,4} \`${symptom}\`: `, 'm'), `docs/checks/${c.id}.md has a section for ${symptom}`)
      const sections = [...page.matchAll(/^#{3,4} `([a-z0-9-]+\/[a-z0-9-]+)`/gm)].map((m) => m[1])
      assert.deepEqual(
        sections.filter((s) => !c.symptoms.includes(s!)),
        [],
        `docs/checks/${c.id}.md documents only symptoms the check declares`,
      )
      assert.match(page, /^## What it reads$/m, `docs/checks/${c.id}.md says what it reads`)
      const fixRow = /^\| `doctor --fix` \| (.*) \|$/m.exec(page)?.[1] ?? ''
      assert.equal(fixRow.startsWith('repairs nothing'), !c.fixable, `docs/checks/${c.id}.md's --fix row agrees with fixable: ${c.fixable}`)
      assert.ok(index.includes(`[\`${c.id}\`](${c.id}.md)`), `docs/checks/README.md links ${c.id}`)
    }
  })

  it('every check has a README row with its page, targets and fix column', () => {
    const rows = new Map(
      [...read('README.md').matchAll(/^\| \[`([a-z0-9-]+)`\]\(docs\/checks\/([a-z0-9-]+)\.md\) \| ([^|]+) \| ([^|]*) \| [^|]+ \|$/gm)].map(
        (m) => [m[1]!, m],
      ),
    )
    assert.deepEqual([...rows.keys()].sort(), [...ids].sort(), 'one README row per check, and none for anything else')
    for (const c of checks) {
      const [, , page, targets, fix] = rows.get(c.id)!
      assert.equal(page, c.id)
      assert.deepEqual(
        targets!.trim().split(/,\s*/),
        [...c.targets, ...(c.declared ? ['declared'] : [])],
        `README row of ${c.id}: targets (and \`declared\` when it runs for declared targets)`,
      )
      assert.equal(fix!.trim() === 'yes', c.fixable, `README row of ${c.id}: fix column`)
    }
  })

  it('every check has its own test file, which runs it', () => {
    for (const id of ids) {
      const own = testFiles.filter((f) => {
        const name = f
          .split('/')
          .pop()!
          .replace(/\.test\.ts$/, '')
        return name === id || name.split('-and-').includes(id)
      })
      assert.ok(own.length > 0, `no test file named ${id}.test.ts (or …-and-${id}.test.ts) under test/`)
      assert.ok(
        own.some((f) => read(`test/${f}`).includes(`checks/${id}.js'`) || read(`test/${f}`).includes(`'${id}'`)),
        `${own.join(', ')} neither imports checks/${id}.js nor runs '${id}'`,
      )
    }
  })

  it('every symptom a check reports in its own code is one it declares', () => {
    for (const c of checks) {
      for (const path of ownModules(c.id).filter((p) => p.endsWith(`/checks/${c.id}.ts`) || p === `checks/${c.id}.ts`)) {
        for (const m of read(path).matchAll(/\bfinding\('([a-z0-9-]+\/[a-z0-9-]+)'/g)) {
          assert.ok(c.symptoms.includes(m[1]!), `${path} reports ${m[1]}, which ${c.id} does not declare`)
        }
      }
    }
  })

  it('a fixable check builds a step that acts (not only manual ones) in its own code', () => {
    const acting = /\b(quarantineStep|chmodStep|replaceSymlinkStep|terminateStep|runStep|bootstrapStep)\(/
    for (const c of checks.filter((x) => x.fixable)) {
      const modules = ownModules(c.id)
      assert.ok(
        modules.some((p) => acting.test(read(p))),
        `${c.id} declares fixable: true, but none of ${modules.join(', ')} builds a step --fix can apply`,
      )
    }
  })

  describe('defineCheck holds every run to the metadata', () => {
    const target = {
      id: 'executor',
      detected: true,
      forced: true,
      generation: null,
      generationReason: 'test',
      dataDir: '/nonexistent',
      reasons: [],
    } as unknown as DetectedTarget
    const plan = (kind: 'acting' | 'manual') =>
      kind === 'manual'
        ? [manualStep({title: 't', why: 'w', instructions: ['true']})]
        : [
            quarantineStep({
              path: '/nonexistent/x',
              stat: {
                dev: 1,
                ino: 1,
                mode: 0o100600,
                uid: 0,
                gid: 0,
                size: 0,
                mtimeMs: 0,
                isFile: () => true,
                isDirectory: () => false,
                isSymbolicLink: () => false,
              } as never,
              why: 'w',
            }),
          ]
    const fake = (fixable: boolean, symptom: string, kind: 'acting' | 'manual') =>
      defineCheck({
        id: 'fake-check',
        title: 'Check a fake',
        description: 'A fake.',
        targets: ['executor'],
        symptoms: ['executor/stale-manifest'],
        fixable,
        detect: async () => [
          {symptom, severity: 'fail', message: 'm', evidence: {}, fix: {summary: 's', commands: [], docs: 'd'}, plan: plan(kind)},
        ],
      })

    for (const [what, check, error] of [
      [
        'a symptom it does not declare',
        fake(true, 'executor/port-squatter', 'manual'),
        /reported executor\/port-squatter, which it does not declare/,
      ],
      [
        'an acting step from a check that is not fixable',
        fake(false, 'executor/stale-manifest', 'acting'),
        /declares fixable: false but planned a quarantine step/,
      ],
    ] as const) {
      it(`refuses ${what}`, async () => {
        const ctx = createContext({env: {}})
        try {
          await assert.rejects(check.detect(ctx, target), error)
        } finally {
          await ctx.close()
        }
      })
    }

    it("lets a declared symptom with manual steps, or a fixable check's acting step, through", async () => {
      const ctx = createContext({env: {}})
      try {
        assert.deepEqual(
          ((await fake(false, 'executor/stale-manifest', 'manual').detect(ctx, target)) as Array<{symptom: string}>).map((f) => f.symptom),
          ['executor/stale-manifest'],
        )
        assert.deepEqual(
          ((await fake(true, 'executor/stale-manifest', 'acting').detect(ctx, target)) as Array<{symptom: string}>).map((f) => f.symptom),
          ['executor/stale-manifest'],
        )
      } finally {
        await ctx.close()
      }
    })
  })
})
