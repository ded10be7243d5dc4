/**
 * The symptom catalogue: every documented failure of every target, with the text the product
 * prints, the cause and the fix. Checks report *from* it (see `finding()`), so each piece of
 * advice is written once; `doctor explain` matches pasted text against the same entries.
 */
import {checkPagePath} from './check-docs.js'
import type {FixStep} from './fix/types.js'
import type {Evidence, Finding, FixAdvice, TargetId} from './types.js'

export interface SymptomEntry {
  /** `<target>/<slug>`; stable, part of the JSON contract. */
  id: string
  target: TargetId
  title: string
  /** The finding's sentence; `{name}` placeholders are filled from the check's variables. */
  message: string
  severity: 'warn' | 'fail'
  /** Why it happens. */
  cause: string
  fix: {summary: string; commands: string[]}
  /**
   * The product's own documentation for this symptom, as the user can open it (`productDocs`).
   * Optional when a check reports the entry: that check's page is then the pointer. Where the
   * entry's facts come from (the reference pages) is a comment beside it, never output.
   */
  docs?: string
  /** The check that detects it, when one does. */
  check?: string
  /** What the product prints, verbatim, with `${name}` where it interpolates a value. */
  patterns?: string[]
  /** What a declared target's daemon prints, as its declaration's regexes: explain and daemon-log-errors match them as written. */
  regexes?: readonly RegExp[]
  /** Generations where it applies; absent means all. */
  generations?: string[]
  /** Words a user might use instead of the product's message (for paraphrased reports). */
  keywords?: string[]
  /**
   * Placeholders of `patterns` that make this entry's message only with these values: the same
   * text with another value is another program's message (a Vite resolve error is Executor's only
   * for the packages its bootstrap builds; systemd's lines are a product's only for its units),
   * and `explain` then answers nothing for that line. A RegExp must match the whole value.
   */
  placeholderValues?: Record<string, ReadonlyArray<string | RegExp>>
}

export type Vars = Record<string, string | number>

const registry = new Map<string, SymptomEntry>()
/** Bumped on every change, so what is built from the catalogue (the explainer) knows it is stale. */
let generation = 0

/** How many times the catalogue has changed: equal numbers, equal catalogues. */
export function catalogueGeneration(): number {
  return generation
}

export function defineSymptoms(entries: readonly SymptomEntry[]): readonly SymptomEntry[] {
  generation++
  for (const entry of entries) {
    if (registry.has(entry.id)) throw new Error(`duplicate symptom id ${entry.id}`)
    if (!entry.id.startsWith(`${entry.target}/`)) throw new Error(`symptom ${entry.id} must start with ${entry.target}/`)
    registry.set(entry.id, entry)
  }
  return entries
}

/**
 * Registers a declared target's entries, replacing whatever that target had (a config read
 * again in the same process declares it anew). Built-in targets cannot be replaced this way.
 */
export function defineTargetSymptoms(target: TargetId, entries: readonly SymptomEntry[]): readonly SymptomEntry[] {
  // The same declaration read again (each explain() or runDoctor() of a host reads its targets
  // and config anew) changes nothing: the catalogue, and the explainer built from it, stay.
  const fingerprint = fingerprintOf(entries)
  if (declaredFingerprints.get(target) === fingerprint) return entries
  generation++
  for (const [id, entry] of registry) if (entry.target === target) registry.delete(id)
  declaredFingerprints.delete(target)
  const defined = defineSymptoms(entries)
  declaredFingerprints.set(target, fingerprint)
  return defined
}

/** What each declared target registered last, as text: equal texts, equal entries. */
const declaredFingerprints = new Map<TargetId, string>()

function fingerprintOf(entries: readonly SymptomEntry[]): string {
  return JSON.stringify(entries, (_key, value: unknown) =>
    value instanceof RegExp ? `/${value.source}/${value.flags}` : typeof value === 'function' ? String(value) : value,
  )
}

export function symptom(id: string): SymptomEntry {
  const entry = registry.get(id)
  if (!entry) throw new Error(`unknown symptom ${id}`)
  return entry
}

export function allSymptoms(): SymptomEntry[] {
  return [...registry.values()]
}

/** Fills `{name}` placeholders; an unknown placeholder is left visible rather than silently dropped. */
export function fill(template: string, vars: Vars): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole))
}

export interface FindingOptions {
  vars?: Vars
  evidence?: Evidence
  /** Overrides the entry's severity (for example a lock that is old but whose owner is alive). */
  severity?: 'warn' | 'fail'
  /** A sentence appended to the message with what is specific to this case. */
  detail?: string
  /** Steps `doctor --fix` can take (src/fix/steps.ts builds them). */
  plan?: FixStep[]
}

/** "RunWisp docs › Troubleshooting › Daemon won't start (https://docs.runwisp.com/)": a page of a product's own documentation. */
export function productDocs(product: string, url: string, section?: string): string {
  return `${product} docs${section ? ` › ${section}` : ''} (${url})`
}

/** Where the check's own page is: `doctor checks <id>` prints it (docs/checks/<id>.md in the package). */
export function checkDocs(checkId: string): string {
  return `doctor checks ${checkId} (${checkPagePath(checkId)})`
}

/** What a user can open about an entry: its check's page, then the product's own page. */
export function docsFor(entry: SymptomEntry): string {
  return [entry.check ? checkDocs(entry.check) : undefined, entry.docs].filter((x) => x !== undefined).join('; ') || 'doctor checks'
}

/** Builds a finding from its catalogue entry, with this machine's values filled in. */
export function finding(id: string, options: FindingOptions = {}): Finding {
  const entry = symptom(id)
  const vars = options.vars ?? {}
  const fix: FixAdvice = {
    summary: fill(entry.fix.summary, vars),
    commands: entry.fix.commands.map((command) => fill(command, vars)),
    docs: docsFor(entry),
  }
  const message = fill(entry.message, vars) + (options.detail ? ` ${options.detail}` : '')
  return {
    symptom: id,
    severity: options.severity ?? entry.severity,
    message,
    evidence: options.evidence ?? {},
    fix,
    ...(options.plan && options.plan.length > 0 ? {plan: options.plan} : {}),
  }
}
