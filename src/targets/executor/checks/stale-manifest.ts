import {conclude, skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {parseRecord} from '../formats.js'
import {checkRecordedPid, processEvidence} from '../identity.js'
import {ENTRY_READ_CAP, readDataDirEntries, loadExecutorState, requireReadableDataDir} from '../state.js'
import type {Finding} from '../../../types.js'
import {quarantineStep} from '../../../fix/steps.js'
import type {FixStep, PidGuard} from '../../../fix/types.js'

export const executorStaleManifest: TargetCheck = {
  symptoms: [
    'executor/stale-manifest',
    'executor/manifest-pid-reused',
    'executor/manifest-invalid',
    'executor/stale-record',
    'executor/record-pid-reused',
    'executor/record-invalid',
  ],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    requireReadableDataDir(state)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    await readDataDirEntries(ctx, state)
    const findings: Finding[] = []
    const unknown: string[] = []
    const path = state.paths.manifest
    const m = state.manifest
    if (m.kind === 'invalid') {
      // Source: executor-facts §2.1, §9.1 (2)
      const plan = await manifestPlan(
        ctx,
        path,
        {sizeBytes: m.sizeBytes},
        `Executor ignores an unusable server.json and never deletes it; it is only a discovery hint.`,
      )
      findings.push(
        finding('executor/manifest-invalid', {
          vars: {path, reason: m.reason},
          evidence: {path, reason: m.reason, sizeBytes: m.sizeBytes ?? null},
          plan,
        }),
      )
    } else if (m.kind === 'ok') {
      const {manifest} = m
      const writtenAt = Date.parse(manifest.startedAt) || m.mtimeMs
      const pid = await checkRecordedPid(ctx, manifest.pid, writtenAt, manifest.owner.executablePath)
      const evidence = {
        path,
        pid: manifest.pid,
        startedAt: manifest.startedAt,
        origin: manifest.connection.origin,
        ownerVersion: manifest.owner.version,
      }
      if (pid.state === 'dead') {
        // Source: executor-facts §2.1, §9.1 (1)
        const plan = await manifestPlan(
          ctx,
          path,
          {mtimeMs: m.mtimeMs},
          `It names pid ${manifest.pid}, which is not running; a manifest with a dead pid is stale and only a discovery hint.`,
          {pid: manifest.pid, mustBe: 'dead'},
        )
        findings.push(finding('executor/stale-manifest', {vars: {path, pid: manifest.pid}, evidence, plan}))
      } else if (pid.state === 'reused') {
        // The pid belongs to an unrelated process: the file goes, the process is never signalled.
        // Source: executor-facts §2.1
        const plan = await manifestPlan(
          ctx,
          path,
          {mtimeMs: m.mtimeMs},
          `${pid.why}. A supervised start would SIGTERM that unrelated process; removing the manifest prevents it. The process itself is left alone.`,
          {pid: manifest.pid, mustBe: 'dead-or-same', startedAtMs: pid.proc.startedAtMs},
        )
        findings.push(
          finding('executor/manifest-pid-reused', {
            vars: {path, pid: manifest.pid, why: pid.why},
            evidence: {...evidence, currentOwner: processEvidence(pid.proc)},
            plan,
          }),
        )
      } else if (pid.state === 'unknown') unknown.push(`${path}: ${pid.reason}`)
    }
    for (const entry of state.entries.filter((e) => e.kind === 'record' || e.kind === 'pointer')) {
      findings.push(...(await judgeRecord(ctx, entry.path, entry.kind, unknown)))
    }
    return conclude(findings, unknown, 'could not tell whether recorded pids are alive:')
  },
}

/**
 * A record or pointer with a dead pid is normal debris: 1.5.9's own `daemon stop` leaves the
 * pointer behind, and the CLI ignores a dead pointer and prunes dead records when it next looks.
 * Dead records are worth a warning (they outlived a crash); dead pointers are not worth a word.
 * A *recycled* pid is different: the CLI believes the daemon is alive and refuses to act.
 */
async function judgeRecord(
  ctx: CheckContext,
  path: string,
  kind: 'record' | 'pointer' | 'start-lock',
  unknown: string[],
): Promise<Finding[]> {
  const read = await ctx.files.read(path, ENTRY_READ_CAP)
  if (!read.ok) {
    if (read.code === 'ENOENT') return [] // removed while we looked: nothing stale left
    if (read.code === 'EACCES' || read.code === 'OTHER') {
      unknown.push(`${path}: ${read.code}`)
      return []
    }
    const st = await ctx.files.lstat(path)
    // Source: executor-facts §2.4
    const plan = st.ok ? [quarantineStep({path, stat: st.stat, why: 'The CLI cannot read it as a record and ignores it.'})] : undefined
    return [
      finding('executor/record-invalid', {vars: {path, reason: read.message}, evidence: {path, error: read.code}, ...(plan ? {plan} : {})}),
    ]
  }
  const parsed = parseRecord(read.text)
  const quarantine = (why: string, guard?: PidGuard) => [
    quarantineStep({path, stat: read.stat, content: read.bytes, why, ...(guard ? {guard} : {})}),
  ]
  // Source: executor-facts §2.4
  if (!parsed.ok)
    return [
      finding('executor/record-invalid', {
        vars: {path, reason: parsed.reason},
        evidence: {path, reason: parsed.reason},
        plan: quarantine(`The CLI cannot parse it and ignores it; it writes a new one at the next start.`),
      }),
    ]
  const record = parsed.value
  const writtenAt = Date.parse(record.startedAt) || read.stat.mtimeMs
  const pid = await checkRecordedPid(ctx, record.pid, writtenAt)
  const evidence = {path, pid: record.pid, port: record.port, startedAt: record.startedAt}
  if (pid.state === 'dead') {
    // Source: executor-facts §2.4, §9.1 (5)
    const plan = quarantine(`It records pid ${record.pid}, which is not running; \`executor daemon status\` would remove it too.`, {
      pid: record.pid,
      mustBe: 'dead',
    })
    return kind === 'pointer' ? [] : [finding('executor/stale-record', {vars: {path, pid: record.pid}, evidence, plan})]
  }
  if (pid.state === 'reused') {
    const plan = quarantine(`${pid.why}. The CLI would believe the daemon alive and refuse to act; the process itself is left alone.`, {
      pid: record.pid,
      mustBe: 'dead-or-same',
      startedAtMs: pid.proc.startedAtMs,
    })
    return [
      finding('executor/record-pid-reused', {
        vars: {path, pid: record.pid, why: pid.why},
        evidence: {...evidence, currentOwner: processEvidence(pid.proc)},
        plan,
      }),
    ]
  }
  if (pid.state === 'unknown') unknown.push(`${path}: ${pid.reason}`)
  return []
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
