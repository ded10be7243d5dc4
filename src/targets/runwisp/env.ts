/**
 * How RunWisp reads its RUNWISP_* variables, so the doctor reads them the same way: an empty value
 * is unset everywhere, and the two RunWisp trims first are trimmed here too. A variable set to ""
 * (a template, `env RUNWISP_PORT= runwisp`, a unit's `Environment=RUNWISP_DATA=`) changes nothing
 * for RunWisp and must change nothing for the doctor: no finding, the default applies.
 */

// Source: runwisp-facts §1.1 (root.go: `firstNonEmpty(os.Getenv("RUNWISP_DATA"), …)`, the same for
// RUNWISP_CONFIG and RUNWISP_HOST; an empty RUNWISP_SOCKET leaves <data>/runwisp.sock), §2.1 and §3.3
// (the variables RunWisp validates). That RUNWISP_PORT and RUNWISP_AUTH are trimmed first is in
// RunWisp's own root.go `resolvePortConfig` and daemon_config.go `resolveAuthMode`
// (`strings.TrimSpace`, then "" is unset); the others are used as given.
const TRIMMED = new Set(['RUNWISP_PORT', 'RUNWISP_AUTH'])

/** The value RunWisp acts on, or undefined when RunWisp treats the variable as unset. */
export function runwispEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const raw = env[name]
  if (raw === undefined) return undefined
  const value = TRIMMED.has(name) ? raw.trim() : raw
  return value === '' ? undefined : value
}

/**
 * A port as RunWisp parses one (`strconv.Atoi`, then 1–65535): a sign is allowed, anything else
 * that is not decimal digits is not. null: RunWisp refuses to start with it.
 */
export function parseRunwispPort(value: string): number | null {
  if (!/^[+-]?\d+$/.test(value)) return null
  const port = Number(value)
  return port >= 1 && port <= 65535 ? port : null
}
