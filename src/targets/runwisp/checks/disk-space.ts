import {join} from 'node:path'
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {isTable, loadConfig} from '../config.js'
import {formatBytes, parseSize} from '../formats.js'
import {loadRunwispState} from '../state.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'

/** A log tree bigger than this many entries is measured only as far as this (a bounded walk). */
const MAX_ENTRIES = 50_000

/**
 * runwisp-facts §5.1, §6: `[storage] min_free_space` (0 = no check) against the free space of the
 * data dir's filesystem, and `[storage] max_size` (0 = no cap) against what the run logs take.
 */
export const runwispDiskSpace: TargetCheck = withDocumentedPlans({
  symptoms: ['runwisp/disk-below-min-free', 'runwisp/storage-over-max-size'],
  async detect(ctx, _target) {
    const state = await loadRunwispState(ctx)
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const config = await loadConfig(ctx)
    const storage = config.kind === 'ok' && isTable(config.data.storage) ? config.data.storage : {}
    const min = storage.min_free_space !== undefined ? parseSize(storage.min_free_space) : null
    const max = storage.max_size !== undefined ? parseSize(storage.max_size) : null
    if ((!min || (min.ok && min.value === 0)) && (!max || (max.ok && max.value === 0))) {
      return skip(config.kind === 'ok' ? '[storage] sets neither min_free_space nor max_size, so RunWisp checks neither' : 'no readable runwisp.toml to read [storage] from (config-valid says why)')
    }
    const findings: Finding[] = []
    if (min?.ok && min.value > 0) {
      const fs = await ctx.files.statfs(state.dataDir)
      if (!fs.ok) throw new Undetermined(`cannot statfs ${state.dataDir} (${fs.code}): ${fs.message}`, {dataDir: state.dataDir})
      if (fs.availableBytes < min.value) {
        findings.push(
          finding('runwisp/disk-below-min-free', {
            vars: {dataDir: state.dataDir, free: formatBytes(fs.availableBytes), min: `${String(storage.min_free_space)} (${formatBytes(min.value)})`},
            evidence: {dataDir: state.dataDir, availableBytes: fs.availableBytes, minFreeSpaceBytes: min.value, minFreeSpace: String(storage.min_free_space), totalBytes: fs.totalBytes},
          }),
        )
      }
    }
    if (max?.ok && max.value > 0) {
      const logs = state.paths.logs
      const used = await treeSize(ctx, logs)
      if (used.bytes > max.value) {
        findings.push(
          finding('runwisp/storage-over-max-size', {
            vars: {logs, used: `${used.partial ? 'at least ' : ''}${formatBytes(used.bytes)}`, max: `${String(storage.max_size)} (${formatBytes(max.value)})`},
            evidence: {logs, usedBytes: used.bytes, maxSizeBytes: max.value, entriesCounted: used.entries, partial: used.partial},
          }),
        )
      }
    }
    return findings
  },
})

/** Bytes of regular files under `dir` (lstat: links are not followed), stopping after MAX_ENTRIES. */
async function treeSize(ctx: CheckContext, dir: string): Promise<{bytes: number; entries: number; partial: boolean}> {
  let bytes = 0
  let entries = 0
  const queue = [dir]
  while (queue.length > 0) {
    const current = queue.pop()!
    const listing = await ctx.files.readdir(current)
    if (!listing.ok) continue
    for (const name of listing.names) {
      if (++entries > MAX_ENTRIES) return {bytes, entries: MAX_ENTRIES, partial: true}
      const path = join(current, name)
      const st = await ctx.files.lstat(path)
      if (!st.ok) continue
      if (st.stat.isDirectory()) queue.push(path)
      else if (st.stat.isFile()) bytes += st.stat.size
    }
  }
  return {bytes, entries, partial: false}
}
