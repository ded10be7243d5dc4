/**
 * Targets and checks for a host: `defineTarget` declares a target in code with the same profile a
 * doctor.config.json declaration produces (so every generic check serves it), plus the host's own
 * checks; `listChecks` / `renderCheckList` / `checkPage` are `doctor checks` for a host's command.
 */
import {isAbsolute} from 'node:path'
import {checks as registeredChecks} from '../../checks/index.js'
import {symptom} from '../catalogue.js'
import type {CheckDefinition} from '../check.js'
import {readCheckPage} from '../check-docs.js'
import {UsageError} from '../engine/doctor.js'
import {declaredTarget} from '../targets/declared/target.js'
import {targets as registeredTargets} from '../targets/index.js'
import type {TargetProfile} from '../targets/profile.js'
import type {TargetDefinition} from '../targets/types.js'
import {isBuiltinTargetId, isTargetId, TARGET_ID_PATTERN, type TargetId} from '../types.js'

/** A target for `runDoctor({targets})`, `explain` and `createBundle`: made by `defineTarget`. */
export interface DoctorTarget {
  readonly id: TargetId
  readonly name: string
  readonly profile: TargetProfile
  /** The host's own checks for this target, run beside the generic ones. */
  readonly checks: readonly CheckDefinition[]
}

/**
 * What `defineTarget` takes: a `TargetProfile` (the validated form of a config declaration:
 * absolute paths, numeric modes, compiled regexes) whose lists may be left out, and the host's checks.
 */
export type TargetDeclaration = {id: string; name?: string} & Partial<Omit<TargetProfile, 'id' | 'name' | 'source'>> & {
    /** Where the declaration lives, for messages ("declared in …"); default: "code (defineTarget)". */
    source?: {configPath: string}
    /** Checks of the host's own, for this target: each lists the target's id in `targets`. */
    checks?: readonly CheckDefinition[]
  }

const definitions = new WeakMap<DoctorTarget, TargetDefinition>()

/** Validates a declaration (UsageError naming the field otherwise) and registers its symptoms for explain. */
export function defineTarget(declaration: TargetDeclaration): DoctorTarget {
  const {id, checks = [], ...facts} = declaration
  const bad = (field: string, problem: string): never => {
    throw new UsageError(`defineTarget(${JSON.stringify(id)}): ${field} ${problem}`)
  }
  if (!isTargetId(id)) bad('id', `must be kebab-case (${TARGET_ID_PATTERN.source})`)
  if (isBuiltinTargetId(id)) bad('id', 'is a built-in target; give the declaration an id of its own')
  const ports = [...(facts.ports ?? [])]
  if (facts.health && !ports.includes(facts.health.port)) ports.push(facts.health.port)
  for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) bad('ports', `holds ${p}, not a TCP port`)
  const profile: TargetProfile = {
    ...facts,
    id: id as TargetId,
    name: facts.name ?? id,
    ports,
    secrets: [...(facts.secrets ?? [])],
    env: [...(facts.env ?? [])],
    configs: [...(facts.configs ?? [])],
    logs: [...(facts.logs ?? [])],
    symptoms: [...(facts.symptoms ?? [])],
    source: declaration.source ?? {configPath: 'code (defineTarget)'},
  }
  const paths: Array<[string, string | undefined]> = [
    ['dataDir.path', profile.dataDir?.path],
    ['pidFile.path', profile.pidFile?.path],
    ...profile.secrets.map((s, i): [string, string] => [`secrets[${i}].path`, s.path]),
    ...profile.configs.map((p, i): [string, string] => [`configs[${i}]`, p]),
    ...profile.logs.map((p, i): [string, string] => [`logs[${i}]`, p]),
    ...(profile.detect?.paths ?? []).map((p, i): [string, string] => [`detect.paths[${i}]`, p]),
  ]
  for (const [field, path] of paths) if (path !== undefined && !isAbsolute(path)) bad(field, `"${path}" is not an absolute path`)
  for (const s of profile.symptoms) if (!s.id.startsWith(`${id}/`)) bad('symptoms', `id "${s.id}" must start with "${id}/"`)
  for (const c of checks) if (!c.targets.includes(profile.id)) bad('checks', `"${c.id}" does not list "${id}" in its targets`)
  const target: DoctorTarget = {id: profile.id, name: profile.name, profile, checks: [...checks]}
  definitions.set(target, declaredTarget(profile))
  return target
}

/** The engine's definition of a defined target (its detection reads only the profile). */
export function definitionOf(target: DoctorTarget): TargetDefinition {
  let definition = definitions.get(target)
  if (!definition) definitions.set(target, (definition = declaredTarget(target.profile)))
  return definition
}

/** The built-in targets, in report order. */
export function builtinTargets(): Array<{id: TargetId; name: string}> {
  return registeredTargets.map((t) => ({id: t.id, name: t.name}))
}

export interface SymptomRef {
  id: string
  title: string
}

/** One row of `doctor checks --json`. */
export interface CheckListing {
  id: string
  title: string
  description: string
  /** Built-in target ids, then the defined and declared targets it runs for (a check written once for declared targets). */
  targets: string[]
  symptoms: SymptomRef[]
  dependsOn: string[]
  fixable: boolean
}

/** A target defined in code or declared in doctor.config.json, as `doctor checks` lists it after the checks. */
export interface DeclaredTargetListing {
  id: string
  name: string
  declaredIn: string
  /** Its generic symptoms (one per generic check) and its own, each with the check that reports it. */
  symptoms: Array<SymptomRef & {check: string}>
}

/** The checks a listing covers: the built-in ones, then each target's own. */
function checksOf(targets: readonly DoctorTarget[]): CheckDefinition[] {
  return [...registeredChecks, ...targets.flatMap((t) => t.checks)]
}

/** The symptom ids a check reports for one declared target. */
function declaredSymptomIds(check: CheckDefinition, profile: TargetProfile): string[] {
  return (check.declared?.symptoms ?? []).flatMap((slug) =>
    slug === 'declared' ? profile.symptoms.map((s) => s.id) : [`${profile.id}/${slug}`],
  )
}

const ref = (id: string): SymptomRef => ({id, title: titleOf(id)})

/**
 * Every check (`doctor checks`), a host's own after them; a check written for declared targets
 * lists each of `targets` (defined in code or read from a config) with the symptoms it reports there.
 */
export function listChecks(options: {targets?: readonly DoctorTarget[]} = {}): CheckListing[] {
  const targets = options.targets ?? []
  return checksOf(targets).map((c) => {
    const declared = c.declared ? targets.map((t) => t.profile) : []
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

/** The targets of a listing with the symptoms every check reports for each (the tail of `doctor checks`). */
export function listDeclaredTargets(targets: readonly DoctorTarget[]): DeclaredTargetListing[] {
  const all = checksOf(targets)
  return targets.map(({profile: p}) => ({
    id: p.id,
    name: p.name,
    declaredIn: p.source.configPath,
    symptoms: all.flatMap((c) => declaredSymptomIds(c, p).map((id) => ({...ref(id), check: c.id}))),
  }))
}

/**
 * A doctor.config.json declaration as a target of the listing: no checks of its own. Its symptoms
 * reach the catalogue when its definition is made (src/targets/declared/target.ts).
 */
export function configTarget(profile: TargetProfile): DoctorTarget {
  return {id: profile.id, name: profile.name, profile, checks: []}
}

function titleOf(id: string): string {
  try {
    return symptom(id).title
  } catch {
    return id
  }
}

/** A check's page (docs/checks/<id>.md, embedded in the build), or null for a check without one. */
export function checkPage(id: string): string | null {
  return readCheckPage(id)
}

/**
 * `doctor checks` as text (human) or `doctor checks --json`. With `targets` (listDeclaredTargets),
 * they follow the checks: a section each in text, a `targets` array in JSON.
 */
export function renderCheckList(
  listing: readonly CheckListing[],
  format: 'human' | 'json' = 'human',
  targets?: readonly DeclaredTargetListing[],
): string {
  if (format === 'json') return JSON.stringify(targets ? {checks: listing, targets} : {checks: listing}, null, 2) + '\n'
  const lines: string[] = []
  for (const c of listing) {
    lines.push(`${c.id}  [${c.targets.join(', ')}]${c.fixable ? '  (fixable)' : ''}`, `  ${c.title}: ${c.description}`)
    if (c.dependsOn.length > 0) lines.push(`  runs after: ${c.dependsOn.join(', ')}`)
    for (const s of c.symptoms) lines.push(`    - ${s.id}: ${s.title}`)
    lines.push('')
  }
  for (const t of targets ?? []) {
    lines.push(`target ${t.id} (${t.name}), declared in ${t.declaredIn}`)
    for (const s of t.symptoms) lines.push(`    - ${s.id}: ${s.title} (${s.check})`)
    lines.push('')
  }
  return lines.join('\n')
}
