/**
 * The planner: gathers the steps attached to the findings of a report into one ordered plan, in
 * report order, each step once (two findings may ask to quarantine the same file), each passed
 * through the generic guard (guard.ts: canonical paths, never through another user's link).
 */
import type {Report} from '../types.js'
import {guardStep} from './guard.js'
import type {FixStep, PlannedStep} from './types.js'

function keyOf(step: FixStep): string {
  switch (step.kind) {
    case 'quarantine':
    case 'chmod':
    case 'replace-symlink':
      return `${step.kind}:${step.path}`
    case 'terminate':
      return `terminate:${step.process.pid}:${step.process.startedAtMs}`
    case 'run':
      return `run:${step.cwd}:${step.command.join('\0')}`
    case 'manual':
      // Two findings may share a title ("Give the file back…") but not their commands, which name paths.
      return `manual:${step.title}\0${step.instructions.join('\0')}`
  }
}

export function collectPlan(report: Report): PlannedStep[] {
  const seen = new Set<string>()
  const plan: PlannedStep[] = []
  for (const result of report.checks) {
    for (const finding of result.findings) {
      for (const raw of finding.plan ?? []) {
        const step = guardStep(raw)
        const key = keyOf(step)
        if (seen.has(key)) continue
        seen.add(key)
        plan.push({seq: plan.length + 1, origin: {check: result.id, target: result.target, symptom: finding.symptom}, step})
      }
    }
  }
  return plan
}

/** Where a step acts, for people: the path, the process or the command's directory. */
export function whereOf(step: FixStep): string {
  switch (step.kind) {
    case 'quarantine':
    case 'chmod':
    case 'replace-symlink':
      return step.path
    case 'terminate':
      return `pid ${step.process.pid}${step.process.dataDir ? ` (serving ${step.process.dataDir})` : ''}`
    case 'run':
      return step.cwd
    case 'manual':
      return 'by hand'
  }
}
