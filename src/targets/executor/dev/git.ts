/**
 * Just enough of git, read from disk (no `git` spawn: checks only read, and the context has no
 * exec helper): where a checkout's git dir is (worktrees have a `.git` file), its config values,
 * and when its working tree last changed under the user's feet (rebase, checkout, pull, reset).
 */
import {isAbsolute, join, resolve} from 'node:path'
import type {CheckContext} from '../../../context.js'

export interface GitDirs {
  /** Per-worktree git dir (HEAD, logs/HEAD, ORIG_HEAD). */
  gitDir: string
  /** Shared dir (config); equals gitDir outside linked worktrees. */
  commonDir: string
}

export async function gitDirs(ctx: CheckContext, root: string): Promise<GitDirs | null> {
  const dotGit = join(root, '.git')
  const stat = await ctx.files.stat(dotGit)
  if (!stat.ok) return null
  let gitDir = dotGit
  if (stat.stat.isFile()) {
    const read = await ctx.files.read(dotGit, 64 * 1024)
    if (!read.ok) return null
    const match = /^gitdir:\s*(.+?)\s*$/m.exec(read.text)
    if (!match) return null
    gitDir = isAbsolute(match[1]!) ? match[1]! : resolve(root, match[1]!)
  }
  const common = await ctx.files.read(join(gitDir, 'commondir'), 64 * 1024)
  const commonDir = common.ok && common.text.trim() ? resolve(gitDir, common.text.trim()) : gitDir
  return {gitDir, commonDir}
}

/**
 * Values of `section.key` in git config text (last one wins, as git does). Handles `[core]`,
 * case-insensitive keys, quoted values and comments; `include` directives are not followed.
 */
export function gitConfigValues(text: string, section: string, key: string): string[] {
  const values: string[] = []
  let current = ''
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\]\s*(.*)$/.exec(line)
    if (header) {
      current = header[1]!.toLowerCase()
      if (!header[2]) continue
    }
    const body = header ? header[2]! : line
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(body)
    if (!kv || current !== section.toLowerCase() || kv[1]!.toLowerCase() !== key.toLowerCase()) continue
    values.push(unquote(kv[2] ?? 'true'))
  }
  return values
}

function unquote(value: string): string {
  let out = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    if (c === '"') quoted = !quoted
    else if (c === '\\' && i + 1 < value.length) out += value[++i] === 't' ? '\t' : value[i] === 'n' ? '\n' : value[i]
    else if (!quoted && (c === '#' || c === ';')) break
    else out += c
  }
  return out.trim()
}

export interface ConfigHit {
  value: string
  file: string
}

/** The effective value of `section.key` across system, global, repo and worktree config. */
export async function gitConfig(ctx: CheckContext, dirs: GitDirs | null, section: string, key: string): Promise<ConfigHit | null> {
  const xdg = ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config')
  const files = ['/etc/gitconfig', join(xdg, 'git', 'config'), join(ctx.home, '.gitconfig')]
  if (dirs) files.push(join(dirs.commonDir, 'config'), join(dirs.gitDir, 'config.worktree'))
  let hit: ConfigHit | null = null
  for (const file of files) {
    const read = await ctx.files.read(file, 1024 * 1024)
    if (!read.ok) continue
    const values = gitConfigValues(read.text, section, key)
    if (values.length > 0) hit = {value: values.at(-1)!, file}
  }
  return hit
}

export interface TreeChange {
  atMs: number
  what: string
  source: string
}

/** Reflog messages that rewrite the working tree (a plain commit does not). */
const TREE_CHANGING = /^(rebase|checkout|pull|reset|merge|switch|cherry-pick|am|revert)\b/

/**
 * When the working tree last changed by a rebase, checkout, pull or reset: the newest such HEAD
 * reflog entry, or ORIG_HEAD's mtime (rebase, reset and merge write it) when that is newer.
 */
export async function lastTreeChange(ctx: CheckContext, dirs: GitDirs): Promise<TreeChange | null> {
  let best: TreeChange | null = null
  const reflog = join(dirs.gitDir, 'logs', 'HEAD')
  const tail = await ctx.files.tail(reflog, 256 * 1024)
  if (tail.ok) {
    for (const line of tail.lines) {
      const match = /^[0-9a-f]+ [0-9a-f]+ .*> (\d+) [+-]\d{4}\t(.*)$/.exec(line)
      if (!match || !TREE_CHANGING.test(match[2]!)) continue
      const atMs = Number(match[1]) * 1000
      if (!best || atMs >= best.atMs) best = {atMs, what: match[2]!, source: reflog}
    }
  }
  const origHead = join(dirs.gitDir, 'ORIG_HEAD')
  const orig = await ctx.files.stat(origHead)
  if (orig.ok && (!best || orig.stat.mtimeMs > best.atMs))
    best = {atMs: orig.stat.mtimeMs, what: 'ORIG_HEAD written (rebase, reset or merge)', source: origHead}
  return best
}
