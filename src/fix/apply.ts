/**
 * The apply engine: runs a plan step by step under the fix lock, journaling each change before it
 * is made. Just before each step its precondition is checked again against the machine as it is
 * now (DESIGN.md › Fix plans): no symlink in the path, the file unchanged, the pid still dead or
 * still the same verified process. A step whose precondition no longer holds is skipped, with why.
 */
import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readlinkSync, renameSync, rmSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {readFdSync} from '../probes/files.js'
import {locksOn, readLocks} from '../probes/locks.js'
import {ProcessProbe} from '../probes/processes.js'
import {describeChange, fingerprint, fsyncPath, lstatOrNull, moveNoFollow, symlinkedComponent} from './fsops.js'
import {Journal} from './journal.js'
import {terminateVerified} from './process-control.js'
import type {
  ChmodStep,
  FileFingerprint,
  PidGuard,
  PlannedStep,
  QuarantineStep,
  ReplaceSymlinkStep,
  RunStep,
  StepResult,
  StepStatus,
  TerminateStep,
} from './types.js'

export type Answer = 'yes' | 'no' | 'no-tty'

export interface ApplyOptions {
  stateDir: string
  /** The command line, recorded in the journal. */
  command: string
  tool: string
  /** Consent for a confirm step (`apply`) or for escalating a terminate to SIGKILL (`sigkill`). */
  approve(planned: PlannedStep, question: 'apply' | 'sigkill'): Promise<Answer>
  onResult?(result: StepResult): void
}

export interface ApplyOutcome {
  runId: string | null
  journalPath: string | null
  results: StepResult[]
}

type Outcome = {
  status: StepStatus
  reason?: string
  quarantinedAt?: string
  detail?: string
  method?: 'rename' | 'copy'
  after?: FileFingerprint
}

/** Applies `plan` in order. The caller holds the fix lock (see lock.ts). */
export async function applyPlan(plan: PlannedStep[], options: ApplyOptions): Promise<ApplyOutcome> {
  const acting = plan.some((p) => p.step.risk !== 'manual')
  const journal = acting ? Journal.create(options.stateDir, options.command, options.tool) : null
  const results: StepResult[] = []
  // What this run's own applied steps left (by the object they found): later steps are checked
  // against the state as it now is, not as the diagnosis saw it (issue 12 §3).
  const leftBy = new Map<string, FileFingerprint>()
  try {
    for (const original of plan) {
      const planned = rebase(original, leftBy)
      const outcome = await applyOne(planned, journal, options)
      if (outcome.status === 'applied' && outcome.after && 'expect' in planned.step)
        leftBy.set(identity(planned.step.expect), outcome.after)
      const {method, after, ...shown} = outcome
      const result: StepResult = {...planned, ...shown}
      if (journal && outcome.status !== 'manual') {
        journal.append({
          type: 'result',
          seq: planned.seq,
          at: new Date().toISOString(),
          ...shown,
          ...(method ? {method} : {}),
          ...(after ? {after} : {}),
        })
      }
      results.push(result)
      options.onResult?.(result)
    }
    journal?.append({type: 'end', at: new Date().toISOString()})
  } finally {
    journal?.close()
  }
  return {runId: journal?.runId ?? null, journalPath: journal?.path ?? null, results}
}

const identity = (f: FileFingerprint) => `${f.dev}:${f.ino}`

/** `planned` with the fingerprints of objects an earlier step of this run changed replaced by what that step left. */
function rebase(planned: PlannedStep, leftBy: ReadonlyMap<string, FileFingerprint>): PlannedStep {
  const step = planned.step
  if (leftBy.size === 0 || !('expect' in step)) return planned
  const now = (f: FileFingerprint) => leftBy.get(identity(f)) ?? f
  const rebased =
    step.kind === 'replace-symlink'
      ? {...step, expect: now(step.expect), targetExpect: now(step.targetExpect)}
      : {...step, expect: now(step.expect)}
  return {...planned, step: rebased}
}

async function applyOne(planned: PlannedStep, journal: Journal | null, options: ApplyOptions): Promise<Outcome> {
  const {step} = planned
  if (step.risk === 'manual' || step.kind === 'manual') return {status: 'manual'}
  if (step.risk === 'confirm') {
    const answer = await options.approve(planned, 'apply')
    if (answer === 'no-tty')
      return {status: 'not-approved', reason: 'needs confirmation: run `doctor --fix` on a terminal to be asked, or add --yes'}
    if (answer === 'no') return {status: 'declined', reason: 'you declined this step'}
  }
  if (!journal) return {status: 'failed', reason: 'no journal'}
  try {
    switch (step.kind) {
      case 'quarantine':
        return await quarantine(planned, step, journal)
      case 'chmod':
        return chmod(planned, step, journal)
      case 'replace-symlink':
        return replaceSymlink(planned, step, journal)
      case 'terminate':
        return await terminate(planned, step, journal, options)
      case 'run':
        return await run(planned, step, journal)
    }
  } catch (error) {
    return {status: 'failed', reason: (error as Error).message}
  }
}

/** Why the path's directories are unsafe to act in, or null. */
function pathProblem(path: string): string | null {
  const link = symlinkedComponent(path)
  return link ? `${link} is a symlink; the doctor never acts through a symlinked directory` : null
}

async function guardProblem(guard: PidGuard | undefined): Promise<string | null> {
  if (!guard) return null
  const lookup = await new ProcessProbe().get(guard.pid)
  if (lookup.alive === 'unknown') return `cannot tell whether pid ${guard.pid} is running (${lookup.reason})`
  if (lookup.alive === false || lookup.info.state === 'Z') return null
  if (guard.mustBe === 'dead-or-same' && Math.abs(lookup.info.startedAtMs - guard.startedAtMs) < 50) return null
  return `pid ${guard.pid} is running again (${lookup.info.cmdline}); something may be starting up, so the file is left alone`
}

/** Why the file must be left alone because someone holds a lock on it (read from /proc/locks: never by taking the lock), or null. */
async function lockProblem(path: string, expect: FileFingerprint): Promise<string | null> {
  const locks = await readLocks()
  if (!locks) return `cannot tell whether a process holds a lock on ${path} (no /proc/locks), so it is left alone`
  const holders = [...new Set(locksOn(locks, expect.dev, expect.ino).map((l) => l.pid))]
  return holders.length > 0 ? `${path} is locked by pid ${holders.join(', ')} (a live daemon owns it), so it is left alone` : null
}

async function quarantine(planned: PlannedStep, step: QuarantineStep, journal: Journal): Promise<Outcome> {
  const unsafe = pathProblem(step.path)
  if (unsafe) return {status: 'skipped', reason: unsafe}
  if (!lstatOrNull(step.path)) return {status: 'not-needed', detail: `${step.path} is already gone`}
  const changed = describeChange(step.path, step.expect)
  if (changed) return {status: 'skipped', reason: `${changed}; it is left alone`}
  const guard = await guardProblem(step.guard)
  if (guard) return {status: 'skipped', reason: guard}
  const locked = step.unlocked ? await lockProblem(step.path, step.expect) : null
  if (locked) return {status: 'skipped', reason: locked}
  const payload = journal.payloadPath(planned.seq)
  journal.append({type: 'intent', seq: planned.seq, at: new Date().toISOString(), origin: planned.origin, step, payload})
  const method = moveNoFollow(step.path, payload, {expect: step.expect, onCopied: () => journal.append({type: 'copied', seq: planned.seq})})
  return {status: 'applied', quarantinedAt: payload, detail: `moved to ${payload} (${method})`, method}
}

function chmod(planned: PlannedStep, step: ChmodStep, journal: Journal): Outcome {
  const unsafe = pathProblem(step.path)
  if (unsafe) return {status: 'skipped', reason: unsafe}
  // Identity, type and owner; the mode is the step's own business (below). Content is not: a chmod moves no bytes.
  const changed = describeChange(step.path, step.expect, {mode: false, content: false})
  if (changed) return {status: changed.endsWith('no longer exists') ? 'not-needed' : 'skipped', reason: changed}
  // Open without following links and change the mode through the descriptor: what is checked is what is changed.
  const fd = openSync(step.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (st.dev !== step.expect.dev || st.ino !== step.expect.ino)
      return {status: 'skipped', reason: `${step.path} was replaced while being opened`}
    if ((st.mode & 0o777) === step.mode) return {status: 'not-needed', detail: `${step.path} is already ${octal(step.mode)}`}
    if ((st.mode & 0o777) !== step.expect.mode)
      return {
        status: 'skipped',
        reason: `${step.path} changed mode since the check (${octal(st.mode & 0o777)}, was ${octal(step.expect.mode)}); it is left as it is`,
      }
    if (step.expect.uid !== undefined && st.uid !== step.expect.uid)
      return {status: 'skipped', reason: `${step.path} changed owner while being opened`}
    journal.append({type: 'intent', seq: planned.seq, at: new Date().toISOString(), origin: planned.origin, step})
    fchmodSync(fd, step.mode)
    return {status: 'applied', detail: `${step.path}: ${octal(st.mode & 0o777)} → ${octal(step.mode)}`, after: fingerprint(fstatSync(fd))}
  } finally {
    closeSync(fd)
  }
}

function replaceSymlink(planned: PlannedStep, step: ReplaceSymlinkStep, journal: Journal): Outcome {
  const unsafe = pathProblem(step.path) ?? pathProblem(step.targetPath)
  if (unsafe) return {status: 'skipped', reason: unsafe}
  const changed = describeChange(step.path, step.expect)
  if (changed) return {status: 'skipped', reason: `${changed}; it is left alone`}
  if (readlinkSync(step.path) !== step.linkTarget) return {status: 'skipped', reason: `${step.path} now points elsewhere`}
  const targetChanged = describeChange(step.targetPath, step.targetExpect)
  if (targetChanged) return {status: 'skipped', reason: `the link's target changed: ${targetChanged}`}
  const bytes = readNoFollow(step.targetPath, step.targetExpect.ino)
  if (step.targetExpect.sha256 !== undefined && createHash('sha256').update(bytes).digest('hex') !== step.targetExpect.sha256) {
    return {status: 'skipped', reason: `the link's target ${step.targetPath} was rewritten while being read; it is left alone`}
  }
  const temp = join(dirname(step.path), `.${basename(step.path)}.doctorkit-${planned.seq}-${randomBytes(3).toString('hex')}`)
  journal.append({type: 'intent', seq: planned.seq, at: new Date().toISOString(), origin: planned.origin, step, temp})
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, step.mode)
  try {
    let offset = 0
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset)
    fchmodSync(fd, step.mode)
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    rmSync(temp, {force: true})
    throw error
  }
  closeSync(fd)
  // rename(2) replaces the link itself, atomically: the path is always either the link or the full file.
  renameSync(temp, step.path)
  fsyncPath(dirname(step.path))
  const after = lstatOrNull(step.path)
  return {
    status: 'applied',
    detail: `${step.path} is now a regular file (${bytes.length} bytes, mode ${octal(step.mode)}); it pointed to ${step.linkTarget}`,
    ...(after ? {after: fingerprint(after, step.path)} : {}),
  }
}

function readNoFollow(path: string, ino: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (st.ino !== ino || !st.isFile()) throw new Error(`${path} was replaced while being read`)
    return readFdSync(fd, st.size)
  } finally {
    closeSync(fd)
  }
}

async function terminate(planned: PlannedStep, step: TerminateStep, journal: Journal, options: ApplyOptions): Promise<Outcome> {
  let announced = false
  const outcome = await terminateVerified(step.process, {
    graceMs: step.graceMs,
    group: step.group,
    confirmKill: async () => (await options.approve(planned, 'sigkill')) === 'yes',
    beforeSignal: (signal) => {
      if (!announced) journal.append({type: 'intent', seq: planned.seq, at: new Date().toISOString(), origin: planned.origin, step})
      announced = true
      void signal
    },
  })
  if (outcome.status === 'applied' || outcome.status === 'not-needed') return {status: outcome.status, detail: outcome.detail}
  return {status: outcome.status, reason: outcome.reason}
}

const OUTPUT_TAIL = 2000

function run(planned: PlannedStep, step: RunStep, journal: Journal): Promise<Outcome> {
  journal.append({type: 'intent', seq: planned.seq, at: new Date().toISOString(), origin: planned.origin, step})
  const [file, ...args] = step.command
  return new Promise((resolve) => {
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL)
    }
    const child = spawn(file!, args, {cwd: step.cwd, env: {...process.env, ...step.env}, stdio: ['ignore', 'pipe', 'pipe']})
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), step.timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      resolve({status: 'failed', reason: `could not run ${step.command.join(' ')}: ${error.message}`})
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const tail = output.trim()
      if (code === 0) resolve({status: 'applied', detail: tail || `${step.command.join(' ')} exited 0`})
      else if (signal)
        resolve({status: 'failed', reason: `${step.command.join(' ')} was stopped after ${step.timeoutMs} ms (${signal})`, detail: tail})
      else
        resolve({
          status: 'failed',
          reason: `${step.command.join(' ')} exited with ${code}${tail ? `: ${tail.split('\n').slice(-3).join(' / ')}` : ''}`,
          detail: tail,
        })
    })
  })
}

export function octal(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0')
}
