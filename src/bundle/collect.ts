/**
 * Collect → redact: runs the doctor, asks each source what to include, reads it (bounded, never
 * through a symlink), and redacts every byte and every archive path on the way in. Nothing here
 * writes to disk; the result is the bundle in memory, ready for `--list` or the archive writer.
 */
import {createHash} from 'node:crypto'
import {safeEntryName} from './archive.js'
import {createContext, type RunContext, type RunOptions} from '../context.js'
import {runDoctor} from '../engine/doctor.js'
import type {JsonValue, Report} from '../types.js'
import {describePath} from './describe.js'
import {discoverKnownSecrets} from './known-secrets.js'
import {buildManifest} from './manifest.js'
import type {BundleOptions} from './options.js'
import {readForCopy} from './read.js'
import {currentIdentity} from './redact/pseudonyms.js'
import {Redactor} from './redact/redactor.js'
import {buildReportMarkdown} from './report-md.js'
import {executorLocations, planExecutor} from './sources/executor.js'
import {planRunwisp, runwispLocations} from './sources/runwisp.js'
import {planDeclared} from './sources/declared.js'
import {declaredTargets} from '../targets/declared/target.js'
import {declaredPorts} from '../targets/declared/ports.js'
import {targets as registeredTargets} from '../targets/index.js'
import type {TargetProfile} from '../targets/profile.js'
import {environmentFacts, listeningPorts, relevantProcesses} from './sources/system.js'
import {tailLog} from './tail.js'
import type {BundleEntry, DescribedSecret, EntryKind, OmittedItem, SourcePlan} from './types.js'

export interface CollectInit {
  env: Record<string, string | undefined>
  cwd: string
  home: string
  options: BundleOptions
  /** Options of the doctor run whose report goes in the bundle. */
  runOptions: Partial<RunOptions>
  /** Targets declared in doctor.config.json: checked by the doctor run, their files collected, their secrets learned. */
  profiles?: readonly TargetProfile[]
  now?: () => number
}

export interface SecretSummary {
  label: string
  foundIn: string[]
  occurrences: number
}

export interface Bundle {
  createdAt: string
  entries: BundleEntry[]
  omitted: OmittedItem[]
  /** Paths looked for and not there (no daemon.error.log is itself a fact). */
  notPresent: string[]
  secretFiles: DescribedSecret[]
  secrets: SecretSummary[]
  /** Redactions over the whole bundle, by rule. */
  totals: Record<string, number>
  report: Report | null
  redactor: Redactor
}

class EntryBuilder {
  readonly entries: BundleEntry[] = []
  readonly omitted: OmittedItem[] = []
  readonly notPresent: string[] = []
  readonly perSecret = new Map<string, number>()
  readonly totals: Record<string, number> = {}

  constructor(private readonly redactor: Redactor) {}

  text(name: string, kind: EntryKind, source: string, what: string, text: string, tail?: BundleEntry['tail']): BundleEntry {
    const result = this.redactor.redact(text)
    for (const [rule, n] of Object.entries(result.counts)) this.totals[rule] = (this.totals[rule] ?? 0) + n
    for (const hit of result.hits) if (hit.label) this.perSecret.set(hit.label, (this.perSecret.get(hit.label) ?? 0) + 1)
    const data = Buffer.from(result.text, 'utf8')
    const entry: BundleEntry = {
      name: this.uniqueName(safeEntryName(this.redactor.clean(name))),
      kind,
      source: this.redactor.clean(source),
      what: this.redactor.clean(what),
      data,
      sha256: createHash('sha256').update(data).digest('hex'),
      redactions: result.counts,
      ...(tail ? {tail} : {}),
    }
    this.entries.push(entry)
    return entry
  }

  json(name: string, source: string, what: string, value: unknown): BundleEntry {
    return this.text(name, 'generated', source, what, JSON.stringify(value, null, 2) + '\n')
  }

  omit(item: OmittedItem): void {
    this.omitted.push(JSON.parse(this.redactor.clean(JSON.stringify(item))) as OmittedItem)
  }

  absent(path: string): void {
    this.notPresent.push(this.redactor.clean(path))
  }

  private uniqueName(name: string): string {
    const taken = new Set(this.entries.map((e) => e.name))
    if (!taken.has(name)) return name
    for (let i = 2; ; i++) {
      const candidate = name.replace(/(\.[^./]+)?$/, (ext) => `-${i}${ext}`)
      if (!taken.has(candidate)) return candidate
    }
  }
}

/** The doctor runs in the bundle's own context: what the checks read, the sources reuse. */
async function runDoctorSafely(ctx: RunContext, profiles: readonly TargetProfile[]): Promise<{report: Report} | {error: string}> {
  try {
    return {report: await runDoctor({context: ctx, targets: [...registeredTargets, ...declaredTargets(profiles)]})}
  } catch (error) {
    // The bundle is for broken machines: a doctor that could not run is itself the finding.
    return {error: (error as Error)?.message ?? String(error)}
  }
}

async function includePlan(builder: EntryBuilder, plan: SourcePlan, options: BundleOptions): Promise<void> {
  for (const copy of plan.copies) {
    const read = await readForCopy(copy.path, options.maxCopyBytes, copy.encoding)
    if (read.ok) builder.text(copy.name, 'copy', copy.path, copy.what, read.text)
    else if (read.missing) builder.absent(copy.path)
    else builder.omit({source: copy.path, what: copy.what, reason: read.reason, ...(read.facts ? {facts: read.facts} : {})})
  }
  for (const log of plan.tails) {
    const read = await tailLog(log.path, {maxBytes: options.maxLogBytes, maxLines: options.maxLogLines})
    if (read.ok) {
      builder.text(log.name, 'tail', log.path, log.what, read.text, {
        originalBytes: read.originalBytes,
        keptBytes: read.keptBytes,
        keptLines: read.keptLines,
        truncated: read.truncated,
        binaryBytesOmitted: read.binaryBytesOmitted,
      })
    } else if (read.missing) builder.absent(log.path)
    else builder.omit({source: log.path, what: log.what, reason: read.reason, ...(read.facts ? {facts: read.facts} : {})})
  }
}

/**
 * The redactor for this machine alone (its known secrets and identity), without collecting
 * anything: what `verify` scans with.
 */
export async function redactorForThisMachine(init: Omit<CollectInit, 'now'>): Promise<Redactor> {
  const ctx = createContext({env: init.env, cwd: init.cwd, home: init.home, options: init.runOptions})
  try {
    const runwispAt = await runwispLocations(ctx)
    return new Redactor(await discoverKnownSecrets(ctx, executorLocations(ctx), runwispAt, init.profiles ?? []), currentIdentity(init.env, init.home))
  } finally {
    await ctx.close()
  }
}

export async function collectBundle(init: CollectInit): Promise<Bundle> {
  const createdAt = new Date((init.now ?? Date.now)()).toISOString()
  const ctx = createContext({env: init.env, cwd: init.cwd, home: init.home, options: init.runOptions})
  try {
    const executorAt = executorLocations(ctx)
    const runwispAt = await runwispLocations(ctx)
    const profiles = init.profiles ?? []
    const declaredPlans = profiles.map((p) => ({profile: p, plan: planDeclared(p)}))
    const secrets = await discoverKnownSecrets(ctx, executorAt, runwispAt, profiles)
    const redactor = new Redactor(secrets, currentIdentity(init.env, init.home))
    const [doctor, executorPlan, runwispPlan, ports] = await Promise.all([
      runDoctorSafely(ctx, profiles),
      planExecutor(ctx, executorAt),
      planRunwisp(ctx, runwispAt, init.options.runLogs),
      listeningPorts(ctx),
    ])
    const report = 'report' in doctor ? doctor.report : null
    const builder = new EntryBuilder(redactor)

    builder.json('report.json', 'doctor run', "the doctor's JSON report", report ?? {error: (doctor as {error: string}).error})
    const environment: Record<string, JsonValue> = {
      collectedAt: createdAt,
      ...environmentFacts(ctx),
      products: {
        executor: {...executorPlan.facts, ...targetFacts(report, 'executor')},
        runwisp: {...runwispPlan.facts, ...targetFacts(report, 'runwisp')},
        ...Object.fromEntries(declaredPlans.map(({profile, plan}) => [profile.id, {...plan.facts, ...targetFacts(report, profile.id)}])),
      },
    }
    builder.json('environment.json', 'this machine', 'environment facts: OS, kernel, Node, CPU, memory, timezone, product versions', environment)
    const extraPorts = [ctx.options.targetOptions.executor?.port, ctx.options.targetOptions.runwisp?.port, ...profiles.flatMap((p) => declaredPorts(p))].filter((p): p is number => typeof p === 'number')
    builder.json('processes.json', 'process table', 'Executor and RunWisp processes, and whatever holds their ports and declared targets\' ports', await relevantProcesses(ctx, ports, extraPorts))
    builder.json('ports.json', 'socket table', 'listening TCP sockets and the products’ unix sockets', ports)

    await includePlan(builder, executorPlan, init.options)
    await includePlan(builder, runwispPlan, init.options)
    for (const {plan} of declaredPlans) await includePlan(builder, plan, init.options)

    const secretFiles: DescribedSecret[] = []
    const seen = new Set<string>()
    for (const s of [...executorPlan.secretFiles, ...runwispPlan.secretFiles, ...declaredPlans.flatMap((d) => d.plan.secretFiles)]) {
      if (seen.has(s.path)) continue
      seen.add(s.path)
      const root = s.origin === 'executor' ? executorAt.dataDir : undefined
      secretFiles.push({what: s.what, facts: await describePath(s.path, root)})
    }
    builder.json('secret-files.json', 'lstat of secret files', 'secret files, described (presence, size, mode, owner, symlink target), never copied', secretFiles)

    const summary = (): SecretSummary[] => secrets.map((s) => ({label: s.label, foundIn: s.foundIn.map((w) => redactor.clean(w)), occurrences: builder.perSecret.get(s.label) ?? 0}))
    const partial = {createdAt, entries: builder.entries, omitted: builder.omitted, notPresent: builder.notPresent, secretFiles, secrets: summary(), totals: builder.totals, report, redactor}
    builder.text('report.md', 'report', 'doctor run', 'summary ready to paste into a GitHub issue', buildReportMarkdown(partial, environment, 'error' in doctor ? doctor.error : null))
    const bundle: Bundle = {...partial, secrets: summary()}
    const manifest = buildManifest(bundle, init.options)
    // The manifest describes every other file; it is redacted like them but not listed in itself.
    builder.text('manifest.json', 'generated', 'doctorkit', 'every file with its sha256, size, source and redactions by rule', JSON.stringify(manifest, null, 2) + '\n')
    return bundle
  } finally {
    await ctx.close()
  }
}

function targetFacts(report: Report | null, id: string): Record<string, JsonValue> {
  const target = report?.targets.find((t) => t.id === id)
  if (!target) return {detectedByDoctor: null}
  return {detectedByDoctor: target.detected, generation: target.generation, generationReason: target.generationReason, reasons: target.reasons}
}
