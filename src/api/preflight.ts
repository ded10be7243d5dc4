/**
 * `doctor preflight` for a host: the checks that decide whether e2e can start in this checkout,
 * run over the built-in targets, the config's and the host's own (`defineTarget`), whose checks
 * join the set. The CLI command and `runPreflight` share the set and its `--only` rule here.
 */
import {checks} from '../../checks/index.js'
import type {CheckDefinition} from '../check.js'
import {UsageError} from '../engine/doctor.js'
import type {Report, TargetId} from '../types.js'
import {remember} from './meta.js'
import {diagnose, flagsOf, resolveRun, setupOf, type CommandSetup, type DoctorOptions} from './run.js'
import type {DoctorTarget} from './targets.js'
import {DEFAULT_OPTIONS} from '../context.js'

/**
 * What decides whether e2e can start in this checkout (executor-troubleshooting, "E2e and
 * multi-checkout port collisions", "Missing bootstrap builds", "Stale Vite caches"): the dev
 * checkout checks, then the daemon checks whose failures surface as baffling e2e errors. Ids not
 * in this build's registry are left out, so the list can name checks that land later.
 */
export const PREFLIGHT_CHECK_IDS = [
  'bootstrap-build',
  'vite-cache',
  'e2e-ports',
  'leaked-dev-servers',
  'playwright-browser',
  'port-squatter',
  'daemon-health',
  'stale-manifest',
  'stale-lock',
] as const

/** Preflight's checks that this build has, in PREFLIGHT_CHECK_IDS order (dev checkout first). */
export function preflightChecks(): CheckDefinition[] {
  return PREFLIGHT_CHECK_IDS.flatMap((id) => checks.filter((c) => c.id === id))
}

/** Executor is checked even when no daemon state is found: preflight gates its e2e runs. */
const DEFAULT_TARGETS: TargetId[] = ['executor']

/**
 * The setup of a preflight run. `--only` may name a preflight check or a host's own; another
 * built-in check is refused by name rather than run outside the set.
 */
export function preflightSetup(only: readonly string[], setup: Omit<CommandSetup, 'name' | 'checks' | 'defaultTargets'>): CommandSetup {
  const pool = preflightChecks()
  const hosted = (setup.targets ?? []).flatMap((t: DoctorTarget) => t.checks)
  const outside = only
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((id) => id && checks.some((c) => c.id === id) && !pool.some((c) => c.id === id) && !hosted.some((c) => c.id === id))
  if (outside.length > 0)
    throw new UsageError(`--only ${outside.join(', ')}: not a preflight check`, [
      `preflight runs ${pool.map((c) => c.id).join(', ')}; use \`doctor --only …\` for the others`,
    ])
  return {...setup, name: 'doctor preflight', checks: pool, defaultTargets: DEFAULT_TARGETS}
}

/**
 * `doctor preflight --json` for a host: the preflight checks (and the host targets' own checks)
 * over every target found, Executor forced unless `force` names the targets. Options as for
 * `runDoctor`; a host's targets are checked when detected, as a config's declared ones are.
 */
export async function runPreflight(options: DoctorOptions = {}): Promise<Report> {
  const run = await resolveRun(flagsOf(options), preflightSetup(options.only ?? [], setupOf(options)))
  const {raw, safety} = await diagnose(run)
  return remember(raw, {safety, run, budgetMs: run.init.options.budgetMs ?? DEFAULT_OPTIONS.budgetMs})
}
