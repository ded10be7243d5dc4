import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {isTable, loadConfig} from '../config.js'
import {scanDataDir} from '../data-scan.js'
import {formatBytes, parseSize} from '../formats.js'
import {loadRunwispState} from '../state.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * runwisp-facts §5.1, §6: `[storage] min_free_space` (0 = no check) against the free space of the
 * data dir's filesystem, and `[storage] max_size` (0 = no cap) against what the run logs take.
 */
export const runwispDiskSpace: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/disk-below-min-free', 'runwisp/storage-over-max-size'],
    async detect(ctx, _target) {
      const state = await loadRunwispState(ctx)
      if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
      const config = await loadConfig(ctx)
      const storage = config.kind === 'ok' && isTable(config.data.storage) ? config.data.storage : {}
      const min = storage.min_free_space !== undefined ? parseSize(storage.min_free_space) : null
      const max = storage.max_size !== undefined ? parseSize(storage.max_size) : null
      if ((!min || (min.ok && min.value === 0)) && (!max || (max.ok && max.value === 0))) {
        return skip(
          config.kind === 'ok'
            ? '[storage] sets neither min_free_space nor max_size, so RunWisp checks neither'
            : 'no readable runwisp.toml to read [storage] from (config-valid says why)',
        )
      }
      const findings: Finding[] = []
      if (min?.ok && min.value > 0) {
        const fs = await ctx.files.statfs(state.dataDir)
        if (!fs.ok) throw new Undetermined(`cannot statfs ${state.dataDir} (${fs.code}): ${fs.message}`, {dataDir: state.dataDir})
        if (fs.availableBytes < min.value) {
          findings.push(
            finding('runwisp/disk-below-min-free', {
              vars: {
                dataDir: state.dataDir,
                free: formatBytes(fs.availableBytes),
                min: `${String(storage.min_free_space)} (${formatBytes(min.value)})`,
              },
              evidence: {
                dataDir: state.dataDir,
                availableBytes: fs.availableBytes,
                minFreeSpaceBytes: min.value,
                minFreeSpace: String(storage.min_free_space),
                totalBytes: fs.totalBytes,
              },
            }),
          )
        }
      }
      if (max?.ok && max.value > 0) {
        const logs = state.paths.logs
        const scan = await scanDataDir(ctx)
        const used = {bytes: scan?.logBytes ?? 0, entries: scan?.entries ?? 0, partial: scan?.truncated ?? false}
        if (used.bytes > max.value) {
          findings.push(
            finding('runwisp/storage-over-max-size', {
              vars: {
                logs,
                used: `${used.partial ? 'at least ' : ''}${formatBytes(used.bytes)}`,
                max: `${String(storage.max_size)} (${formatBytes(max.value)})`,
              },
              evidence: {logs, usedBytes: used.bytes, maxSizeBytes: max.value, entriesCounted: used.entries, partial: used.partial},
            }),
          )
        }
      }
      return findings
    },
  }),
)
