/**
 * Bad-input fuzz suite (issue 13, Tests): every file the doctor reads, for both targets, in every
 * bad form (hostile-files.ts), under `doctor --json`, `doctor --fix --dry-run --json` and `doctor
 * bundle` (and `doctor undo` for the journal). Each run is the real CLI in its own process; it
 * must exit 0, 1 or 2, print no stack trace, print schema-valid JSON when asked for JSON, end
 * within its `--timeout` plus grace (a hang is killed and reported) and stay within a memory bound.
 *
 * To stay fast, one run puts every file in the same bad form at once (the "all" layout), and a
 * second keeps the files that gate the rest valid so the rest is still read ("secondary"); the
 * config and the journal have layouts of their own, since a bad config stops a run at the start.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, type CliResult} from '../helpers/cli.js'
import {assertValidReport} from '../helpers/schema.js'
import {tmpDirs} from '../helpers/tmp.js'
import {fuzzFiles, plant, plantValid, VARIANTS, type FuzzFile, type VariantId} from './hostile-files.js'

/** What each run is given, and what it must stay within. */
const BUDGET = '4s'
const GRACE_MS = 6000
const KILL_MS = 20_000
const RSS_BOUND_MB = 320

type Layout = 'all' | 'secondary' | 'config'

interface Command {
  name: string
  args: (root: string) => string[]
  json: 'report' | 'any' | null
  layouts: Layout[]
}

const COMMANDS: Command[] = [
  {name: 'doctor --json', args: () => ['--json', '--timeout', BUDGET], json: 'report', layouts: ['all', 'secondary', 'config']},
  {
    name: 'doctor --fix --dry-run --json',
    args: () => ['--fix', '--dry-run', '--json', '--timeout', BUDGET],
    json: 'report',
    layouts: ['all', 'secondary', 'config'],
  },
  {
    name: 'doctor bundle',
    args: (root) => ['bundle', '--output', join(root, 'out.tar.gz'), '--timeout', BUDGET],
    json: null,
    layouts: ['all', 'secondary', 'config'],
  },
  {name: 'doctor undo --list --json', args: () => ['undo', '--list', '--json'], json: 'any', layouts: ['secondary']},
  {name: 'doctor undo --json', args: () => ['undo', '--json'], json: 'any', layouts: ['secondary']},
]

/** Peak RSS of a running process, polled from /proc until it exits (VmHWM is the high-water mark). */
function watchRss(pid: number): {peakMb(): number; stop(): void} {
  let peak = 0
  const poll = () => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
      peak = Math.max(peak, kb)
    } catch {
      // exited
    }
  }
  const timer = setInterval(poll, 20)
  return {peakMb: () => Math.round(peak / 1024), stop: () => clearInterval(timer)}
}

const STACK_FRAME = /^\s+at .+(?::\d+:\d+\)?|\(native\)|\(<anonymous>\))$|node:internal\//m

/** Every way a run can break the contract, in words (empty when it kept it). */
function problems(command: Command, result: CliResult, peakMb: number): string[] {
  const found: string[] = []
  if (result.code === null || ![0, 1, 2].includes(result.code)) found.push(`exit ${result.code ?? result.signal}`)
  if (STACK_FRAME.test(result.stdout) || STACK_FRAME.test(result.stderr))
    found.push(`a stack trace:\n${(STACK_FRAME.exec(result.stderr) ? result.stderr : result.stdout).slice(0, 1500)}`)
  if (result.durationMs > 4000 + GRACE_MS) found.push(`took ${result.durationMs} ms`)
  if (peakMb > RSS_BOUND_MB) found.push(`peak RSS ${peakMb} MB`)
  if (command.json && result.code !== 2) {
    try {
      const doc = JSON.parse(result.stdout) as unknown
      if (command.json === 'report') assertValidReport(doc)
    } catch (error) {
      found.push(
        `stdout is not ${command.json === 'report' ? 'a schema-valid report' : 'one JSON document'}: ${(error as Error).message.slice(0, 600)}\n${result.stdout.slice(0, 300)}`,
      )
    }
  }
  return found
}

function layoutFiles(files: FuzzFile[], layout: Layout): {hostile: FuzzFile[]; valid: FuzzFile[]} {
  if (layout === 'all') return {hostile: files.filter((f) => f.role !== 'config'), valid: []}
  if (layout === 'secondary')
    return {hostile: files.filter((f) => f.role === 'secondary' || f.role === 'journal'), valid: files.filter((f) => f.role === 'primary')}
  return {hostile: files.filter((f) => f.role === 'config'), valid: files.filter((f) => f.role === 'primary' || f.role === 'secondary')}
}

describe('fuzz: every file the doctor reads × every bad form × every command', function () {
  this.timeout(120_000)
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  for (const layout of ['all', 'secondary', 'config'] as Layout[]) {
    for (const variant of VARIANTS) {
      it(`${layout} files ${variant}`, async () => {
        const root = tmp.make(`doctorkit-fuzz-${variant}-`)
        const files = fuzzFiles(root)
        const {hostile, valid} = layoutFiles(files, layout)
        plantValid(root, valid)
        plant(root, hostile, variant as VariantId)
        const env = {
          HOME: join(root, 'home'),
          XDG_STATE_HOME: join(root, 'state'),
          XDG_CONFIG_HOME: join(root, 'home', '.config'),
          XDG_DATA_HOME: join(root, 'home', '.local', 'share'),
          SYSTEMD_UNIT_PATH: join(root, 'home', '.config', 'systemd', 'user'),
        }
        const runs = COMMANDS.filter((c) => c.layouts.includes(layout)).map(async (command) => {
          let watch: ReturnType<typeof watchRss> | null = null
          const result = await runCli(command.args(root), {
            env,
            cwd: join(root, 'work'),
            timeoutMs: KILL_MS,
            onSpawn: (pid) => (watch = watchRss(pid)),
          }).catch((error: Error) => error)
          const w = watch as ReturnType<typeof watchRss> | null
          w?.stop()
          if (result instanceof Error) return `${command.name}: ${result.message.slice(0, 800)}`
          const found = problems(command, result, w?.peakMb() ?? 0)
          return found.length > 0 ? `${command.name} (exit ${result.code}, ${result.durationMs} ms):\n  ${found.join('\n  ')}` : null
        })
        const failures = (await Promise.all(runs)).filter((f): f is string => f !== null)
        assert.deepEqual(
          failures,
          [],
          `${hostile.length} files ${variant} (${hostile.map((f) => f.id).join(', ')}):\n${failures.join('\n')}`,
        )
      })
    }
  }
})
