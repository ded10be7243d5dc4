/**
 * What the bundle holds for a target declared in doctor.config.json, from its profile alone: its
 * declared configs (copied, redacted), the tails of its declared logs, and its secret files
 * (described: presence, mode, owner, symlink target; never copied). The secret values the profile
 * says how to find (`secrets[].values`: the first capture group of each regex, and the declared
 * secret env vars) are learned so that they are redacted wherever they appear, in every form the
 * redactor knows (raw, escaped, URL-encoded, base64).
 */
import {basename} from 'node:path'
import type {CheckContext} from '../../context.js'
import type {TargetProfile} from '../../targets/profile.js'
import {readSecretText} from '../read.js'
import type {SourcePlan} from '../types.js'

/** Archive names are `<target id>/<file name>`; a name used twice gets the bundle's usual `-2` suffix. */
export function planDeclared(profile: TargetProfile): SourcePlan {
  // A file declared both as a config and as a secret is a secret: described, never copied.
  const secretPaths = new Set(profile.secrets.map((s) => s.path))
  return {
    origin: 'declared',
    copies: profile.configs
      .filter((p) => !secretPaths.has(p))
      .map((path) => ({
        name: `${profile.id}/${basename(path)}`,
        path,
        what: `${profile.name} config (declared)`,
        origin: 'declared',
        follow: true,
      })),
    tails: profile.logs.map((path) => ({
      name: `${profile.id}/${basename(path)}`,
      path,
      what: `end of ${profile.name}'s log (declared)`,
      origin: 'declared',
    })),
    secretFiles: profile.secrets.map((s) => ({path: s.path, what: `${profile.name} secret file (declared)`, origin: 'declared'})),
    facts: {declaredIn: profile.source.configPath, name: profile.name, dataDir: profile.dataDir?.path ?? null, ports: profile.ports},
  }
}

export interface LearnedSecret {
  value: string
  foundIn: string
}

/**
 * The secret values a profile declares: each `values` regex over its secret file (read through
 * a link, as the daemon reads it: the value in use is the one that must not leak), every match's
 * first capture group (a file declared without `values` is wholly secret: its content); and the
 * values of its secret env vars in this environment.
 */
export async function declaredSecretValues(ctx: CheckContext, profile: TargetProfile): Promise<LearnedSecret[]> {
  const out: LearnedSecret[] = []
  for (const secret of profile.secrets) {
    const text = await readSecretText(secret.path, 1024 * 1024)
    if (text === null) continue
    if (!secret.values || secret.values.length === 0) {
      // Wholly secret (a token, a key): the value itself, and each long line of a multi-line one.
      const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length >= 16)
      for (const value of new Set([text.trim(), ...lines])) if (value) out.push({value, foundIn: `${profile.id} secret ${secret.path}`})
      continue
    }
    for (const pattern of secret.values) {
      // Line-anchored as written for a config file (`^password\s+(\S+)`), every match.
      const flags = [...new Set([...pattern.flags, 'g', 'm'])].join('')
      for (const match of text.matchAll(new RegExp(pattern.source, flags))) {
        if (match[1]) out.push({value: match[1], foundIn: `${profile.id} secret ${secret.path}`})
      }
    }
  }
  for (const name of profile.env) {
    const value = ctx.env[name]
    if (value) out.push({value, foundIn: `${profile.id} env ${name}`})
  }
  return out
}
