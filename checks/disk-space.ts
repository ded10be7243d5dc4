/**
 * disk-space: the filesystem holding the data dir has at least the target's minimum free bytes
 * available to unprivileged writers (as `df` shows them). A declared target states it as
 * `dataDir.minFree`; RunWisp's comes from `[storage] min_free_space`, and RunWisp also caps what
 * its run logs take (`[storage] max_size`, its companion half).
 */
import {defineCheck, skip, Undetermined, writtenOnce, type DeclaredCheck} from '../src/check.js'
import {declaredFinding} from '../src/targets/declared/facts.js'
import {runwispStorageMaxSize} from '../src/targets/runwisp/checks/disk-space.js'
import {runwispProfile} from '../src/targets/runwisp/profile.js'
import {formatBytes} from '../src/text.js'

const diskSpace: DeclaredCheck = {
  symptoms: ['disk-low'],
  async detect(ctx, profile) {
    const dir = profile.dataDir
    if (!dir || dir.minFree === undefined) return skip(dir?.minFreeUnset ?? `${profile.id} declares no dataDir.minFree`)
    const fs = await ctx.files.statfs(dir.path)
    if (!fs.ok) {
      if (fs.code === 'ENOENT' || fs.code === 'ENOTDIR') return skip(`no data dir at ${dir.path}`)
      throw new Undetermined(`cannot statfs ${dir.path} (${fs.code}): ${fs.message}`, {path: dir.path})
    }
    if (fs.availableBytes >= dir.minFree) return []
    const minFree = formatBytes(dir.minFree)
    return [
      declaredFinding(profile, 'disk-low', {
        vars: {path: dir.path, dataDir: dir.path, free: formatBytes(fs.availableBytes), minFree, min: dir.minFreeAsWritten ?? minFree},
        evidence: {
          path: dir.path,
          availableBytes: fs.availableBytes,
          totalBytes: fs.totalBytes,
          minFreeBytes: dir.minFree,
          ...(dir.minFreeAsWritten ? {minFreeAsWritten: dir.minFreeAsWritten} : {}),
        },
      }),
    ]
  },
}

export default defineCheck({
  id: 'disk-space',
  title: 'Check free disk space',
  description:
    "Free space on the data dir's filesystem against [storage] min_free_space, and run logs against [storage] max_size (a declared target: its data dir against dataDir.minFree).",
  fixable: false,
  ...writtenOnce(diskSpace, [runwispProfile], {runwisp: runwispStorageMaxSize}),
})
