/**
 * Paths as a declaration writes them (issue 14 §2): `~` and `~/…` for the home directory,
 * `${VAR}` and `${VAR:-default}` for the environment (the shell's meaning: the default also
 * stands in for a variable that is set but empty), and paths relative to the config file's own
 * directory, so a config means the same wherever the doctor is run from.
 */
import {isAbsolute, normalize, resolve} from 'node:path'

export interface ExpandContext {
  env: Readonly<Record<string, string | undefined>>
  home: string
  /** The directory of the config file: what relative paths are relative to. */
  baseDir: string
}

/** Why a path cannot be expanded, in words for the user (the caller names the key). */
export class PathProblem extends Error {}

const VARIABLE = /\$\{([^}]*)\}/g
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function expandPath(raw: string, ctx: ExpandContext): string {
  if (raw.trim() === '') throw new PathProblem('must be a path, not an empty string')
  if (raw.includes('\0')) throw new PathProblem('must not contain a NUL character')
  if (raw.replace(VARIABLE, '').includes('${')) throw new PathProblem('has a "${" that is not closed with "}"')
  // One pass: a value that itself holds "${" or "~" is taken literally, as the shell does.
  // A "~" leading the path, or leading a default that leads it (${KV_DIR:-~/kv}), is the home, as in the shell.
  let tildeFromDefault = false
  const substituted = raw.replace(VARIABLE, (_whole, inner: string, offset: number) => {
    const at = inner.indexOf(':-')
    const name = at >= 0 ? inner.slice(0, at) : inner
    if (!NAME.test(name))
      throw new PathProblem(
        `has \${${inner}}, which is not \${NAME} or \${NAME:-default} (NAME: letters, digits and _, not starting with a digit)`,
      )
    const value = ctx.env[name]
    if (value !== undefined && value !== '') return value
    if (at >= 0) {
      const fallback = inner.slice(at + 2)
      if (offset === 0 && fallback.startsWith('~')) tildeFromDefault = true
      return fallback
    }
    throw new PathProblem(
      `uses \${${name}}, which is ${value === '' ? 'empty' : 'not set'} here: set it, or write \${${name}:-/default/path}`,
    )
  })
  let path = substituted
  const tilde = raw.startsWith('~') || tildeFromDefault
  if (tilde && (path === '~' || path.startsWith('~/'))) path = ctx.home + path.slice(1)
  else if (tilde)
    throw new PathProblem(
      `starts with "${path.split('/')[0]}": only "~" (your home) is expanded, not another user's home; write the absolute path`,
    )
  return normalize(isAbsolute(path) ? path : resolve(ctx.baseDir, path)).replace(/(.)\/+$/, '$1')
}
