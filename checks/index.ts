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
import bootstrapBuild from './bootstrap-build.js'
import viteCache from './vite-cache.js'
import e2ePorts from './e2e-ports.js'
import leakedDevServers from './leaked-dev-servers.js'
import playwrightBrowser from './playwright-browser.js'
import authEnv from './auth-env.js'
import tokenDrift from './token-drift.js'
import secretPermissions from './secret-permissions.js'
import symlinkedSecret from './symlinked-secret.js'
import publicOrigin from './public-origin.js'
import dataDirPermissions from './data-dir-permissions.js'
import configValid from './config-valid.js'
import diskSpace from './disk-space.js'
import serviceUnit from './service-unit.js'

/** Report order: the daemon at runtime, its files, its configuration, then the dev checkout. */
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
  diskSpace,
  serviceUnit,
  configValid,
  authEnv,
  tokenDrift,
  publicOrigin,
  bootstrapBuild,
  viteCache,
  e2ePorts,
  leakedDevServers,
  playwrightBrowser,
]
