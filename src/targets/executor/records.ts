/**
 * Executor's daemon records as stale-manifest judges them (checks/stale-manifest.ts,
 * `hooks.records`): server.json (the manifest, executor-facts §2.1), then every daemon record and
 * pointer in the data dir (from the batched read of its entries, §2.4), each read as the CLI reads
 * it, its pid judged by the one recorded-pid rule (the manifest's pid by the manifest's own
 * executable), and each verdict worded by Executor's rule for that file.
 */
import {finding} from '../../catalogue.js'
import type {CheckContext} from '../../context.js'
import {parseRecord} from './formats.js'
import {executorPidRule, processEvidence} from './identity.js'
import {ENTRY_READ_CAP, loadStateWithEntries, type ExecutorState} from './state.js'
import {quarantineStep} from '../../fix/steps.js'
import type {FixStep, PidGuard} from '../../fix/types.js'
import type {RecordedFile, RecordedFiles} from '../profile.js'

/** The symptoms Executor's records are reported as (its profile's `hookSymptomIds.records`). */
export const RECORD_SYMPTOMS = [
  'executor/stale-manifest',
  'executor/manifest-pid-reused',
  'executor/manifest-invalid',
  'executor/stale-record',
  'executor/record-pid-reused',
  'executor/record-invalid',
] as const

export async function executorRecords(ctx: CheckContext): Promise<RecordedFiles> {
  const state = await loadStateWithEntries(ctx)
  if ('skip' in state) return state
  const files: RecordedFile[] = []
  const manifest = manifestFile(ctx, state.paths.manifest, state.manifest)
  if (manifest) files.push(manifest)
  for (const entry of state.entries) {
    if (entry.kind === 'record' || entry.kind === 'pointer') files.push(await recordFile(ctx, entry.path, entry.kind))
  }
  return {files, undecidedLead: 'could not tell whether recorded pids are alive:'}
}

type ManifestState = ExecutorState['manifest']

/** server.json: unusable (a finding of its own), or its pid, written at its `startedAt` (else its mtime). */
function manifestFile(ctx: CheckContext, path: string, m: ManifestState): RecordedFile | null {
  if (m.kind === 'invalid') {
    return {
      path,
      read: {kind: 'invalid', reason: m.reason},
      rule: executorPidRule(ctx),
      async report(ctx) {
        // Source: executor-facts §2.1, §9.1 (2)
        const plan = await manifestPlan(
          ctx,
          path,
          {sizeBytes: m.sizeBytes},
          `Executor ignores an unusable server.json and never deletes it; it is only a discovery hint.`,
        )
        return [
          finding('executor/manifest-invalid', {
            vars: {path, reason: m.reason},
            evidence: {path, reason: m.reason, sizeBytes: m.sizeBytes ?? null},
            plan,
          }),
        ]
      },
    }
  }
  if (m.kind !== 'ok') return null
  const {manifest} = m
  const evidence = {
    path,
    pid: manifest.pid,
    startedAt: manifest.startedAt,
    origin: manifest.connection.origin,
    ownerVersion: manifest.owner.version,
  }
  return {
    path,
    read: {kind: 'pid', pid: manifest.pid, writtenAtMs: Date.parse(manifest.startedAt) || m.mtimeMs},
    rule: executorPidRule(ctx, manifest.owner.executablePath),
    async report(ctx, verdict) {
      if (verdict.kind === 'dead') {
        // Source: executor-facts §2.1, §9.1 (1)
        const plan = await manifestPlan(
          ctx,
          path,
          {mtimeMs: m.mtimeMs},
          `It names pid ${manifest.pid}, which is not running; a manifest with a dead pid is stale and only a discovery hint.`,
          verdict.guard,
        )
        return [finding('executor/stale-manifest', {vars: {path, pid: manifest.pid}, evidence, plan})]
      }
      if (verdict.kind === 'reused') {
        // The pid belongs to an unrelated process: the file goes, the process is never signalled.
        // Source: executor-facts §2.1
        const plan = await manifestPlan(
          ctx,
          path,
          {mtimeMs: m.mtimeMs},
          `${verdict.why}. A supervised start would SIGTERM that unrelated process; removing the manifest prevents it. The process itself is left alone.`,
          verdict.guard,
        )
        return [
          finding('executor/manifest-pid-reused', {
            vars: {path, pid: manifest.pid, why: verdict.why},
            evidence: {...evidence, currentOwner: processEvidence(verdict.proc)},
            plan,
          }),
        ]
      }
      if (verdict.kind === 'unknown') return {undecided: `${path}: ${verdict.reason}`}
      return []
    },
  }
}

/**
 * A record or pointer with a dead pid is normal debris: 1.5.9's own `daemon stop` leaves the
 * pointer behind, and the CLI ignores a dead pointer and prunes dead records when it next looks.
 * Dead records are worth a warning (they outlived a crash); dead pointers are not worth a word.
 * A *recycled* pid is different: the CLI believes the daemon is alive and refuses to act.
 */
async function recordFile(ctx: CheckContext, path: string, kind: 'record' | 'pointer'): Promise<RecordedFile> {
  const rule = executorPidRule(ctx)
  const read = await ctx.files.read(path, ENTRY_READ_CAP)
  if (!read.ok) {
    // removed while we looked: nothing stale left
    if (read.code === 'ENOENT') return {path, read: {kind: 'absent'}, rule, report: () => Promise.resolve([])}
    if (read.code === 'EACCES' || read.code === 'OTHER') {
      const undecided = `${path}: ${read.code}`
      return {path, read: {kind: 'unknown', reason: undecided}, rule, report: () => Promise.resolve({undecided})}
    }
    const st = await ctx.files.lstat(path)
    // Source: executor-facts §2.4
    const plan = st.ok ? [quarantineStep({path, stat: st.stat, why: 'The CLI cannot read it as a record and ignores it.'})] : undefined
    const invalid = finding('executor/record-invalid', {
      vars: {path, reason: read.message},
      evidence: {path, error: read.code},
      ...(plan ? {plan} : {}),
    })
    return {path, read: {kind: 'invalid', reason: read.message}, rule, report: () => Promise.resolve([invalid])}
  }
  const parsed = parseRecord(read.text)
  const quarantine = (why: string, guard?: PidGuard) => [
    quarantineStep({path, stat: read.stat, content: read.bytes, why, ...(guard ? {guard} : {})}),
  ]
  // Source: executor-facts §2.4
  if (!parsed.ok) {
    const invalid = finding('executor/record-invalid', {
      vars: {path, reason: parsed.reason},
      evidence: {path, reason: parsed.reason},
      plan: quarantine(`The CLI cannot parse it and ignores it; it writes a new one at the next start.`),
    })
    return {path, read: {kind: 'invalid', reason: parsed.reason}, rule, report: () => Promise.resolve([invalid])}
  }
  const record = parsed.value
  const evidence = {path, pid: record.pid, port: record.port, startedAt: record.startedAt}
  return {
    path,
    read: {kind: 'pid', pid: record.pid, writtenAtMs: Date.parse(record.startedAt) || read.stat.mtimeMs},
    rule,
    report(_ctx, verdict) {
      if (verdict.kind === 'dead') {
        // Source: executor-facts §2.4, §9.1 (5)
        const plan = quarantine(
          `It records pid ${record.pid}, which is not running; \`executor daemon status\` would remove it too.`,
          verdict.guard,
        )
        return Promise.resolve(
          kind === 'pointer' ? [] : [finding('executor/stale-record', {vars: {path, pid: record.pid}, evidence, plan})],
        )
      }
      if (verdict.kind === 'reused') {
        const plan = quarantine(
          `${verdict.why}. The CLI would believe the daemon alive and refuse to act; the process itself is left alone.`,
          verdict.guard,
        )
        return Promise.resolve([
          finding('executor/record-pid-reused', {
            vars: {path, pid: record.pid, why: verdict.why},
            evidence: {...evidence, currentOwner: processEvidence(verdict.proc)},
            plan,
          }),
        ])
      }
      if (verdict.kind === 'unknown') return Promise.resolve({undecided: `${path}: ${verdict.reason}`})
      return Promise.resolve([])
    },
  }
}

/**
 * Quarantines server.json, pinned to the file the check judged: its lstat must agree with what was
 * read (mtime or size), else the file changed under the check and no plan is offered.
 */
async function manifestPlan(
  ctx: CheckContext,
  path: string,
  judged: {mtimeMs?: number; sizeBytes?: number | undefined},
  why: string,
  guard?: PidGuard,
): Promise<FixStep[] | undefined> {
  const st = await ctx.files.lstat(path)
  if (!st.ok) return undefined
  if (judged.mtimeMs !== undefined && st.stat.mtimeMs !== judged.mtimeMs) return undefined
  if (judged.sizeBytes !== undefined && st.stat.size !== judged.sizeBytes) return undefined
  return [quarantineStep({path, stat: st.stat, why, ...(guard ? {guard} : {})})]
}
