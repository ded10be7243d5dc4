import {skip, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {isTable, loadConfig} from '../config.js'
import {scanDataDir} from '../data-scan.js'
import {formatBytes, parseSize} from '../formats.js'
import {loadRunwispState} from '../state.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * RunWisp's half beside the generic disk-space (checks/disk-space.ts): `[storage] max_size`
 * (0 = no cap) against what the run logs take (runwisp-facts §5.1, §6).
 */
export const runwispStorageMaxSize: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/storage-over-max-size'],
    async detect(ctx, _target) {
      const state = await loadRunwispState(ctx)
      if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
      const config = await loadConfig(ctx)
      const storage = config.kind === 'ok' && isTable(config.data.storage) ? config.data.storage : {}
      const max = storage.max_size !== undefined ? parseSize(storage.max_size) : null
      if (!max?.ok || max.value === 0) return skip('[storage] sets no max_size, so RunWisp caps no run logs')
      const logs = state.paths.logs
      const scan = await scanDataDir(ctx)
      const used = {bytes: scan?.logBytes ?? 0, entries: scan?.entries ?? 0, partial: scan?.truncated ?? false}
      if (used.bytes <= max.value) return []
      return [
        finding('runwisp/storage-over-max-size', {
          vars: {
            logs,
            used: `${used.partial ? 'at least ' : ''}${formatBytes(used.bytes)}`,
            max: `${String(storage.max_size)} (${formatBytes(max.value)})`,
          },
          evidence: {logs, usedBytes: used.bytes, maxSizeBytes: max.value, entriesCounted: used.entries, partial: used.partial},
        }),
      ]
    },
  }),
)
