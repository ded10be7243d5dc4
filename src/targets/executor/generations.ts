/**
 * Executor's generations, each judged by its own rules (executor-facts §4.1, §10).
 *
 * - `legacy`: the released npm CLI 1.5.9 and earlier. No `/api/health` (404); every unknown path
 *   answers 200 with the web app's HTML, so a 200 proves nothing. `/api/integrations` answers a JSON
 *   array without auth: that is what its own `daemon status` asks. No `auth.json`; files are 0644.
 * - `current`: the source read for the fact sheet (1.5.27–1.5.35). `GET /api/health` answers 200
 *   `ok` before auth; other `/api*` paths need the bearer token from `server-control/auth.json`.
 *
 * Versions between 1.5.9 and 1.5.27 were not observed; they are judged as `current` when the
 * manifest names them, and by what actually answers when it does not.
 */
import type {HttpResult} from '../../probes/http.js'
import {compareVersions} from './formats.js'

export type ExecutorGeneration = 'legacy' | 'current'

export interface HealthRule {
  generation: ExecutorGeneration
  path: string
  /** What a healthy daemon of this generation answers, for messages. */
  expected: string
  accepts(response: Extract<HttpResult, {ok: true}>): boolean
}

function isJsonArray(body: string): boolean {
  try {
    return Array.isArray(JSON.parse(body))
  } catch {
    return false
  }
}

export const HEALTH_RULES: Record<ExecutorGeneration, HealthRule> = {
  current: {
    generation: 'current',
    path: '/api/health',
    expected: '200 with body "ok"',
    accepts: (r) => r.status === 200 && r.body.trim() === 'ok',
  },
  legacy: {
    generation: 'legacy',
    path: '/api/integrations',
    expected: '200 with a JSON array (1.5.9 has no /api/health)',
    accepts: (r) => r.status === 200 && isJsonArray(r.body),
  },
}

/** The last version with the 1.5.9 behaviour that was observed. */
export const LAST_LEGACY_VERSION = '1.5.9'
/** executor-facts §2.2: `server-control/startup.lock` is written up to about 1.5.22, unused from 1.5.23 (#1175). */
export const LAST_STARTUP_LOCK_VERSION = '1.5.22'

export function generationOfVersion(version: string): ExecutorGeneration {
  return compareVersions(version, LAST_LEGACY_VERSION) <= 0 ? 'legacy' : 'current'
}
