import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {parseRecord} from '../formats.js'
import {checkRecordedPid, processEvidence} from '../identity.js'
import {loadExecutorState, requireReadableDataDir} from '../state.js'
import type {Finding} from '../../../types.js'

/** Records and pointers are tiny; anything bigger is not one the CLI wrote. */
const RECORD_CAP = 64 * 1024

export const executorStaleManifest: TargetCheck = {
  symptoms: ['executor/stale-manifest', 'executor/manifest-pid-reused', 'executor/manifest-invalid', 'executor/stale-record', 'executor/record-pid-reused', 'executor/record-invalid'],
  async detect(ctx, _target) {
    const state = await loadExecutorState(ctx)
    requireReadableDataDir(state)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const findings: Finding[] = []
    const unknown: string[] = []
    const path = state.paths.manifest
    const m = state.manifest
    if (m.kind === 'invalid') {
      findings.push(finding('executor/manifest-invalid', {vars: {path, reason: m.reason}, evidence: {path, reason: m.reason, sizeBytes: m.sizeBytes ?? null}}))
    } else if (m.kind === 'ok') {
      const {manifest} = m
      const writtenAt = Date.parse(manifest.startedAt) || m.mtimeMs
      const pid = await checkRecordedPid(ctx, manifest.pid, writtenAt, manifest.owner.executablePath)
      const evidence = {path, pid: manifest.pid, startedAt: manifest.startedAt, origin: manifest.connection.origin, ownerVersion: manifest.owner.version}
      if (pid.state === 'dead') findings.push(finding('executor/stale-manifest', {vars: {path, pid: manifest.pid}, evidence}))
      else if (pid.state === 'reused') {
        findings.push(finding('executor/manifest-pid-reused', {vars: {path, pid: manifest.pid, why: pid.why}, evidence: {...evidence, currentOwner: processEvidence(pid.proc)}}))
      } else if (pid.state === 'unknown') unknown.push(`${path}: ${pid.reason}`)
    }
    for (const entry of state.entries.filter((e) => e.kind === 'record' || e.kind === 'pointer')) {
      findings.push(...(await judgeRecord(ctx, entry.path, entry.kind, unknown)))
    }
    if (unknown.length > 0 && findings.length === 0) throw new Undetermined(`could not tell whether recorded pids are alive: ${unknown.join('; ')}`)
    return findings
  },
}

/**
 * A record or pointer with a dead pid is normal debris: 1.5.9's own `daemon stop` leaves the
 * pointer behind, and the CLI ignores a dead pointer and prunes dead records when it next looks.
 * Dead records are worth a warning (they outlived a crash); dead pointers are not worth a word.
 * A *recycled* pid is different: the CLI believes the daemon is alive and refuses to act.
 */
async function judgeRecord(ctx: CheckContext, path: string, kind: 'record' | 'pointer' | 'start-lock', unknown: string[]): Promise<Finding[]> {
  const read = await ctx.files.read(path, RECORD_CAP)
  if (!read.ok) {
    if (read.code === 'ENOENT') return [] // removed while we looked: nothing stale left
    if (read.code === 'EACCES' || read.code === 'OTHER') {
      unknown.push(`${path}: ${read.code}`)
      return []
    }
    return [finding('executor/record-invalid', {vars: {path, reason: read.message}, evidence: {path, error: read.code}})]
  }
  const parsed = parseRecord(read.text)
  if (!parsed.ok) return [finding('executor/record-invalid', {vars: {path, reason: parsed.reason}, evidence: {path, reason: parsed.reason}})]
  const record = parsed.value
  const writtenAt = Date.parse(record.startedAt) || read.stat.mtimeMs
  const pid = await checkRecordedPid(ctx, record.pid, writtenAt)
  const evidence = {path, pid: record.pid, port: record.port, startedAt: record.startedAt}
  if (pid.state === 'dead') return kind === 'pointer' ? [] : [finding('executor/stale-record', {vars: {path, pid: record.pid}, evidence})]
  if (pid.state === 'reused') return [finding('executor/record-pid-reused', {vars: {path, pid: record.pid, why: pid.why}, evidence: {...evidence, currentOwner: processEvidence(pid.proc)}})]
  if (pid.state === 'unknown') unknown.push(`${path}: ${pid.reason}`)
  return []
}
