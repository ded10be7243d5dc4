/**
 * At most `max` planned files of each kind. A data dir holding 20,000 daemon records and 20,000
 * start locks would otherwise become a 40,000-file bundle (issue 13 §3: 259 s, 530 MB); a
 * maintainer reads the newest few, and the count of the rest says as much as their contents.
 */
import {lstatSync} from 'node:fs'
import type {LeftOut, Origin} from './types.js'
import {yieldToLoop, timeSlice} from '../probes/abort.js'

interface Planned {
  path: string
  what: string
  origin: Origin
}

export interface Capped<T> {
  kept: T[]
  leftOut: LeftOut[]
}

/**
 * Keeps the `max` most recently modified items of each `what` (lstat: a link's own time, never
 * its target's), in their planned order; counts the rest. Only kinds over the cap are stat'ed,
 * synchronously in short slices (cheaper than the promise pool for tens of thousands of files).
 */
export async function capPerKind<T extends Planned>(items: readonly T[], max: number): Promise<Capped<T>> {
  const byKind = new Map<string, number[]>()
  items.forEach((item, index) => {
    const list = byKind.get(item.what)
    if (list) list.push(index)
    else byKind.set(item.what, [index])
  })
  const dropped = new Set<number>()
  const leftOut: LeftOut[] = []
  const sliceUp = timeSlice()
  for (const [what, indexes] of byKind) {
    if (indexes.length <= max) continue
    const mtimes = new Map<number, number>()
    for (const index of indexes) {
      mtimes.set(index, lstatSync(items[index]!.path, {throwIfNoEntry: false})?.mtimeMs ?? 0)
      if (sliceUp()) {
        await yieldToLoop()
      }
    }
    const newestFirst = [...indexes].sort((a, b) => mtimes.get(b)! - mtimes.get(a)! || a - b)
    for (const index of newestFirst.slice(max)) dropped.add(index)
    leftOut.push({
      what,
      origin: items[indexes[0]!]!.origin,
      found: indexes.length,
      kept: max,
      cause: 'cap',
      reason: `only the ${max} most recently modified of each kind are included`,
    })
  }
  return {kept: items.filter((_, index) => !dropped.has(index)), leftOut}
}
