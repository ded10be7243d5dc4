/**
 * The symptom catalogue is one per process: making a declared target (declaredTarget,
 * defineTarget, a config with `targets` read in-process) registers its entries there, and the
 * files that run after would see them (`doctor checks`-style assertions over every entry, a
 * `kv/…` entry of another file's). `keepCatalogue()` in a describe block puts back, after it,
 * the declared targets' entries as they were before it.
 */
import {allSymptoms, defineTargetSymptoms, type SymptomEntry} from '../../src/catalogue.js'
import {isBuiltinTargetId, type TargetId} from '../../src/types.js'

function declaredEntries(): Map<TargetId, SymptomEntry[]> {
  const byTarget = new Map<TargetId, SymptomEntry[]>()
  for (const entry of allSymptoms()) {
    if (isBuiltinTargetId(entry.target)) continue
    byTarget.set(entry.target, [...(byTarget.get(entry.target) ?? []), entry])
  }
  return byTarget
}

export function keepCatalogue(): void {
  let found = new Map<TargetId, SymptomEntry[]>()
  // Built-in entries are registered at import time and never replaced; only declared ones move.
  before(() => void (found = declaredEntries()))
  after(() => {
    for (const target of declaredEntries().keys()) if (!found.has(target)) defineTargetSymptoms(target, [])
    for (const [target, entries] of found) defineTargetSymptoms(target, entries)
  })
}
