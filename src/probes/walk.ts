/**
 * Walks a directory tree without following symlinks, lstat-ing every entry once. The visitor sees
 * each entry's lstat; nothing is kept, so memory stays flat on a data dir of 100,000 run logs.
 *
 * Measured on the 2-core machine (100,000 files): promise-based lstat through the libuv pool
 * takes ~1.4 s whatever the concurrency; synchronous lstat takes ~0.35 s. So the walk runs
 * synchronously in time slices of a few milliseconds and yields between them, which keeps the
 * speed without starving the checks and probes running beside it.
 */
import {lstatSync, readdirSync, type Stats} from 'node:fs'
import {join} from 'node:path'
import {stopIfAborted, yieldToLoop, timeSlice} from './abort.js'

export interface WalkEntry {
  path: string
  stat: Stats
}

export interface WalkResult {
  entries: number
  /** Directories that could not be listed (permission denied, vanished), with the error code. */
  unreadable: Array<{path: string; code: string}>
  /** True when the walk stopped at `maxEntries`. */
  truncated: boolean
}

export interface WalkOptions {
  maxEntries?: number
  /** Longest synchronous stretch before yielding to the event loop. */
  sliceMs?: number
  /** Stops the walk (rejecting with its reason) at the next slice once it fires: pass the check's `ctx.signal`. */
  signal?: AbortSignal
}

export async function walkTree(root: string, visit: (entry: WalkEntry) => void, options: WalkOptions = {}): Promise<WalkResult> {
  const maxEntries = options.maxEntries ?? 1_000_000
  const sliceMs = options.sliceMs ?? 8
  const result: WalkResult = {entries: 0, unreadable: [], truncated: false}
  // Each pending directory with the names still to visit in it.
  const stack: Array<{dir: string; names: string[] | null}> = [{dir: root, names: null}]
  stopIfAborted(options.signal)
  const sliceUp = timeSlice(sliceMs)
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.names === null) {
      try {
        top.names = readdirSync(top.dir)
      } catch (error) {
        result.unreadable.push({path: top.dir, code: (error as NodeJS.ErrnoException).code ?? 'ERROR'})
        stack.pop()
        continue
      }
    }
    const name = top.names.pop()
    if (name === undefined) {
      stack.pop()
      continue
    }
    if (++result.entries > maxEntries) {
      result.entries = maxEntries
      result.truncated = true
      break
    }
    const path = join(top.dir, name)
    const stat = lstatSync(path, {throwIfNoEntry: false})
    if (stat) {
      visit({path, stat})
      if (stat.isDirectory()) stack.push({dir: path, names: null})
    }
    if ((result.entries & 255) === 0 && sliceUp()) {
      await yieldToLoop()
      stopIfAborted(options.signal)
    }
  }
  return result
}
