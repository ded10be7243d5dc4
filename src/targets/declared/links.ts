import {dirname, isAbsolute, resolve} from 'node:path'
import type {CheckContext} from '../../context.js'

/** Follows the final component's symlinks (bounded) through the context's file probe, never opening anything. */
export async function resolveLinks(ctx: CheckContext, path: string): Promise<string> {
  let current = path
  for (let hops = 0; hops < 16; hops++) {
    const link = await ctx.files.readlink(current)
    if (!link.ok) return current
    current = isAbsolute(link.target) ? link.target : resolve(dirname(current), link.target)
  }
  return current
}
