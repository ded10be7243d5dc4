/**
 * The page `doctor checks <symptom id>` shows. The list itself and a check's page are the API's
 * (src/api/targets.ts), so the CLI and a host's `doctor checks` are one path. A declared target's
 * symptoms are registered in the catalogue when its definition is made
 * (src/targets/declared/target.ts), so this reads one catalogue for all.
 */
import {allSymptoms, docsFor, type SymptomEntry} from '../catalogue.js'
import {closest} from '../config/rules.js'
import {UsageError} from '../engine/doctor.js'

/** `doctor checks <symptom id>`: what the symptom means and what to do. */
export interface SymptomPage {
  id: string
  target: string
  title: string
  severity: 'warn' | 'fail'
  cause: string
  fix: {summary: string; commands: string[]}
  /** The check that reports it, when one does. */
  check: string | null
  docs: string
}

function pageOf(entry: SymptomEntry): SymptomPage {
  return {
    id: entry.id,
    target: entry.target,
    title: entry.title,
    severity: entry.severity,
    cause: entry.cause,
    fix: {summary: entry.fix.summary, commands: [...entry.fix.commands]},
    check: entry.check ?? null,
    docs: docsFor(entry),
  }
}

/**
 * The page `doctor checks <id>` shows for an id that is not a check: a symptom of the catalogue
 * (built-in or declared). Anything else is a usage error naming the closest ids.
 */
export function symptomPage(id: string, checkIds: readonly string[]): SymptomPage {
  const entry = allSymptoms().find((s) => s.id === id)
  if (entry) return pageOf(entry)
  const isSymptom = id.includes('/')
  const candidates = isSymptom ? allSymptoms().map((s) => s.id) : checkIds
  throw new UsageError(`unknown ${isSymptom ? 'symptom' : 'check'} id "${id}"; \`doctor checks\` lists them`, [
    ...closest(id, candidates),
    ...(isSymptom ? ["a declared target's symptoms are listed when `doctor checks` reads its config (--config FILE)"] : []),
  ])
}

export function formatSymptomPage(page: SymptomPage): string {
  return [
    `${page.id}: ${page.title} (${page.severity})`,
    `  cause: ${page.cause}`,
    `  fix: ${page.fix.summary}`,
    ...page.fix.commands.map((c) => `    $ ${c}`),
    page.check ? `  reported by: ${page.check} (doctor --only ${page.check} --target ${page.target})` : '  reported by: no check',
    `  docs: ${page.docs}`,
    '',
  ].join('\n')
}
