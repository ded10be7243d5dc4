/**
 * Collect → redact → stream: runs the doctor, asks each source what to include, reads it (bounded,
 * never through a symlink), redacts every byte and every archive path on the way in, and hands
 * each finished file to the sink (the archive writer) at once: memory holds one file at a time.
 * Bounded whatever the machine holds: at most `maxPerKind` files of each kind, and the run's
 * `--timeout` budget covers everything; past it nothing more is read, and the bundle says what it
 * did not reach.
 */
import {createHash} from 'node:crypto'
import {safeEntryName} from './archive.js'
import {createContext, DEFAULT_OPTIONS, type RunContext, type RunOptions} from '../context.js'
import {runDoctor} from '../engine/doctor.js'
import {Deadline, isDeadline} from '../probes/abort.js'
import type {JsonValue, Report} from '../types.js'
import {describePath} from './describe.js'
import {discoverKnownSecrets} from './known-secrets.js'
import {buildManifest} from './manifest.js'
import type {BundleOptions} from './options.js'
import {capPerKind} from './per-kind-cap.js'
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
import {scanBytes, type VerifyHit} from './verify.js'
import type {BundleEntry, DescribedSecret, EntryKind, LeftOut, OmittedItem, Origin, SourcePlan} from './types.js'

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
  /**
   * Receives each file as soon as it is redacted (the archive writer). With a sink, each file is
   * also re-scanned first, and one the redaction left something in stops the collection.
   */
  sink?: (entry: {name: string; data: Buffer}) => Promise<void>
}

/** A file the redaction left a secret or pattern in: nothing of the bundle may be kept. */
export class RedactionLeftover extends Error {
  constructor(readonly hits: VerifyHit[]) {
    super('redaction left something behind')
    this.name = 'RedactionLeftover'
  }
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
  /** Kinds with more files than the bundle holds, or not reached before the budget ran out. */
  leftOut: LeftOut[]
  /** Set when the `--timeout` budget ran out before everything was collected: what was not. */
  cutShort: string | null
}

class EntryBuilder {
  readonly entries: BundleEntry[] = []
  readonly omitted: OmittedItem[] = []
  readonly notPresent: string[] = []
  readonly perSecret = new Map<string, number>()
  readonly totals: Record<string, number> = {}
  private readonly names = new Set<string>()

  constructor(
    private readonly redactor: Redactor,
    private readonly sink: CollectInit['sink'],
  ) {}

  async text(name: string, kind: EntryKind, source: string, what: string, text: string, tail?: BundleEntry['tail']): Promise<BundleEntry> {
    const result = this.redactor.redact(text)
    for (const [rule, n] of Object.entries(result.counts)) this.totals[rule] = (this.totals[rule] ?? 0) + n
    for (const hit of result.hits) if (hit.label) this.perSecret.set(hit.label, (this.perSecret.get(hit.label) ?? 0) + 1)
    const data = Buffer.from(result.text, 'utf8')
    const entry: BundleEntry = {
      name: this.uniqueName(safeEntryName(this.redactor.clean(name))),
      kind,
      source: this.redactor.clean(source),
      what: this.redactor.clean(what),
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      redactions: result.counts,
      ...(tail ? {tail} : {}),
    }
    if (this.sink) {
      const leftovers = scanBytes(entry.name, data, this.redactor)
      if (leftovers.length > 0) throw new RedactionLeftover(leftovers)
      await this.sink({name: entry.name, data})
    }
    this.entries.push(entry)
    this.names.add(entry.name)
    return entry
  }

  json(name: string, source: string, what: string, value: unknown): Promise<BundleEntry> {
    return this.text(name, 'generated', source, what, JSON.stringify(value, null, 2) + '\n')
  }

  omit(item: OmittedItem): void {
    this.omitted.push(JSON.parse(this.redactor.clean(JSON.stringify(item))) as OmittedItem)
  }

  absent(path: string): void {
    this.notPresent.push(this.redactor.clean(path))
  }

  private uniqueName(name: string): string {
    if (!this.names.has(name)) return name
    for (let i = 2; ; i++) {
      const candidate = name.replace(/(\.[^./]+)?$/, (ext) => `-${i}${ext}`)
      if (!this.names.has(candidate)) return candidate
    }
  }
}

/**
 * The time budget of one bundle (`--timeout`, wall clock from the start): once it fires the
 * context's probes stop, and the collector reads nothing more. What was not reached is counted.
 */
class Budget {
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  /** Sources or generated files not collected, in words ("processes.json"). */
  readonly skipped: string[] = []

  constructor(readonly ms: number) {
    this.timer = setTimeout(() => this.controller.abort(new Deadline(`the --timeout budget (${ms} ms) ran out`, 'run')), ms)
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  get spent(): boolean {
    return this.controller.signal.aborted
  }

  /** `work`, or `fallback` (and a note of what was skipped) when the budget ran out during it. */
  async within<T>(what: string, work: () => Promise<T>, fallback: T): Promise<T> {
    if (this.spent) {
      this.skipped.push(what)
      return fallback
    }
    try {
      return await work()
    } catch (error) {
      if (!isDeadline(error) || !this.spent) throw error
      this.skipped.push(what)
      return fallback
    }
  }

  dispose(): void {
    clearTimeout(this.timer)
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

const NOT_REACHED = 'not reached before the --timeout budget ran out'

/** Counts what is still planned when the budget runs out, per kind, as left out. */
function notReached(items: ReadonlyArray<{what: string; origin: Origin}>, leftOut: LeftOut[]): void {
  const byKind = new Map<string, {origin: Origin; count: number}>()
  for (const item of items) {
    const kind = byKind.get(item.what)
    if (kind) kind.count++
    else byKind.set(item.what, {origin: item.origin, count: 1})
  }
  for (const [what, {origin, count}] of byKind) leftOut.push({what, origin, found: count, kept: 0, cause: 'budget', reason: NOT_REACHED})
}

async function includePlan(
  builder: EntryBuilder,
  plan: SourcePlan,
  options: BundleOptions,
  budget: Budget,
  leftOut: LeftOut[],
): Promise<void> {
  const copies = await capPerKind(plan.copies, options.maxPerKind)
  const tails = await capPerKind(plan.tails, options.maxPerKind)
  leftOut.push(...(plan.leftOut ?? []), ...copies.leftOut, ...tails.leftOut)
  for (const [i, copy] of copies.kept.entries()) {
    if (budget.spent) return notReached([...copies.kept.slice(i), ...tails.kept], leftOut)
    const read = await readForCopy(copy.path, options.maxCopyBytes, {encoding: copy.encoding, follow: copy.follow})
    if (read.ok) await builder.text(copy.name, 'copy', copy.path, copy.what, read.text)
    else if (read.missing) builder.absent(copy.path)
    else builder.omit({source: copy.path, what: copy.what, reason: read.reason, ...(read.facts ? {facts: read.facts} : {})})
  }
  for (const [i, log] of tails.kept.entries()) {
    if (budget.spent) return notReached(tails.kept.slice(i), leftOut)
    const read = await tailLog(log.path, {maxBytes: options.maxLogBytes, maxLines: options.maxLogLines})
    if (read.ok) {
      await builder.text(log.name, 'tail', log.path, log.what, read.text, {
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

/** A source whose planning failed or ran out of time contributes its reason, not a crash. */
async function planSafely(origin: Origin, budget: Budget, plan: () => Promise<SourcePlan>): Promise<SourcePlan> {
  const empty = (why: string): SourcePlan => ({origin, copies: [], tails: [], secretFiles: [], facts: {notCollected: why}})
  try {
    return await budget.within(`the ${origin} files`, plan, empty(NOT_REACHED))
  } catch (error) {
    // The bundle is for broken machines: a source that cannot be planned is a fact, not a crash.
    return empty(`could not be planned: ${(error as Error)?.message ?? String(error)}`)
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
    return new Redactor(
      await discoverKnownSecrets(ctx, executorLocations(ctx), runwispAt, init.profiles ?? []),
      currentIdentity(init.env, init.home),
    )
  } finally {
    await ctx.close()
  }
}

export async function collectBundle(init: CollectInit): Promise<Bundle> {
  const createdAt = new Date((init.now ?? Date.now)()).toISOString()
  const budget = new Budget(init.runOptions.budgetMs ?? DEFAULT_OPTIONS.budgetMs)
  // The doctor run gets two thirds of the budget, so a machine whose checks use all of theirs
  // still leaves time to copy its files (the copies are what a maintainer reads first).
  const doctorBudgetMs = Math.max(1, Math.floor((budget.ms * 2) / 3))
  const runOptions = {
    ...init.runOptions,
    budgetMs: doctorBudgetMs,
    checkTimeoutMs: Math.min(init.runOptions.checkTimeoutMs ?? DEFAULT_OPTIONS.checkTimeoutMs, doctorBudgetMs),
  }
  const ctx = createContext({env: init.env, cwd: init.cwd, home: init.home, options: runOptions, signal: budget.signal})
  try {
    let redactor: Redactor
    let executorAt: ReturnType<typeof executorLocations>
    let runwispAt: Awaited<ReturnType<typeof runwispLocations>>
    let secrets: Awaited<ReturnType<typeof discoverKnownSecrets>>
    const profiles = init.profiles ?? []
    const declaredPlans = profiles.map((p) => ({profile: p, plan: planDeclared(p)}))
    try {
      executorAt = executorLocations(ctx)
      runwispAt = await runwispLocations(ctx)
      secrets = await discoverKnownSecrets(ctx, executorAt, runwispAt, profiles)
      redactor = new Redactor(secrets, currentIdentity(init.env, init.home))
    } catch (error) {
      // Without every secret this machine knows, nothing may be written.
      if (isDeadline(error) && budget.spent)
        throw new Deadline(
          `the --timeout budget (${budget.ms} ms) ran out before the secrets to redact were all read; nothing was collected (raise --timeout)`,
          'run',
        )
      throw error
    }
    const [doctor, executorPlan, runwispPlan, ports] = await Promise.all([
      runDoctorSafely(ctx, profiles),
      planSafely('executor', budget, () => planExecutor(ctx, executorAt)),
      planSafely('runwisp', budget, () => planRunwisp(ctx, runwispAt, init.options.runLogs)),
      budget.within('ports.json', () => listeningPorts(ctx), null),
    ])
    const report = 'report' in doctor ? doctor.report : null
    const builder = new EntryBuilder(redactor, init.sink)
    const leftOut: LeftOut[] = []

    await builder.json('report.json', 'doctor run', "the doctor's JSON report", report ?? {error: (doctor as {error: string}).error})
    const environment: Record<string, JsonValue> = {
      collectedAt: createdAt,
      ...environmentFacts(ctx),
      products: {
        executor: {...executorPlan.facts, ...targetFacts(report, 'executor')},
        runwisp: {...runwispPlan.facts, ...targetFacts(report, 'runwisp')},
        ...Object.fromEntries(declaredPlans.map(({profile, plan}) => [profile.id, {...plan.facts, ...targetFacts(report, profile.id)}])),
      },
    }
    await builder.json(
      'environment.json',
      'this machine',
      'environment facts: OS, kernel, Node, CPU, memory, timezone, product versions',
      environment,
    )
    const extraPorts = [
      ctx.options.targetOptions.executor?.port,
      ctx.options.targetOptions.runwisp?.port,
      ...profiles.flatMap((p) => declaredPorts(p)),
    ].filter((p): p is number => typeof p === 'number')
    if (ports) {
      const processes = await budget.within('processes.json', () => relevantProcesses(ctx, ports, extraPorts), null)
      if (processes)
        await builder.json(
          'processes.json',
          'process table',
          "Executor and RunWisp processes, and whatever holds their ports and declared targets' ports",
          processes,
        )
      await builder.json('ports.json', 'socket table', 'listening TCP sockets and the products’ unix sockets', ports)
    } else budget.skipped.push('processes.json')

    await includePlan(builder, executorPlan, init.options, budget, leftOut)
    await includePlan(builder, runwispPlan, init.options, budget, leftOut)
    for (const {plan} of declaredPlans) await includePlan(builder, plan, init.options, budget, leftOut)

    const secretFiles: DescribedSecret[] = []
    const seen = new Set<string>()
    const planned = await capPerKind(
      [...executorPlan.secretFiles, ...runwispPlan.secretFiles, ...declaredPlans.flatMap((d) => d.plan.secretFiles)],
      init.options.maxPerKind,
    )
    leftOut.push(...planned.leftOut)
    for (const [i, s] of planned.kept.entries()) {
      if (budget.spent) {
        notReached(planned.kept.slice(i), leftOut)
        break
      }
      if (seen.has(s.path)) continue
      seen.add(s.path)
      const root = s.origin === 'executor' ? executorAt.dataDir : undefined
      secretFiles.push({what: s.what, facts: await describePath(s.path, root)})
    }
    await builder.json(
      'secret-files.json',
      'lstat of secret files',
      'secret files, described (presence, size, mode, owner, symlink target), never copied',
      secretFiles,
    )

    const cleanLeftOut = leftOut.map((l) => ({...l, what: redactor.clean(l.what)}))
    const cutShort = budget.spent ? cutShortNote(budget, cleanLeftOut) : null
    const summary = (): SecretSummary[] =>
      secrets.map((s) => ({
        label: s.label,
        foundIn: s.foundIn.map((w) => redactor.clean(w)),
        occurrences: builder.perSecret.get(s.label) ?? 0,
      }))
    const partial = {
      createdAt,
      entries: builder.entries,
      omitted: builder.omitted,
      notPresent: builder.notPresent,
      secretFiles,
      secrets: summary(),
      totals: builder.totals,
      report,
      redactor,
      leftOut: cleanLeftOut,
      cutShort,
    }
    await builder.text(
      'report.md',
      'report',
      'doctor run',
      'summary ready to paste into a GitHub issue',
      buildReportMarkdown(partial, environment, 'error' in doctor ? doctor.error : null),
    )
    const bundle: Bundle = {...partial, secrets: summary()}
    const manifest = buildManifest(bundle, init.options, budget.ms)
    // The manifest describes every other file; it is redacted like them but not listed in itself.
    await builder.text(
      'manifest.json',
      'generated',
      'doctorkit',
      'every file with its sha256, size, source and redactions by rule',
      JSON.stringify(manifest, null, 2) + '\n',
    )
    return bundle
  } finally {
    budget.dispose()
    await ctx.close()
  }
}

function cutShortNote(budget: Budget, leftOut: readonly LeftOut[]): string {
  const files = leftOut.filter((l) => l.cause === 'budget').reduce((n, l) => n + l.found, 0)
  const parts = [...budget.skipped, ...(files > 0 ? [`${files} planned file${files === 1 ? '' : 's'}`] : [])]
  return `the --timeout budget (${budget.ms} ms) ran out before the bundle was complete${parts.length > 0 ? `; not collected: ${parts.join(', ')}` : ''}`
}

function targetFacts(report: Report | null, id: string): Record<string, JsonValue> {
  const target = report?.targets.find((t) => t.id === id)
  if (!target) return {detectedByDoctor: null}
  return {
    detectedByDoctor: target.detected,
    generation: target.generation,
    generationReason: target.generationReason,
    reasons: target.reasons,
  }
}
