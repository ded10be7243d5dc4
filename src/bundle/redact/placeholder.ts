/** How a redaction reads in the bundle: `[REDACTED:<rule or secret label>]`. */
export const placeholder = (label: string): string => `[REDACTED:${label}]`

/** Any redaction already made; rules never match inside one, so redaction is idempotent. */
export const PLACEHOLDER = /\[REDACTED:[a-z0-9-]+\]/

/**
 * Values that are not secrets even under a secret-looking name: empty, already redacted, a
 * `${VAR}` / `${file:path}` reference (runwisp-facts §5.1 substitution), a shell `$(…)` that
 * reads it (a fix command: `RUNWISP_PASSWORD=$(cat …/password)`), a `<placeholder>`,
 * stars, or a boolean-ish word.
 */
export function isNonSecretValue(value: string): boolean {
  const v = value.trim()
  if (v === '' || PLACEHOLDER.test(v)) return true
  return /^(?:\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|\$\(.*|<[^>]*>|\*+|x{3,}|null|nil|none|true|false|yes|no|on|off|undefined|set|unset|redacted|\.\.\.|…)$/i.test(
    v,
  )
}

/**
 * Whether a free-standing value looks like a credential rather than a word: random tokens have
 * digits, mixed case or symbols. Keeps prose such as "the stored bearer credentials" intact
 * (executor-facts §4.3) while catching `Bearer 9fQ…`.
 */
export function looksLikeCredential(value: string, minLength = 8): boolean {
  if (value.length < minLength || isNonSecretValue(value)) return false
  if (/^(?:\/|~|\.\.?\/)/.test(value)) return false
  return /\d/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value)) || /[^A-Za-z0-9]/.test(value) || value.length >= 24
}
