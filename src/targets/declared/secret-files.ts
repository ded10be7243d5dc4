/**
 * The declared secret files as secret-permissions and symlinked-secret both walk them: lstat only
 * (a link is described, never followed), a missing file is nothing to judge, and a file that cannot
 * be looked at makes the check undecided.
 */
import {Undetermined} from '../../check.js'
import type {Stats} from 'node:fs'
import type {CheckContext} from '../../context.js'
import type {SecretFileSpec, TargetFacts} from '../profile.js'

export interface SecretFile {
  secret: SecretFileSpec
  path: string
  stat: Stats
}

/** Every declared secret file that exists, with its lstat, in declaration order. */
export async function presentSecretFiles(ctx: CheckContext, profile: TargetFacts): Promise<SecretFile[]> {
  const out: SecretFile[] = []
  for (const secret of profile.secrets) {
    const path = secret.path
    const st = await ctx.files.lstat(path)
    if (!st.ok) {
      if (st.code === 'ENOENT' || st.code === 'ENOTDIR') continue
      throw new Undetermined(`cannot lstat ${path} (${st.code}): ${st.message}`, {path})
    }
    out.push({secret, path, stat: st.stat})
  }
  return out
}
