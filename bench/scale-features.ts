/**
 * Scale cases of features built on the probes: the RunWisp data-dir walk, the bundle's log
 * tails, and explain over the whole catalogue. Each builds its input for real.
 */
import {spawnSync} from 'node:child_process'
import {closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {createContext} from '../src/context.js'
import {catalogueExplainer} from '../src/explain/index.js'
import {allSymptoms} from '../src/catalogue.js'
import {scanDataDir} from '../src/targets/runwisp/data-scan.js'
import type {ScaleCase} from './scale.js'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const DOCTOR = join(REPO, 'bin/run.js')

/** A RunWisp data dir with `count` run logs in 100 task dirs (runwisp-facts §1.4 layout). */
function makeDataDir(root: string, count: number): string {
  const dataDir = join(root, `data-${count}`)
  const perTask = Math.max(1, Math.ceil(count / 100))
  let made = 0
  for (let t = 0; made < count; t++) {
    const dir = join(dataDir, 'logs', `task_${t}`)
    mkdirSync(dir, {recursive: true})
    for (let i = 0; i < perTask && made < count; i++, made++)
      closeSync(openSync(join(dir, `20261121_0300${String(i).padStart(2, '0')}_${made}.log`), 'w'))
  }
  return dataDir
}

function walkCase(quick: boolean): ScaleCase {
  const root = mkdtempSync(join(tmpdir(), 'doctorkit-bench-walk-'))
  return {
    label: 'RunWisp data-dir permission walk',
    unit: 'file',
    sizes: quick ? [10_000, 100_000] : [10_000, 25_000, 50_000, 100_000],
    runs: 3,
    async prepare(size) {
      const dataDir = makeDataDir(root, size)
      return async () => {
        // A fresh context per run: nothing memoised between runs.
        const ctx = createContext({env: {RUNWISP_DATA: dataDir, HOME: root}, cwd: root})
        const scan = await scanDataDir(ctx)
        if (!scan || scan.entries < size) throw new Error(`walked ${scan?.entries} of ${size}`)
      }
    },
    teardown: async () => rmSync(root, {recursive: true, force: true}),
  }
}

/** `doctor bundle` over logs totalling 0.5–2+ GB (sparse files: real sizes, no disk cost). */
function bundleCase(quick: boolean): ScaleCase {
  const root = mkdtempSync(join(tmpdir(), 'doctorkit-bench-bundle-'))
  return {
    label: 'doctor bundle over large logs (wall time, whole command)',
    unit: 'GB',
    sizes: quick ? [0.5, 2.1] : [0.5, 1, 2.1],
    runs: 3,
    async prepare(gb) {
      const home = join(root, `home-${gb}`)
      const logs = join(home, '.executor', 'logs')
      mkdirSync(join(home, '.executor', 'server-control'), {recursive: true})
      mkdirSync(logs, {recursive: true})
      for (const name of ['daemon.log', 'daemon.error.log']) {
        const fd = openSync(join(logs, name), 'w')
        const size = Math.round((gb / 2) * 1024 ** 3)
        ftruncateSync(fd, size)
        writeSync(fd, 'Daemon ready on http://localhost:4789\n', size - 64)
        closeSync(fd)
      }
      let n = 0
      return async () => {
        const out = join(home, `bundle-${n++}.tar.gz`)
        const r = spawnSync(process.execPath, [DOCTOR, 'bundle', '--output', out], {
          cwd: home,
          env: {...process.env, HOME: home, EXECUTOR_DATA_DIR: '', NO_COLOR: '1'},
          stdio: 'ignore',
          timeout: 60_000,
        })
        if (r.status !== 0) throw new Error(`doctor bundle exited ${r.status}`)
        rmSync(out, {force: true})
      }
    },
    teardown: async () => rmSync(root, {recursive: true, force: true}),
  }
}

/** Every catalogue pattern explained once, over growing slices of the catalogue's messages. */
function explainCase(): ScaleCase {
  const explainer = catalogueExplainer()
  const messages = allSymptoms().flatMap((e) =>
    (e.patterns ?? []).map((p) =>
      p.replace(/\$\{(\w+)\}/g, (_m, name: string) => (/port/i.test(name) ? '4788' : /pid/i.test(name) ? '4242' : `<${name}>`)),
    ),
  )
  return {
    label: `explain over the catalogue (${messages.length} messages)`,
    unit: 'message',
    sizes: [Math.ceil(messages.length / 4), Math.ceil(messages.length / 2), messages.length],
    runs: 3,
    async prepare(size) {
      const slice = messages.slice(0, size)
      return async () => {
        for (const m of slice) explainer.explain(m)
      }
    },
  }
}

export async function featureCases(quick: boolean): Promise<ScaleCase[]> {
  return [walkCase(quick), bundleCase(quick), explainCase()]
}
