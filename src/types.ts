/**
 * The public contract of doctorkit: what a check reports and what the JSON report carries.
 * Everything here is serialisable; `schema/report.schema.json` is kept in step with it.
 */

import type {FixReport, FixStep} from './fix/types.js'

/** The targets doctorkit ships code for; their ids are reserved (a declared target may not take one). */
export type BuiltinTargetId = 'executor' | 'runwisp'
export const TARGET_IDS: readonly BuiltinTargetId[] = ['executor', 'runwisp']

declare const validTargetId: unique symbol
/**
 * A target's id: a built-in one, or a kebab-case id declared in `doctor.config.json` (`targets`).
 * Open but validated: a string becomes a `TargetId` only through `isTargetId` / `toTargetId`, so
 * an id from a flag or a file cannot reach the engine unchecked. Built-in ids are plain literals.
 */
export type TargetId = BuiltinTargetId | (string & {readonly [validTargetId]: true})

/** kebab-case: lower-case letters and digits in words joined by single hyphens, starting with a letter. */
export const TARGET_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
/** Long enough for any product name, short enough to stay readable in a report column. */
export const TARGET_ID_MAX_LENGTH = 40

export function isTargetId(value: unknown): value is TargetId {
  return typeof value === 'string' && value.length <= TARGET_ID_MAX_LENGTH && TARGET_ID_PATTERN.test(value)
}

export function isBuiltinTargetId(value: unknown): value is BuiltinTargetId {
  return (TARGET_IDS as readonly unknown[]).includes(value)
}

/** Validates an id (for code paths where a bad id is a programming error, not user input). */
export function toTargetId(value: string): TargetId {
  if (!isTargetId(value))
    throw new TypeError(`target id "${value}" is not kebab-case (${TARGET_ID_PATTERN.source}, at most ${TARGET_ID_MAX_LENGTH} characters)`)
  return value
}

/** pass: healthy. warn: works, but something needs attention. fail: broken. skip: not run (why in `reason`). error: could not determine (why in `reason`). */
export type Status = 'pass' | 'warn' | 'fail' | 'skip' | 'error'
export const STATUSES: readonly Status[] = ['pass', 'warn', 'fail', 'skip', 'error']

export type JsonValue = string | number | boolean | null | JsonValue[] | {[key: string]: JsonValue}

/** The facts a verdict rests on: pid, port, owner command line, file mode, HTTP status, timings. */
export type Evidence = Record<string, JsonValue>

/** The documented fix, as the user reads it. */
export interface FixAdvice {
  /** One or two sentences: what to do and why. */
  summary: string
  /** Exact commands to run, in order, with this machine's values filled in. */
  commands: string[]
  /** Where the advice comes from (reference page and section). */
  docs: string
}

export interface Finding {
  /** Stable catalogue id, `<target>/<slug>`. */
  symptom: string
  /** How bad it is: `fail` breaks the product, `warn` needs attention. */
  severity: 'warn' | 'fail'
  message: string
  evidence: Evidence
  fix: FixAdvice
  /** Set when a `doctor.config.json` suppression covers this symptom; it then no longer counts toward the status. */
  suppressed?: SuppressionMark
  /** Steps `doctor --fix` can take for this finding (docs/fix.md); absent when there is no automatic repair. */
  plan?: FixStep[]
}

/** Why and until when a result or finding is suppressed (`doctor.config.json` `suppress`). */
export interface SuppressionMark {
  /** Required in the config: why this is accepted for now. */
  reason: string
  /** As written in the config: `YYYY-MM-DD` (through the end of that UTC day) or an ISO date-time. */
  expires: string
}

export interface CheckResult {
  id: string
  target: TargetId
  title: string
  status: Status
  durationMs: number
  /** Why the check was skipped or could not decide; absent for pass/warn/fail. */
  reason?: string
  findings: Finding[]
  /**
   * Set when a config suppression covers the whole result. The status is then `skip` (the reason
   * says "suppressed until …"), the findings are kept and marked, and `status` here is what the
   * result would have been without the suppression.
   */
  suppressed?: SuppressionMark & {status: 'warn' | 'fail' | 'error'; statusReason?: string}
  /** Set when the check took more than half of its timeout: close to turning into an `error`. */
  slow?: {timeoutMs: number}
  /**
   * Set when the check found more than `cap` findings: `findings` keeps `cap` of them (failures
   * first, then in the check's order) and this counts the rest by symptom. The status counts all.
   */
  omittedFindings?: {count: number; cap: number; bySymptom: Record<string, number>}
}

export interface TargetReport {
  id: TargetId
  detected: boolean
  /** True when `--target` asked for it, whether or not it was detected. */
  forced: boolean
  generation: string | null
  /** Why this generation (or why none could be told). */
  generationReason: string
  dataDir: string | null
  /** What made the doctor consider the target present. */
  reasons: string[]
}

export interface Summary {
  pass: number
  warn: number
  fail: number
  skip: number
  error: number
}

export interface Report {
  schemaVersion: 1
  tool: {name: string; version: string}
  /** The machine's host name (`--hostname` overrides it): what `doctor report merge` calls the host. Absent in reports written before the field was added (additive to schema version 1). */
  host?: string
  startedAt: string
  durationMs: number
  targets: TargetReport[]
  checks: CheckResult[]
  summary: Summary
  /** The `doctor.config.json` that shaped the run, and what became of each of its suppressions. */
  config?: ConfigReport
  /** Present under `--fix` / `--dry-run`: the plan, what was applied and the re-check results (docs/fix.md). */
  fix?: FixReport
}

export interface SuppressionReport extends SuppressionMark {
  check?: string
  symptom?: string
  target?: TargetId
  /** active: in force; expired: past its date, so it fails the run; unused: nothing left to suppress. */
  state: 'active' | 'expired' | 'unused'
  /** Results it covers (or would cover, once expired), as `<target>:<check id>`. */
  matches: string[]
}

export interface ConfigReport {
  /** Absolute path of the config file. */
  path: string
  /** Checks skipped by the config (not run). */
  skip: string[]
  suppressions: SuppressionReport[]
  watchPorts: number[]
}
