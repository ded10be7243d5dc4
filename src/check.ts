/**
 * The check contract. One check per file in `checks/`; the file's basename is its id.
 * A check declares what it is (metadata) beside what it does (`detect`), and `detect` only reads.
 */
import type {CheckContext} from './context.js'
import type {Alongside, BuiltInProfile, TargetFacts} from './targets/profile.js'
import type {DetectedTarget} from './targets/types.js'
import {isTargetId, type Finding, type TargetId} from './types.js'

/** Returned by `detect` when the check does not apply here; the reason is shown to the user. */
export interface Skip {
  skip: string
}

export type Verdict = Finding[] | Skip

export interface CheckDefinition {
  /** kebab-case; equals the file's basename in checks/. Public contract: never renamed. */
  id: string
  /** Imperative title shown while the check runs ("Check …"). */
  title: string
  /** One sentence on what the check protects against. */
  description: string
  /** Targets the check knows how to judge. It runs once per detected target in this list. */
  targets: readonly TargetId[]
  /** Catalogue ids this check may report; a test holds every finding to this list. */
  symptoms: readonly string[]
  /** Checks (same target) whose failure makes this one meaningless: it is then skipped, with why. */
  dependsOn?: readonly string[]
  /** Deadline for this check; defaults to the run's per-check timeout. */
  timeoutMs?: number
  /** Whether `doctor --fix` has a plan for some of its findings. */
  fixable: boolean
  /** Reads the machine and returns findings ([] = healthy). Throws `Undetermined` when it cannot decide. */
  detect(ctx: CheckContext, target: DetectedTarget): Promise<Verdict>
  /**
   * The check written once against a profile's facts: it runs for every declared target
   * (doctor.config.json `targets`) and reports `<target>/<slug>` for the slugs it lists.
   */
  declared?: DeclaredCheck
}

/** Generic symptoms a declared target's checks report, as `<target id>/<slug>` (src/targets/declared/symptoms.ts). */
export type GenericSymptom =
  | 'unhealthy'
  | 'not-answering'
  | 'hung'
  | 'impostor'
  | 'port-squatter'
  | 'stale-pid-file'
  | 'recycled-pid-file'
  | 'data-dir-mode'
  | 'data-dir-owner'
  | 'data-dir-missing'
  | 'secret-mode'
  | 'secret-symlink'
  | 'disk-low'
  | 'clock-skew'
  | 'pid-file-locked'
  | 'pid-file-mismatch'
  | 'duplicate-daemon'

/** A generic check's behaviour, written once: the facts it needs come from the target's profile. */
export interface DeclaredCheck {
  /** Generic symptoms it may report, and `declared` when it reports the profile's own symptoms (its log lines). */
  symptoms: ReadonlyArray<GenericSymptom | 'declared'>
  /** The product-own symptom sets it reports through a profile hook (stale-lock: `lock-files`); each built-in lists their ids. */
  hookSymptoms?: readonly HookSymptoms[]
  /** Reads the machine for this profile; skips with a reason when the profile lacks the facts. */
  detect(ctx: CheckContext, profile: TargetFacts, target: DetectedTarget): Promise<Verdict>
}

/** Symptoms a product reports through a profile hook: its lock files (`hooks.lockFiles`), its daemon records (`hooks.records`). */
export type HookSymptoms = 'lock-files' | 'records'

/**
 * One target's half of a check: the symptoms it reports for that target and how it detects them.
 * Lives with the target (`src/targets/<target>/checks/<check-id>.ts`); the check file in `checks/`
 * composes the targets it supports with `perTarget`.
 */
export interface TargetCheck {
  symptoms: readonly string[]
  detect(ctx: CheckContext, target: DetectedTarget): Promise<Verdict>
}

/** Composes per-target implementations into a check's `targets`, `symptoms` and `detect`. */
export function perTarget(
  implementations: Partial<Record<TargetId, TargetCheck>>,
  declared?: DeclaredCheck,
): Pick<CheckDefinition, 'targets' | 'symptoms' | 'detect' | 'declared'> {
  const entries = Object.entries(implementations) as Array<[TargetId, TargetCheck]>
  return {
    targets: entries.map(([id]) => id),
    symptoms: entries.flatMap(([, impl]) => impl.symptoms),
    ...(declared ? {declared} : {}),
    detect(ctx, target) {
      if (target.profile)
        return declared ? declared.detect(ctx, target.profile, target) : Promise.resolve(skip(`not applicable to declared targets`))
      const impl = implementations[target.id]
      if (!impl) return Promise.resolve(skip(`not applicable to ${target.id}`))
      return impl.detect(ctx, target)
    },
  }
}

/**
 * A generic check written once: one behaviour serves every declared target (its profile) and the
 * built-ins listed (their profile producers). `alongside` runs what only one product has beside
 * it (RunWisp's cron timezone beside clock-skew): its findings join the generic ones; when the
 * generic half skips, the companion's verdict stands, and a companion with nothing to judge skips.
 */
export function writtenOnce(
  generic: DeclaredCheck,
  builtIns: readonly BuiltInProfile[],
  alongside: Alongside = {},
): Pick<CheckDefinition, 'targets' | 'symptoms' | 'detect' | 'declared'> {
  const profiles = new Map(builtIns.map((b) => [b.id, b]))
  const reported = (b: BuiltInProfile) => [
    ...generic.symptoms.flatMap((slug) => (slug === 'declared' ? b.logSymptomIds : (b.symptomIds[slug] ?? []))),
    ...(generic.hookSymptoms ?? []).flatMap((set) => b.hookSymptomIds?.[set] ?? []),
  ]
  return {
    targets: [...new Set([...profiles.keys(), ...(Object.keys(alongside) as TargetId[])])],
    symptoms: [...new Set([...builtIns.flatMap(reported), ...Object.values(alongside).flatMap((companion) => companion?.symptoms ?? [])])],
    declared: generic,
    async detect(ctx, target) {
      if (target.profile) return generic.detect(ctx, target.profile, target)
      const builtIn = profiles.get(target.id)
      const companion = alongside[target.id]
      if (!builtIn) return companion ? companion.detect(ctx, target) : skip(`not applicable to ${target.id}`)
      const verdict = await generic.detect(ctx, await builtIn.facts(ctx, target), target)
      if (!companion) return verdict
      let more: Verdict
      try {
        more = await companion.detect(ctx, target)
      } catch (error) {
        // As in `conclude`: undecided is the verdict only over nothing found, so what the generic
        // half found stands when the companion cannot decide (RunWisp: a port holder's data dir).
        if (error instanceof Undetermined && !isSkip(verdict) && verdict.length > 0) return verdict
        throw error
      }
      if (isSkip(more)) return verdict
      if (isSkip(verdict)) return more
      return [...verdict, ...more]
    },
  }
}

/**
 * Whether `check` runs for `target`: a target it names (a built-in, or a target a host defined in
 * code with its own checks), or a declared target when it has a generic half.
 */
export function appliesTo(check: CheckDefinition, target: DetectedTarget): boolean {
  return check.targets.includes(target.id) || (target.profile !== undefined && check.declared !== undefined)
}

/**
 * What `defineCheck` takes: a `CheckDefinition` whose `targets` may be written as plain strings
 * (`['kv']`), as a host writes the id of a target it declares in code; each is validated here.
 */
export type CheckDeclaration = Omit<CheckDefinition, 'targets'> & {
  /** Built-in target ids or kebab-case ids of declared targets (`defineTarget`, doctor.config.json). */
  targets: readonly string[]
}

export function defineCheck(declaration: CheckDeclaration): CheckDefinition {
  if (!/^[a-z][a-z0-9-]*$/.test(declaration.id)) throw new Error(`check id ${declaration.id} is not kebab-case`)
  if (declaration.targets.length === 0) throw new Error(`check ${declaration.id} names no target`)
  const definition: CheckDefinition = {
    ...declaration,
    targets: declaration.targets.map((id) => {
      if (!isTargetId(id)) throw new Error(`check ${declaration.id} names the target "${id}", which is not a kebab-case target id`)
      return id
    }),
  }
  for (const symptomId of definition.symptoms) {
    const target = symptomId.split('/')[0] as TargetId
    if (!definition.targets.includes(target))
      throw new Error(`check ${definition.id} reports ${symptomId} for a target it does not declare`)
  }
  return {...definition, detect: keptToMetadata(definition)}
}

/**
 * `detect`, held to the check's own metadata on every run: a finding of a target the check
 * declares must be one of its declared symptoms, and a check that declares `fixable: false` plans
 * nothing but manual steps (what `fixable` means: docs/fix.md › What each finding's plan is).
 * A breach is a bug in the check, so the result is `error` ("the check crashed: …"), never a
 * report that contradicts `doctor checks`. Targets declared in a config bring their own symptoms.
 */
function keptToMetadata(definition: CheckDefinition): CheckDefinition['detect'] {
  const {id, detect, fixable, symptoms, targets} = definition
  return async (ctx, target) => {
    const verdict = await detect(ctx, target)
    if (isSkip(verdict)) return verdict
    for (const f of verdict) {
      if (targets.includes(target.id) && !symptoms.includes(f.symptom))
        throw new Error(`check ${id} reported ${f.symptom}, which it does not declare`)
      const acting = fixable ? undefined : f.plan?.find((step) => step.kind !== 'manual')
      if (acting) throw new Error(`check ${id} declares fixable: false but planned a ${acting.kind} step for ${f.symptom}`)
    }
    return verdict
  }
}

/**
 * Thrown by `detect` when the check cannot decide (timeout, permission denied, probe crashed).
 * The result is `error` with this reason: never a guessed pass or fail.
 */
export class Undetermined extends Error {
  constructor(
    reason: string,
    readonly evidence: Record<string, string | number | boolean | null> = {},
  ) {
    super(reason)
    this.name = 'Undetermined'
  }
}

/**
 * The verdict of a check that judges several things (files, ports, processes): what it found,
 * or — when it found nothing but could not judge some of them — `error` with what it could not
 * judge. Reporting a pass over things it never saw would be a guess.
 */
export function conclude(findings: Finding[], undecided: string[], lead?: string): Finding[] {
  if (undecided.length > 0 && findings.length === 0) throw new Undetermined(lead ? `${lead} ${undecided.join('; ')}` : undecided.join('; '))
  return findings
}

export function skip(reason: string): Skip {
  return {skip: reason}
}

export function isSkip(verdict: Verdict): verdict is Skip {
  return !Array.isArray(verdict)
}
