/**
 * Reading a journal back as untrusted input (issue 13 §3): whatever sits at `journal.jsonl` — a
 * line that parses to `null`, garbage, a FIFO, a link to /dev/zero, gigabytes — gives a precise
 * `JournalError`, never a hang or a TypeError. Entries are checked for the shape the doctor writes
 * before undo or reconcile act on a single field of them, and paths the doctor itself chose (the
 * quarantine slot, a temp file beside the path) must be exactly what it would have chosen: a
 * journal edited to name another payload must not make root's undo move or delete it.
 */
import {closeSync, constants, fstatSync, openSync} from 'node:fs'
import {basename, dirname, isAbsolute, join} from 'node:path'
import {readFdSync} from '../probes/files.js'
import {FIX_RISKS, type FileFingerprint} from './types.js'
import type {JournalEntry} from './journal.js'

/** A journal is a few lines per step; 100 findings per check across every check stays far below this. */
export const JOURNAL_CAP = 32 * 1024 * 1024

export class JournalError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JournalError'
  }
}

/** The journal's text, read through a descriptor that is a regular file of bounded size; null when there is none. */
export function readJournalText(path: string): string | null {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    if (code === 'ELOOP')
      throw new JournalError(`${path} is a symlink; the doctor reads only the journal it wrote there, never through a link`)
    throw new JournalError(`cannot read ${path} (${code ?? (error as Error).message})`)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new JournalError(`${path} is ${kindOf(st)}, not the regular file the doctor writes; it is not read`)
    if (st.size > JOURNAL_CAP)
      throw new JournalError(`${path} is ${st.size} bytes, more than any journal the doctor writes (${JOURNAL_CAP}); it is not read`)
    return readFdSync(fd, st.size).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

function kindOf(st: {
  isFIFO(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
  isDirectory(): boolean
  isSocket(): boolean
}): string {
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isDirectory()) return 'a directory'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * The entries of a journal text. Only the last line may be torn (the doctor was killed mid-write:
 * the action it announced never started, since intents are written first); any other line that is
 * not an entry of the doctor's own shape is an error naming the line.
 */
export function parseJournal(text: string, path: string, dir: string): JournalEntry[] {
  const lines = text.split('\n')
  const out: JournalEntry[] = []
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    const torn = i === lines.length - 1
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      if (torn) return
      throw new JournalError(`line ${i + 1} of ${path} is not JSON; the journal was changed by something other than the doctor`)
    }
    const problem = entryProblem(value, dir)
    if (problem) throw new JournalError(`line ${i + 1} of ${path} is not a journal entry the doctor writes (${problem})`)
    out.push(value as JournalEntry)
  })
  return out
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isStr = (v: unknown): v is string => typeof v === 'string'
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isPath = (v: unknown): v is string => isStr(v) && isAbsolute(v) && !v.includes('\0')
const optional = (v: unknown, test: (v: unknown) => boolean) => v === undefined || test(v)

const STATUSES = new Set(['applied', 'not-needed', 'skipped', 'not-approved', 'declined', 'manual', 'failed', 'planned'])
const UNDO_STATUSES = new Set(['restored', 'kept', 'failed'])

function entryProblem(value: unknown, dir: string): string | null {
  if (!isObj(value)) return `it is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`
  switch (value.type) {
    case 'run':
      return isStr(value.runId) && isStr(value.startedAt) && isInt(value.pid) && isStr(value.command) && isStr(value.tool)
        ? null
        : 'a run header without its fields'
    case 'copied':
      return isInt(value.seq) ? null : 'no step number'
    case 'end':
      return isStr(value.at) ? null : 'no time'
    case 'undo':
      return isInt(value.seq) && isStr(value.at) && UNDO_STATUSES.has(value.status as string) && optional(value.reason, isStr)
        ? null
        : 'an undo record without its fields'
    case 'result': {
      if (!isInt(value.seq) || !isStr(value.at) || !STATUSES.has(value.status as string))
        return 'a result without its step number, time or status'
      if (
        !optional(value.reason, isStr) ||
        !optional(value.detail, isStr) ||
        !optional(value.method, (m) => m === 'rename' || m === 'copy')
      )
        return 'a result with fields of the wrong type'
      if (!optional(value.after, isFingerprint)) return 'a result whose file fingerprint is malformed'
      if (value.quarantinedAt !== undefined && value.quarantinedAt !== payloadSlot(dir, value.seq))
        return `its quarantine path is not this run's slot for step ${value.seq}`
      return null
    }
    case 'intent': {
      if (!isInt(value.seq) || !isStr(value.at) || !isObj(value.origin)) return 'an intent without its step number, time or origin'
      const step = stepProblem(value.step)
      if (step) return step
      if (value.payload !== undefined && value.payload !== payloadSlot(dir, value.seq))
        return `its payload path is not this run's slot for step ${value.seq}`
      if (value.temp !== undefined) {
        const target = (value.step as {path: string}).path
        const ok =
          isPath(value.temp) &&
          dirname(value.temp) === dirname(target) &&
          basename(value.temp).startsWith(`.${basename(target)}.doctorkit-`)
        if (!ok) return 'its temp file is not one the doctor would have made beside the path'
      }
      return null
    }
    default:
      return `unknown entry type ${JSON.stringify(value.type)?.slice(0, 40)}`
  }
}

const payloadSlot = (dir: string, seq: unknown) => join(dir, 'quarantine', String(seq))

function isFingerprint(v: unknown): v is FileFingerprint {
  if (!isObj(v)) return false
  return (
    (v.kind === 'file' || v.kind === 'dir' || v.kind === 'symlink') &&
    isInt(v.dev) &&
    isInt(v.ino) &&
    isInt(v.size) &&
    isNum(v.mtimeMs) &&
    isInt(v.mode) &&
    optional(v.uid, isInt) &&
    optional(v.sha256, isStr)
  )
}

/** Why `v` is not a step the doctor writes, checking the fields undo and reconcile read. */
function stepProblem(v: unknown): string | null {
  if (!isObj(v)) return 'its step is missing'
  if (!isStr(v.title) || !isStr(v.undo) || !(FIX_RISKS as readonly unknown[]).includes(v.risk))
    return 'its step has no title, undo text or risk'
  switch (v.kind) {
    case 'quarantine':
      return isPath(v.path) && isFingerprint(v.expect) ? null : 'a quarantine step without an absolute path or fingerprint'
    case 'chmod':
      return isPath(v.path) && isInt(v.mode) && (v.mode as number) >= 0 && (v.mode as number) <= 0o777 && isFingerprint(v.expect)
        ? null
        : 'a chmod step without an absolute path, mode or fingerprint'
    case 'replace-symlink':
      return isPath(v.path) && isStr(v.linkTarget) && isPath(v.targetPath) && isFingerprint(v.expect) && isFingerprint(v.targetExpect)
        ? null
        : 'a replace-symlink step without its paths or fingerprints'
    case 'terminate':
    case 'run':
    case 'manual':
      return null
    default:
      return `unknown step kind ${JSON.stringify(v.kind)?.slice(0, 40)}`
  }
}
