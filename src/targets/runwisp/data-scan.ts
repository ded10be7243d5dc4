/**
 * One walk of the RunWisp data dir per run, shared by the checks that need the whole tree:
 * data-dir-permissions (entries the daemon's user does not own — the leftovers of a `sudo
 * runwisp` that the documented `chown -R` repairs) and disk-space (bytes of run logs against
 * `[storage] max_size`). Links are never followed; a data dir of 100,000 run logs is walked in
 * well under a second (README › Performance).
 */
import {relative, sep} from 'node:path'
import type {CheckContext} from '../../context.js'
import {walkTree} from '../../probes/walk.js'
import {daemonAccount, loadRunwispState} from './state.js'

export interface DataDirScan {
  entries: number
  truncated: boolean
  /** Bytes of regular files under `logs/`. */
  logBytes: number
  /** Entries not owned by the daemon's user: how many, and the first few paths. */
  foreign: {count: number; examples: Array<{path: string; uid: number}>}
  unreadable: Array<{path: string; code: string}>
}

/** Enough for any real install; past it the scan says it is partial instead of running on. */
export const SCAN_CAP = 1_000_000
const EXAMPLES = 5

export function scanDataDir(ctx: CheckContext): Promise<DataDirScan | null> {
  return ctx.memo('runwisp:data-scan', async () => {
    const state = await loadRunwispState(ctx)
    if (state.dataDirState.kind !== 'dir') return null
    const account = await daemonAccount(ctx)
    const logsPrefix = `logs${sep}`
    const scan: DataDirScan = {entries: 0, truncated: false, logBytes: 0, foreign: {count: 0, examples: []}, unreadable: []}
    const walked = await walkTree(
      state.dataDir,
      ({path, stat}) => {
        if (stat.uid !== account.uid) {
          scan.foreign.count++
          if (scan.foreign.examples.length < EXAMPLES) scan.foreign.examples.push({path, uid: stat.uid})
        }
        if (stat.isFile() && relative(state.dataDir, path).startsWith(logsPrefix)) scan.logBytes += stat.size
      },
      {maxEntries: SCAN_CAP, signal: ctx.signal},
    )
    return {...scan, entries: walked.entries, truncated: walked.truncated, unreadable: walked.unreadable}
  })
}
