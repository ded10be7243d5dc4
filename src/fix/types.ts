/**
 * A fix is data (DESIGN.md › Fix plans; doctor-anchors §(d) 3): a list of steps of a closed set of
 * kinds, each with a risk level and the facts its precondition is re-checked against just before
 * it runs. Everything here is JSON: plans travel inside findings and the `--json` report.
 */

/** safe: applied by `--fix`. confirm: applied after a yes on a TTY or with `--yes`. manual: printed, never run. */
export const FIX_RISKS = ['safe', 'confirm', 'manual'] as const
export type FixRisk = (typeof FIX_RISKS)[number]

/**
 * What a path was when the check judged it. A step runs only while the path is still this object
 * in what matters to the step (issue 12 §3): the same device and inode, the same type and owner,
 * and for what it moves or copies the same content (sha256 of a file's bytes or a link's target).
 * Not the mtime of a directory or incidental state the run's own earlier steps changed.
 */
export interface FileFingerprint {
  kind: 'file' | 'dir' | 'symlink'
  dev: number
  ino: number
  size: number
  /** Kept for people and for files too large to hash; compared only when there is no sha256. */
  mtimeMs: number
  /** Permission bits (0o777 mask). */
  mode: number
  /** The owner (absent in journals written before it was pinned). */
  uid?: number
  /** sha256 of a regular file's bytes (up to HASH_CAP) or of a symlink's target text. */
  sha256?: string
}

/**
 * A process as verified when the plan was made. It is signalled only if it is still the same
 * process: same pid and start time, same executable and command line, same working dir and the
 * same values of the environment variables that locate its data dir.
 */
export interface ProcessFingerprint {
  pid: number
  startedAtMs: number
  exe: string | null
  cmdline: string
  cwd: string | null
  /** Environment variables that decide which data the process serves (null: must be unset). */
  environ: Record<string, string | null>
  /** The data dir (or checkout) this process was verified to serve; shown to the user. */
  dataDir: string | null
  /** Why the doctor believes it is the target's own process. */
  verifiedBecause: string
}

/**
 * The pid a file names. `dead`: the step runs only while that pid is not running (a pid that came
 * back means someone is starting up: hands off). `dead-or-same`: the pid was held by an unrelated
 * process (recycled); the step runs while it is dead or still that same process.
 */
export type PidGuard = {pid: number; mustBe: 'dead'} | {pid: number; mustBe: 'dead-or-same'; startedAtMs: number}

interface StepBase {
  /** What the step does, one imperative sentence ("Move the stale server.json to quarantine"). */
  title: string
  /** Why it is needed, with this machine's facts. */
  why: string
  risk: FixRisk
  /** How to undo it ("doctor undo" or why it cannot be undone). */
  undo: string
}

export interface QuarantineStep extends StepBase {
  kind: 'quarantine'
  path: string
  expect: FileFingerprint
  guard?: PidGuard
  /**
   * Only while no process holds an advisory lock (flock, POSIX) on the file: RunWisp 0.16+ claims
   * its data dir with a flock on daemon.pid for the daemon's life (runwisp-facts §1.2, §1.6); a
   * locked pid file belongs to a live daemon, whatever pid it names.
   */
  unlocked?: boolean
}

export interface ChmodStep extends StepBase {
  kind: 'chmod'
  path: string
  /** The mode to set (0o600 files, 0o700 dirs). */
  mode: number
  expect: FileFingerprint
}

export interface ReplaceSymlinkStep extends StepBase {
  kind: 'replace-symlink'
  /** The symlink to replace with a regular file holding the same bytes (mode 0600). */
  path: string
  /** The link as it was (its own lstat). */
  expect: FileFingerprint
  /** What the link holds (readlink), checked again before it is replaced. */
  linkTarget: string
  /** The file it resolves to (realpath), and what that file was. */
  targetPath: string
  targetExpect: FileFingerprint
  mode: number
}

export interface TerminateStep extends StepBase {
  kind: 'terminate'
  process: ProcessFingerprint
  /** How long to wait after SIGTERM before asking whether to SIGKILL. */
  graceMs: number
  /** Signal the process group (only honoured when the process leads its group). */
  group?: boolean
}

export interface RunStep extends StepBase {
  kind: 'run'
  /** argv; run without a shell. */
  command: string[]
  cwd: string
  env?: Record<string, string>
  timeoutMs: number
}

export interface ManualStep extends StepBase {
  kind: 'manual'
  /** Commands or instructions for the user, in order. */
  instructions: string[]
}

export type FixStep = QuarantineStep | ChmodStep | ReplaceSymlinkStep | TerminateStep | RunStep | ManualStep
export type FixStepKind = FixStep['kind']

/** Where a step comes from in the report. */
export interface StepOrigin {
  check: string
  target: string
  symptom: string
}

export interface PlannedStep {
  /** Position in the plan, 1-based; also the step's number in the journal. */
  seq: number
  origin: StepOrigin
  step: FixStep
}

/**
 * What happened to a step. applied: done. not-needed: its goal was already reached (the file is
 * gone, the process exited). skipped: its precondition no longer held (reason says which).
 * not-approved: a confirm step with no TTY and no --yes. declined: the user said no. manual: printed.
 * failed: tried and failed (reason). planned: --dry-run.
 */
export type StepStatus = 'applied' | 'not-needed' | 'skipped' | 'not-approved' | 'declined' | 'manual' | 'failed' | 'planned'

export interface StepResult extends PlannedStep {
  status: StepStatus
  reason?: string
  /** Where a quarantined path now is. */
  quarantinedAt?: string
  /** Output of a run step (tail), or what a terminate step did. */
  detail?: string
}

/**
 * fixed: the re-check passes. still-failing: it still finds something. not-rechecked: it came back
 * `error` (timed out, something it must read is unreadable): the steps were applied but whether
 * they worked is not known, and `reason` says what stopped the re-check. skipped: it came back
 * `skip` (a dependency failed, it no longer applies, a suppression): not a verdict on the fix
 * either way; `reason` says why.
 */
export type RecheckOutcome = 'fixed' | 'still-failing' | 'not-rechecked' | 'skipped'
export const RECHECK_OUTCOMES: readonly RecheckOutcome[] = ['fixed', 'still-failing', 'not-rechecked', 'skipped']

export interface RecheckResult {
  check: string
  target: string
  outcome: RecheckOutcome
  status: string
  /** Why it is not fixed: the remaining findings, what stopped the re-check, or why it was skipped. */
  reason?: string
  remaining: string[]
}

/** The `fix` member of the JSON report under `--fix` / `--dry-run` (docs/fix.md). */
export interface FixReport {
  mode: 'apply' | 'dry-run'
  /** The journal's run id, for `doctor undo <run>`; null when nothing was journaled. */
  runId: string | null
  stateDir: string
  approval: 'tty' | 'yes' | 'none'
  steps: StepResult[]
  recheck: RecheckResult[]
  /** Status counts after the re-checks replaced the affected results. */
  summaryAfter: {pass: number; warn: number; fail: number; skip: number; error: number}
}
