/**
 * `doctor undo`: puts back what a `--fix` run changed, newest step first, from its journal.
 * A quarantined path is restored only when its original place is free (nothing the product wrote
 * since is ever overwritten); modes and replaced symlinks are restored only when the file is still
 * exactly what the fix left. Signals and commands cannot be undone; undo says so.
 */
import {closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {contentHash, copyNoFollow, describeChange, lstatOrNull, restoreNoClobber, symlinkedComponent} from './fsops.js'
import {Journal, listRunIds, reconcile, type JournalEntry} from './journal.js'
import {JournalError} from './journal-read.js'
import type {FileFingerprint, FixStep, FixStepKind} from './types.js'

export interface RunSummary {
  runId: string
  startedAt: string
  command: string
  /** False when the doctor was stopped mid-run (the journal has no end). */
  finished: boolean
  applied: number
  /** Steps undo can still put back. */
  restorable: number
  restored: number
  steps: Array<{seq: number; kind: FixStepKind; title: string; status: string; undone: boolean}>
  /** Why the journal could not be read (it is not one the doctor wrote); nothing of it is undone. */
  problem?: string
}

type Intent = Extract<JournalEntry, {type: 'intent'}>
type Result = Extract<JournalEntry, {type: 'result'}>

const UNDOABLE: readonly FixStepKind[] = ['quarantine', 'chmod', 'replace-symlink']

function summarize(journal: Journal): RunSummary {
  const entries = journal.entries()
  const head = entries.find((e): e is Extract<JournalEntry, {type: 'run'}> => e.type === 'run')
  const intents = new Map(entries.flatMap((e) => (e.type === 'intent' ? [[e.seq, e] as const] : [])))
  const results = entries.filter((e): e is Result => e.type === 'result')
  const restored = new Set(entries.flatMap((e) => (e.type === 'undo' && e.status === 'restored' ? [e.seq] : [])))
  const steps = results.flatMap((r) => {
    const intent = intents.get(r.seq)
    return intent ? [{seq: r.seq, kind: intent.step.kind, title: intent.step.title, status: r.status, undone: restored.has(r.seq)}] : []
  })
  const applied = steps.filter((s) => s.status === 'applied')
  return {
    runId: journal.runId,
    startedAt: head?.startedAt ?? '',
    command: head?.command ?? '',
    finished: entries.some((e) => e.type === 'end'),
    applied: applied.length,
    restorable: applied.filter((s) => UNDOABLE.includes(s.kind) && !s.undone).length,
    restored: restored.size,
    steps,
  }
}

/** Every run in the state dir, newest first. Read-only: an interrupted run is shown as such. */
export function listRuns(stateDir: string): RunSummary[] {
  return listRunIds(stateDir)
    .reverse()
    .flatMap((id) => {
      try {
        const journal = Journal.open(stateDir, id)
        return journal ? [summarize(journal)] : []
      } catch (error) {
        if (!(error instanceof JournalError)) throw error
        return [
          {
            runId: id,
            startedAt: '',
            command: '',
            finished: false,
            applied: 0,
            restorable: 0,
            restored: 0,
            steps: [],
            problem: error.message,
          },
        ]
      }
    })
}

export interface UndoStepResult {
  seq: number
  kind: FixStepKind
  title: string
  path: string | null
  status: 'restored' | 'kept' | 'failed' | 'not-undoable'
  reason?: string
}

export interface UndoOutcome {
  runId: string
  results: UndoStepResult[]
}

export class UndoError extends Error {
  /** `doctor undo` exits 2 with it: the run is unknown or its journal unreadable. */
  readonly exitCode: number = 2
  readonly suggestions: string[] = []
  constructor(message: string) {
    super(message)
    this.name = 'UndoError'
  }
}

/**
 * Undoes run `runId`, or the newest run that still has something to put back. The caller holds
 * the fix lock. Returns null when there is nothing to undo.
 */
export function undoRun(stateDir: string, runId?: string): UndoOutcome | null {
  try {
    return undoJournaled(stateDir, runId)
  } catch (error) {
    if (error instanceof JournalError)
      throw new UndoError(
        `${error.message}. Nothing was undone; move that run dir out of ${stateDir}/runs or name another run (\`doctor undo --list\`)`,
      )
    throw error
  }
}

function undoJournaled(stateDir: string, runId?: string): UndoOutcome | null {
  let journal: Journal | null
  if (runId) {
    journal = Journal.open(stateDir, runId)
    if (!journal) throw new UndoError(`no run "${runId}" in ${stateDir}; \`doctor undo --list\` shows the runs`)
    reconcile(journal)
  } else {
    journal = null
    for (const id of listRunIds(stateDir).reverse()) {
      const candidate = Journal.open(stateDir, id)
      if (!candidate) continue
      reconcile(candidate)
      if (summarize(candidate).restorable > 0) {
        journal = candidate
        break
      }
    }
    if (!journal) return null
  }
  const entries = journal.entries()
  const intents = new Map(entries.flatMap((e) => (e.type === 'intent' ? [[e.seq, e] as const] : [])))
  const done = new Set(entries.flatMap((e) => (e.type === 'undo' && e.status === 'restored' ? [e.seq] : [])))
  const applied = entries.filter((e): e is Result => e.type === 'result' && e.status === 'applied').sort((a, b) => b.seq - a.seq)
  const results: UndoStepResult[] = []
  try {
    for (const result of applied) {
      const intent = intents.get(result.seq)
      if (!intent || done.has(result.seq)) continue
      const outcome = undoOne(journal, intent, result)
      results.push({seq: result.seq, kind: intent.step.kind, title: intent.step.title, path: pathOf(intent.step), ...outcome})
      if (outcome.status !== 'not-undoable') {
        journal.append({
          type: 'undo',
          seq: result.seq,
          at: new Date().toISOString(),
          status: outcome.status,
          ...(outcome.reason ? {reason: outcome.reason} : {}),
        })
      }
    }
  } finally {
    journal.close()
  }
  return {runId: journal.runId, results}
}

function pathOf(step: FixStep): string | null {
  return 'path' in step ? step.path : null
}

type StepUndo = {status: UndoStepResult['status']; reason?: string}

function undoOne(journal: Journal, intent: Intent, result: Result): StepUndo {
  const step = intent.step
  try {
    switch (step.kind) {
      case 'quarantine':
        return restoreQuarantined(step.path, result.quarantinedAt ?? intent.payload ?? '', step.expect)
      case 'chmod':
        return restoreMode(step.path, step.mode, step.expect)
      case 'replace-symlink':
        return restoreLink(journal, intent.seq, step.path, step.linkTarget, result.after)
      default:
        return {status: 'not-undoable', reason: step.undo}
    }
  } catch (error) {
    return {status: 'failed', reason: (error as Error).message}
  }
}

function restoreQuarantined(original: string, payload: string, expect: FileFingerprint): StepUndo {
  const held = payload ? lstatOrNull(payload) : null
  if (!held) return {status: 'failed', reason: `the quarantined copy ${payload} is missing`}
  // Only the bytes the fix moved go back into the data dir: a quarantine holding anything else (an
  // older doctor's cross-filesystem copy that followed a link swapped in mid-move) stays where it is.
  const heldKind = held.isSymbolicLink() ? 'symlink' : held.isDirectory() ? 'dir' : 'file'
  if (heldKind !== expect.kind || (expect.sha256 !== undefined && contentHash(payload, held) !== expect.sha256))
    return {
      status: 'kept',
      reason: `the quarantined copy ${payload} is not the ${expect.kind} the fix moved (its content differs); it was not restored`,
    }
  const link = symlinkedComponent(original)
  if (link) return {status: 'kept', reason: `${link} is now a symlink; nothing is restored through one. The copy stays at ${payload}`}
  if (lstatOrNull(original))
    return {
      status: 'kept',
      reason: `${original} exists again (written since the fix); it was not overwritten. The quarantined copy stays at ${payload}`,
    }
  try {
    restoreNoClobber(payload, original)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ENOTEMPTY') {
      return {status: 'kept', reason: `${original} appeared while restoring; it was not overwritten. The copy stays at ${payload}`}
    }
    throw error
  }
  return {status: 'restored'}
}

function restoreMode(path: string, setMode: number, before: FileFingerprint): StepUndo {
  if (symlinkedComponent(path)) return {status: 'kept', reason: `a directory on the way to ${path} is now a symlink`}
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (st.dev !== before.dev || st.ino !== before.ino)
      return {status: 'kept', reason: `${path} is another file now; its mode is left alone`}
    if ((st.mode & 0o777) !== setMode) return {status: 'kept', reason: `${path}'s mode was changed again since the fix; it is left as is`}
    fchmodSync(fd, before.mode)
    return {status: 'restored'}
  } finally {
    closeSync(fd)
  }
}

function restoreLink(journal: Journal, seq: number, path: string, linkTarget: string, after: FileFingerprint | undefined): StepUndo {
  if (!after) return {status: 'failed', reason: 'the journal does not say what the fix wrote'}
  if (symlinkedComponent(path)) return {status: 'kept', reason: `a directory on the way to ${path} is now a symlink`}
  const changed = describeChange(path, after)
  if (changed) return {status: 'kept', reason: `${changed}; the file is kept as is`}
  // Keep what the fix wrote (nothing is deleted), then swap the link back in atomically.
  mkdirSync(join(journal.dir, 'undone'), {recursive: true, mode: 0o700})
  copyNoFollow(path, join(journal.dir, 'undone', String(seq)), after)
  const temp = join(dirname(path), `.${basename(path)}.doctorkit-undo-${seq}`)
  rmSync(temp, {force: true})
  symlinkSync(linkTarget, temp)
  renameSync(temp, path)
  return {status: 'restored'}
}
