/**
 * Which names hold secrets: configuration keys (TOML, JSON, env files) and environment variables.
 * Shared by discovery (whose values are known secrets) and by the pattern rules.
 */

/** The secret word must end the key: `refreshToken` and `api_key` are secrets, `tokenEndpoint` is not. */
const SECRET_KEY =
  /(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|cookie|dsn|webhook(?:[_-]?url)?|signature)$/i

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key)
}

/** Environment variables: the secret word may sit anywhere (`GITHUB_TOKEN_CI`), or `_AUTH` at the end (`NPM_CONFIG__AUTH`). */
const SECRET_ENV =
  /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|DSN|WEBHOOK|COOKIE|SESSION_?KEY|AUTHORIZATION|_AUTH$/i
/** …unless the name says the value is a location or a setting, not the secret itself. */
const NOT_THE_SECRET =
  /(?:_SOCK|_PATH|_PATHS|_FILE|_FILES|_DIR|ASKPASS|_ENABLED|_MODE|_TYPE|_ENDPOINT|_HOST|_PORT|_EXPIRES(?:_AT)?|_TTL|_TIMEOUT)$/i

export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV.test(name) && !NOT_THE_SECRET.test(name)
}
