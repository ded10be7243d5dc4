/**
 * One journal per `--fix` run: `<state>/runs/<run id>/journal.jsonl`, append-only JSON lines, each
 * fsynced before the action it announces. Every change is written as an intent first and its
 * result after, so a doctor killed at any instant leaves a journal from which `reconcile` can tell
 * exactly what happened (by looking at the files themselves) and `undo` can still restore.
 * A torn last line (power loss mid-write) is ignored; anything else that is not the doctor's own
 * entry is an error (journal-read.ts): the journal is read back as untrusted input.
 */
import {randomBytes} from 'node:crypto'
import {closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {fingerprint, fsyncPath, lstatOrNull, rmTreeIfSame} from './fsops.js'
import {JournalError, parseJournal, readJournalText} from './journal-read.js'
import {runsDir} from './state-dir.js'
import type {FileFingerprint, FixStep, StepOrigin, StepStatus} from './types.js'

export type JournalEntry =
  | {type: 'run'; runId: string; startedAt: string; pid: number; command: string; tool: string}
  | {type: 'intent'; seq: number; at: string; origin: StepOrigin; step: FixStep; payload?: string; temp?: string}
  | {type: 'copied'; seq: number}
  | {
      type: 'result'
      seq: number
      at: string
      status: StepStatus
      reason?: string
      quarantinedAt?: string
      detail?: string
      method?: 'rename' | 'copy'
      after?: FileFingerprint
      recovered?: boolean
    }
  | {type: 'end'; at: string}
  | {type: 'undo'; seq: number; at: string; status: 'restored' | 'kept' | 'failed'; reason?: string; keptAt?: string}

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

export class Journal {
  private fd: number | null = null

  constructor(
    readonly runId: string,
    readonly dir: string,
  ) {}

  get path(): string {
    return join(this.dir, 'journal.jsonl')
  }

  /** Where step `seq` keeps what it moved out of the way. */
  payloadPath(seq: number): string {
    return join(this.dir, 'quarantine', String(seq))
  }

  static create(stateDir: string, command: string, tool: string): Journal {
    const runId = newRunId()
    const journal = new Journal(runId, join(runsDir(stateDir), runId))
    mkdirSync(journal.dir, {recursive: true, mode: 0o700})
    journal.append({type: 'run', runId, startedAt: new Date().toISOString(), pid: process.pid, command, tool})
    fsyncPath(runsDir(stateDir))
    return journal
  }

  static open(stateDir: string, runId: string): Journal | null {
    if (!/^[\w.-]+$/.test(runId) || runId === '.' || runId === '..') return null
    const dir = join(runsDir(stateDir), runId)
    const st = lstatOrNull(dir)
    if (st && !st.isDirectory())
      throw new JournalError(
        `${dir} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}; the doctor reads only the run dirs it made`,
      )
    const uid = process.geteuid?.()
    if (st && uid !== undefined && st.uid !== uid)
      throw new JournalError(
        `${dir} belongs to uid ${st.uid}, not to the user running the doctor (uid ${uid}); the doctor reads only the run dirs it made`,
      )
    return existsSync(join(dir, 'journal.jsonl')) || lstatOrNull(join(dir, 'journal.jsonl')) ? new Journal(runId, dir) : null
  }

  /** Appends one entry and fsyncs it: when this returns, the entry survives a crash. Never through a link. */
  append(entry: JournalEntry): void {
    this.fd ??= openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600)
    writeSync(this.fd, JSON.stringify(entry) + '\n')
    fsyncSync(this.fd)
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  /** Every entry, checked (journal-read.ts); a journal that is not the doctor's own throws a JournalError. */
  entries(): JournalEntry[] {
    const text = readJournalText(this.path)
    return text === null ? [] : parseJournal(text, this.path, this.dir)
  }
}

/** Run ids in the state dir, oldest first (ids start with a UTC timestamp). */
export function listRunIds(stateDir: string): string[] {
  try {
    return readdirSync(runsDir(stateDir))
      .filter((name) => existsSync(join(runsDir(stateDir), name, 'journal.jsonl')))
      .sort()
  } catch {
    return []
  }
}

/**
 * Settles every intent that has no result (the doctor was killed mid-step) by looking at the files,
 * and appends the result it finds, marked `recovered`. After this, every intent has exactly one result.
 */
export function reconcile(journal: Journal): void {
  const entries = journal.entries()
  const settled = new Set(entries.flatMap((e) => (e.type === 'result' ? [e.seq] : [])))
  const copied = new Set(entries.flatMap((e) => (e.type === 'copied' ? [e.seq] : [])))
  for (const entry of entries) {
    if (entry.type !== 'intent' || settled.has(entry.seq)) continue
    const at = new Date().toISOString()
    const result = settle(entry, copied.has(entry.seq))
    journal.append({type: 'result', seq: entry.seq, at, recovered: true, ...result})
  }
  journal.close()
}

type Settled = Omit<Extract<JournalEntry, {type: 'result'}>, 'type' | 'seq' | 'at'>

function settle(intent: Extract<JournalEntry, {type: 'intent'}>, copied: boolean): Settled {
  const interrupted = 'the doctor was stopped before this step finished'
  const step = intent.step
  if (step.kind === 'quarantine' && intent.payload) {
    const payload = lstatOrNull(intent.payload)
    if (!payload) return {status: 'failed', reason: `${interrupted}; nothing was moved`}
    const samePayload = payload.dev === step.expect.dev && payload.ino === step.expect.ino
    if (samePayload)
      return {status: 'applied', reason: `${interrupted}; the rename had completed`, quarantinedAt: intent.payload, method: 'rename'}
    if (copied) {
      // The copy was whole and synced; finish removing the original if it is still the one we copied.
      rmTreeIfSame(step.path, step.expect)
      return {status: 'applied', reason: `${interrupted}; the copy had completed`, quarantinedAt: intent.payload, method: 'copy'}
    }
    // A partial cross-filesystem copy: the original was never touched.
    rmSync(intent.payload, {recursive: true, force: true})
    return {status: 'failed', reason: `${interrupted}; the original was left in place`}
  }
  if (step.kind === 'chmod') {
    const st = lstatOrNull(step.path)
    if (st && st.ino === step.expect.ino && (st.mode & 0o777) === step.mode)
      return {status: 'applied', reason: `${interrupted}; the mode had been set`, after: fingerprint(st)}
    return {status: 'failed', reason: `${interrupted}; the mode was not changed`}
  }
  if (step.kind === 'replace-symlink') {
    const st = lstatOrNull(step.path)
    if (intent.temp) rmSync(intent.temp, {force: true})
    if (st && st.isFile()) return {status: 'applied', reason: `${interrupted}; the link had been replaced`, after: fingerprint(st)}
    return {status: 'failed', reason: `${interrupted}; the link was left in place`}
  }
  return {status: 'failed', reason: `${interrupted}; its outcome is unknown`}
}
