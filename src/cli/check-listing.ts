/**
 * What `doctor checks` shows: every check with the targets it serves and the symptoms it can
 * report, the targets doctor.config.json declares with their catalogues, and the page of one
 * check or one symptom. A declared target's symptoms are registered in the catalogue when its
 * definition is made (src/targets/declared/target.ts), so these read one catalogue for all.
 */
import {allSymptoms, docsFor, symptom, type SymptomEntry} from '../catalogue.js'
import type {CheckDefinition} from '../check.js'
import {closest} from '../config/rules.js'
import {UsageError} from '../engine/doctor.js'
import type {TargetProfile} from '../targets/profile.js'

export interface SymptomRef {
  id: string
  title: string
}

export interface CheckListing {
  id: string
  title: string
  description: string
  /** Built-in target ids, then the declared targets it runs for (a check written once for declared targets). */
  targets: string[]
  symptoms: SymptomRef[]
  dependsOn: string[]
  fixable: boolean
}

export interface DeclaredTargetListing {
  id: string
  name: string
  declaredIn: string
  /** Its generic symptoms (one per generic check) and its own, each with the check that reports it. */
  symptoms: Array<SymptomRef & {check: string}>
}

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

const ref = (id: string): SymptomRef => ({id, title: symptom(id).title})

/** The symptom ids a check reports for one declared target. */
function declaredSymptomIds(check: CheckDefinition, profile: TargetProfile): string[] {
  return (check.declared?.symptoms ?? []).flatMap((slug) =>
    slug === 'declared' ? profile.symptoms.map((s) => s.id) : [`${profile.id}/${slug}`],
  )
}

export function listChecks(checks: readonly CheckDefinition[], profiles: readonly TargetProfile[]): CheckListing[] {
  return checks.map((c) => {
    const declared = c.declared ? profiles : []
    return {
      id: c.id,
      title: c.title,
      description: c.description,
      targets: [...c.targets, ...declared.map((p) => p.id)],
      symptoms: [...c.symptoms, ...declared.flatMap((p) => declaredSymptomIds(c, p))].map(ref),
      dependsOn: [...(c.dependsOn ?? [])],
      fixable: c.fixable,
    }
  })
}

export function listDeclaredTargets(checks: readonly CheckDefinition[], profiles: readonly TargetProfile[]): DeclaredTargetListing[] {
  return profiles.map((p) => ({
    id: p.id,
    name: p.name,
    declaredIn: p.source.configPath,
    symptoms: checks.flatMap((c) => declaredSymptomIds(c, p).map((id) => ({...ref(id), check: c.id}))),
  }))
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

export function formatChecks(listing: readonly CheckListing[], declared: readonly DeclaredTargetListing[]): string {
  const lines: string[] = []
  for (const c of listing) {
    lines.push(`${c.id}  [${c.targets.join(', ')}]${c.fixable ? '  (fixable)' : ''}`, `  ${c.title}: ${c.description}`)
    if (c.dependsOn.length > 0) lines.push(`  runs after: ${c.dependsOn.join(', ')}`)
    for (const s of c.symptoms) lines.push(`    - ${s.id}: ${s.title}`)
    lines.push('')
  }
  for (const t of declared) {
    lines.push(`target ${t.id} (${t.name}), declared in ${t.declaredIn}`)
    for (const s of t.symptoms) lines.push(`    - ${s.id}: ${s.title} (${s.check})`)
    lines.push('')
  }
  return lines.join('\n')
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
