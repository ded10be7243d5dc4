/**
 * disk-space for a declared target: the filesystem holding its data dir has at least the declared
 * `dataDir.minFree` bytes available (to unprivileged writers, as `df` shows them).
 */
import {skip, Undetermined, type DeclaredCheck} from '../check.js'
import {declaredFinding} from '../targets/declared/facts.js'

const human = (bytes: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

export const declaredDiskSpace: DeclaredCheck = {
  symptoms: ['disk-low'],
  async detect(ctx, profile) {
    const dir = profile.dataDir
    if (!dir || dir.minFree === undefined) return skip(`${profile.id} declares no dataDir.minFree`)
    const fs = await ctx.files.statfs(dir.path)
    if (!fs.ok) {
      if (fs.code === 'ENOENT') return skip(`no data dir at ${dir.path}`)
      throw new Undetermined(`cannot statfs ${dir.path} (${fs.code}): ${fs.message}`, {path: dir.path})
    }
    if (fs.availableBytes >= dir.minFree) return []
    return [
      declaredFinding(profile, 'disk-low', {
        vars: {path: dir.path, free: human(fs.availableBytes), minFree: human(dir.minFree)},
        evidence: {path: dir.path, availableBytes: fs.availableBytes, totalBytes: fs.totalBytes, minFreeBytes: dir.minFree},
      }),
    ]
  },
}
