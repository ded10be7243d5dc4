import {defineCheck, perTarget} from '../src/check.js'
import {runwispDiskSpace} from '../src/targets/runwisp/checks/disk-space.js'
import {declaredDiskSpace} from '../src/generic/disk-space.js'

export default defineCheck({
  id: 'disk-space',
  title: 'Check free disk space',
  description:
    "Free space on the data dir's filesystem against [storage] min_free_space, and run logs against [storage] max_size (a declared target: its data dir against dataDir.minFree).",
  fixable: false,
  ...perTarget({runwisp: runwispDiskSpace}, declaredDiskSpace),
})
