/**
 * The public contract of doctorkit: what a check reports and what the JSON report carries.
 * Everything here is serialisable; `schema/report.schema.json` is kept in step with it.
 */

import type {FixReport, FixStep} from './fix/types.js'

export type TargetId = 'executor' | 'runwisp'
export const TARGET_IDS: readonly TargetId[] = ['executor', 'runwisp']

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
  /** Steps `doctor --fix` can take for this finding (docs/fix.md); absent when there is no automatic repair. */
  plan?: FixStep[]
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
  startedAt: string
  durationMs: number
  targets: TargetReport[]
  checks: CheckResult[]
  summary: Summary
  /** Present under `--fix` / `--dry-run`: the plan, what was applied and the re-check results (docs/fix.md). */
  fix?: FixReport
}
