/**
 * The bundle's vocabulary: what a source plans to include (copies, log tails, secret files to
 * describe), what ends up in the archive, and what was left out and why.
 */
import type {JsonValue} from '../types.js'

/** Which product (or the machine itself) a piece of the bundle comes from. */
export type Origin = 'executor' | 'runwisp' | 'system' | 'doctor' | 'declared'

/** A config, manifest, record or unit file to copy, redacted. */
export interface PlannedCopy {
  /** Path inside the archive, e.g. `executor/server-control/server.json`. */
  name: string
  path: string
  /** What the file is, for the manifest and `--list` ("Executor server manifest"). */
  what: string
  origin: Origin
  /** Windows service files are UTF-16LE with a BOM (executor-facts §8). */
  encoding?: 'utf8' | 'utf16le'
  /**
   * A file the product reads through a symlink and the doctor only reads (a config, a service
   * unit linked by home-manager or stow): followed to a regular file. Others are never followed.
   */
  follow?: boolean
}

/** A log whose end is included (bounded, read from the end). */
export interface PlannedTail {
  name: string
  path: string
  what: string
  origin: Origin
}

/** A file that holds secrets: described (presence, size, mode, owner, symlink target), never copied. */
export interface PlannedSecretFile {
  path: string
  what: string
  origin: Origin
}

export interface SourcePlan {
  origin: Origin
  copies: PlannedCopy[]
  tails: PlannedTail[]
  secretFiles: PlannedSecretFile[]
  /** Facts about the product worth a place in environment.json (data dir, where it came from, versions). */
  facts: Record<string, JsonValue>
  /** What the source itself chose not to plan (older run logs past `--run-logs`), counted. */
  leftOut?: LeftOut[]
}

/** What lstat says about a path; the link itself, never its target. */
export interface FileFacts {
  path: string
  present: boolean
  type?: 'file' | 'symlink' | 'directory' | 'socket' | 'fifo' | 'other'
  size?: number
  mode?: string
  uid?: number
  gid?: number
  owner?: string
  modifiedAt?: string
  /** For a symlink: where it points, and whether that is outside the directory it lives in. */
  symlinkTarget?: string
  pointsOutside?: boolean
  /** Whether this process could open it for reading. */
  readable?: boolean
  /** Why it could not be inspected or read (EACCES, ELOOP, …). */
  error?: string
}

export type EntryKind = 'report' | 'generated' | 'copy' | 'tail'

/** One file of the archive, already redacted. */
export interface BundleEntry {
  name: string
  kind: EntryKind
  /** Where it came from: a path (pseudonymised) or what generated it. */
  source: string
  what: string
  /** Bytes in the archive (the data itself is streamed to the archive, not kept). */
  size: number
  sha256: string
  /** Redactions made in this file, by rule id. */
  redactions: Record<string, number>
  /** For tails: the original file's size and how much of its end was kept. */
  tail?: {originalBytes: number; keptBytes: number; keptLines: number; truncated: boolean; binaryBytesOmitted: number}
}

/** Something the bundle looked at and did not copy, and why. */
export interface OmittedItem {
  source: string
  what: string
  reason: string
  facts?: FileFacts
}

/**
 * Files of one kind not in the bundle because there were too many (past the per-kind cap) or the
 * time budget ran out before they were reached: counted, never listed one by one, so a data dir of
 * 40,000 records costs a line, not 40,000.
 */
export interface LeftOut {
  /** The kind, as planned ("Executor daemon record", "RunWisp run log (task nightly)"). */
  what: string
  origin: Origin
  /** How many of this kind were found (at least this many when `foundAtLeast`), and how many of them are in the bundle. */
  found: number
  foundAtLeast?: boolean
  kept: number
  /** `cap`: past the per-kind cap; `budget`: the time budget ran out before they were read. */
  cause: 'cap' | 'budget'
  reason: string
}

/** A secret file as described in `secret-files.json`. */
export interface DescribedSecret {
  what: string
  facts: FileFacts
}
