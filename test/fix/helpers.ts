/**
 * Helpers for the fix tests: a whole-tree fingerprint (every "changes nothing" test compares one
 * before and after), real processes that record every signal they get, and plan builders.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, lstatSync, readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {join, relative} from 'node:path'
import type {PlannedStep, FixStep} from '../../src/fix/types.js'

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other'
  mode: string
  sha256?: string
  link?: string
  ino: number
}

/** Every path under `root` with its type, mode, inode and content hash (symlinks never followed). */
export function hashTree(root: string): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {}
  const walk = (path: string) => {
    const st = lstatSync(path)
    const rel = relative(root, path) || '.'
    const mode = (st.mode & 0o7777).toString(8)
    if (st.isSymbolicLink()) out[rel] = {type: 'symlink', mode, link: readlinkSync(path), ino: st.ino}
    else if (st.isFile())
      out[rel] = {type: 'file', mode, sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), ino: st.ino}
    else if (st.isDirectory()) {
      out[rel] = {type: 'dir', mode, ino: st.ino}
      for (const name of readdirSync(path).sort()) walk(join(path, name))
    } else out[rel] = {type: 'other', mode, ino: st.ino}
  }
  if (existsSync(root)) walk(root)
  return out
}

/** hashTree of `root` without one subtree (the doctor's own state dir: its lock and journal). */
export function hashTreeExcept(root: string, excluded: string): Record<string, TreeEntry> {
  const tree = hashTree(root)
  for (const key of Object.keys(tree)) if (key === excluded || key.startsWith(`${excluded}/`)) delete tree[key]
  return tree
}

/** Same as hashTree but without inodes: what "byte for byte, modes included" compares after a move. */
export function contentTree(root: string): Record<string, Omit<TreeEntry, 'ino'>> {
  return Object.fromEntries(Object.entries(hashTree(root)).map(([k, {ino: _ino, ...rest}]) => [k, rest]))
}

const children = new Set<ChildProcess>()

export interface Recorder {
  child: ChildProcess
  pid: number
  /** Signals received so far (read from its log). */
  signals(): string[]
}

/**
 * A real process that records every catchable signal it receives in `log` and keeps running
 * (unless `exitOnTerm`). `ignoreTerm` makes it survive SIGTERM: a hung daemon that needs SIGKILL.
 */
export function startRecorder(
  log: string,
  options: {exitOnTerm?: boolean; argv0?: string; executable?: string; env?: NodeJS.ProcessEnv; cwd?: string; extraArgs?: string[]} = {},
): Promise<Recorder> {
  const script = `
    const fs = require('fs')
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT']) {
      process.on(s, () => { fs.appendFileSync(${JSON.stringify(log)}, s + '\\n'); if (s === 'SIGTERM' && ${options.exitOnTerm ? 'true' : 'false'}) process.exit(0) })
    }
    setInterval(() => {}, 1000)
    process.stdout.write('ready\\n')
  `
  const child = spawn(options.executable ?? process.execPath, ['-e', script, ...(options.extraArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {...process.env, ...options.env},
    cwd: options.cwd,
    ...(options.argv0 ? {argv0: options.argv0} : {}),
  })
  children.add(child)
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () =>
      resolve({
        child,
        pid: child.pid!,
        signals: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
      }),
    )
    child.once('exit', (code) => reject(new Error(`recorder exited early (${code})`)))
  })
}

export async function killRecorders(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          children.delete(child)
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]
    return state !== 'Z'
  } catch {
    return false
  }
}

export function planOf(...steps: FixStep[]): PlannedStep[] {
  return steps.map((step, i) => ({seq: i + 1, origin: {check: 'test', target: 'executor', symptom: 'executor/test'}, step}))
}
