/**
 * Every check, in report order. Explicit on purpose (as ESLint's rule index): a test holds this
 * list and the files in checks/ to each other.
 */
import type {CheckDefinition} from '../src/check.js'
import clockSkew from './clock-skew.js'
import daemonHealth from './daemon-health.js'
import daemonLogErrors from './daemon-log-errors.js'
import duplicateDaemon from './duplicate-daemon.js'
import portSquatter from './port-squatter.js'
import staleLock from './stale-lock.js'
import staleManifest from './stale-manifest.js'
import unreachableDaemon from './unreachable-daemon.js'
import symlinkedSecret from './symlinked-secret.js'
import secretPermissions from './secret-permissions.js'
import dataDirPermissions from './data-dir-permissions.js'
import configValid from './config-valid.js'
import diskSpace from './disk-space.js'
import serviceUnit from './service-unit.js'

export const checks: readonly CheckDefinition[] = [
  daemonHealth,
  portSquatter,
  staleManifest,
  staleLock,
  unreachableDaemon,
  duplicateDaemon,
  clockSkew,
  daemonLogErrors,
  symlinkedSecret,
  secretPermissions,
  dataDirPermissions,
  configValid,
  diskSpace,
  serviceUnit,
]
