/**
 * `manifest.json`: every file of the bundle with its sha256, size and source, what was described
 * or left out and why, and the redactions by rule, with where each known secret was found and how
 * often it was replaced. Never a value (doctor-anchors §(d) 5; sos#3462 leaked one in its manifest).
 */
import type {JsonValue} from '../types.js'
import {toolVersion} from '../version.js'
import type {Bundle} from './collect.js'
import type {BundleOptions} from './options.js'
import {KNOWN_RULES} from './redact/known.js'
import {PATTERN_RULES} from './redact/patterns.js'
import {SPLIT_RULES} from './redact/split.js'
import {PSEUDONYM_RULES} from './redact/pseudonyms.js'

export const MANIFEST_NAME = 'manifest.json'

export interface ManifestFile {
  path: string
  sha256: string
  size: number
  kind: string
  source: string
  what: string
  redactions: Record<string, number>
  tail?: JsonValue
}

export interface Manifest {
  schemaVersion: 1
  tool: {name: string; version: string}
  createdAt: string
  limits: {maxLogBytes: number; maxLogLines: number; runLogs: number; maxCopyBytes: number; maxPerKind: number; timeoutMs: number | null}
  /** False when the time budget ran out first; `cutShort` then says what was not collected. */
  complete: boolean
  cutShort?: string
  files: ManifestFile[]
  omitted: JsonValue
  /** Kinds with more files than the bundle holds, by count (found, kept, why). */
  leftOut: JsonValue
  notPresent: string[]
  redactions: {
    order: string[]
    byRule: Record<string, number>
    rules: Array<{id: string; step: string; description: string}>
    knownSecrets: Array<{label: string; foundIn: string[]; occurrences: number}>
  }
}

/** Every rule the pipeline can apply, in order, described once for readers of the manifest. */
export function ruleCatalogue(): Manifest['redactions']['rules'] {
  const patternIds = [...new Set(PATTERN_RULES.map((r) => r.id))]
  return [
    {id: KNOWN_RULES.raw, step: 'known values', description: 'a secret value read on this machine, as is'},
    {id: KNOWN_RULES.encoded, step: 'known values', description: 'a known value, JSON-escaped or URL-encoded'},
    {
      id: KNOWN_RULES.base64,
      step: 'known values',
      description: 'a known value inside base64 (any alignment, standard or URL alphabet); the whole blob is replaced',
    },
    {
      id: SPLIT_RULES.split,
      step: 'known values',
      description: 'a known value split across a line break (also a JSON-escaped \\n); both halves are replaced',
    },
    {
      id: SPLIT_RULES.fragment,
      step: 'known values',
      description: 'a piece of a known value (half of it, 8 to 16 characters at least) cut at a line end or where a token ends',
    },
    ...patternIds.map((id) => ({id, step: 'patterns', description: PATTERN_RULES.find((r) => r.id === id)!.description})),
    {id: PSEUDONYM_RULES.home, step: 'pseudonyms', description: "the home directory, shown as ~ (another person's as ~anon-user-<n>)"},
    {
      id: PSEUDONYM_RULES.user,
      step: 'pseudonyms',
      description: "the user name and every person's account of this machine, shown as anon-user-<n>",
    },
    {
      id: PSEUDONYM_RULES.host,
      step: 'pseudonyms',
      description: 'the host name, and any host-name field whatever it holds, shown as anon-host-<n>',
    },
  ]
}

export function buildManifest(bundle: Bundle, options: BundleOptions, timeoutMs: number | null = null): Manifest {
  return {
    schemaVersion: 1,
    tool: {name: 'doctorkit', version: toolVersion()},
    createdAt: bundle.createdAt,
    limits: {
      maxLogBytes: options.maxLogBytes,
      maxLogLines: options.maxLogLines,
      runLogs: options.runLogs,
      maxCopyBytes: options.maxCopyBytes,
      maxPerKind: options.maxPerKind,
      timeoutMs,
    },
    complete: bundle.cutShort === null,
    ...(bundle.cutShort !== null ? {cutShort: bundle.cutShort} : {}),
    files: bundle.entries.map((e) => ({
      path: e.name,
      sha256: e.sha256,
      size: e.size,
      kind: e.kind,
      source: e.source,
      what: e.what,
      redactions: e.redactions,
      ...(e.tail ? {tail: e.tail as unknown as JsonValue} : {}),
    })),
    omitted: bundle.omitted as unknown as JsonValue,
    leftOut: bundle.leftOut as unknown as JsonValue,
    notPresent: bundle.notPresent,
    redactions: {
      order: ['known values', 'patterns', 'pseudonyms'],
      byRule: bundle.totals,
      rules: ruleCatalogue(),
      knownSecrets: bundle.secrets,
    },
  }
}
