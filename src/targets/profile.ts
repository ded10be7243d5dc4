/**
 * A target profile: the declared facts of a target, as data (issue 14 §1, §2). A profile comes
 * from `doctor.config.json` (`targets`, validated by src/config) and, in time, from the built-in
 * targets; the generic checks in `checks/` read these facts and nothing product-specific.
 *
 * This is the *validated* form: paths are absolute (`~`, `${VAR}` and relative paths already
 * expanded), modes and sizes are numbers, regexes are compiled. What a user writes is described
 * in docs/targets.md and schema/config.schema.json.
 */
import type {TargetId} from '../types.js'

export interface TargetProfile {
  /** kebab-case, unique; never a built-in id for a declared target. */
  id: TargetId
  /** Human name shown in the report ("KV cache"). */
  name: string
  /**
   * Process identity. `names` match `/proc/<pid>/comm` or argv[0]'s basename; `executables`
   * match the resolved executable path or its basename (daemons rewrite argv[0] or run a
   * multi-call binary behind a symlink). Absent: no check may call a process "ours".
   */
  process?: ProcessIdentity
  /** Ports the daemon listens on (unique, 1–65535); `port-squatter` watches them. */
  ports: number[]
  health?: HealthProbe
  pidFile?: PidFileSpec
  dataDir?: DataDirSpec
  secrets: SecretFileSpec[]
  /** Names of environment variables whose values are secret (redacted everywhere). */
  env: string[]
  /** Config files copied into the bundle, redacted. Absolute paths. */
  configs: string[]
  /** Log files: `daemon-log-errors` scans their tails, the bundle copies them. Absolute paths. */
  logs: string[]
  /** The target's own symptom catalogue; ids are `<target id>/<slug>`. */
  symptoms: DeclaredSymptom[]
  detect?: DetectHints
  /** Where the profile was declared, for messages ("declared in …/doctor.config.json"). */
  source: {configPath: string}
}

export interface ProcessIdentity {
  names: string[]
  executables: string[]
}

interface HealthCommon {
  /** The port probed on the loopback address. */
  port: number
  /** Per-probe deadline; absent means the run's probe timeout. */
  timeoutMs?: number
}

/** `GET http://127.0.0.1:<port><path>` answers `status` (and, when given, a body matching `body`). */
export interface HttpHealth extends HealthCommon {
  kind: 'http'
  /** Starts with `/`. */
  path: string
  status: number
  body?: RegExp
}

/**
 * A TCP connect; with `send`, that text is written and the first answer read; with `expect`, the
 * answer (or the banner, without `send`) must match. `aliveToo` lists answers that are not the
 * expected one but still prove a live daemon (Redis's "-NOAUTH Authentication required").
 */
export interface TcpHealth extends HealthCommon {
  kind: 'tcp'
  send?: string
  expect?: RegExp
  aliveToo?: RegExp[]
}

export type HealthProbe = HttpHealth | TcpHealth

export interface PidFileSpec {
  /** Absolute path of a file holding the daemon's decimal pid. */
  path: string
  /** True when the live daemon holds a lock on the file (flock/fcntl); a lock-free stale file is then certain. */
  locked?: boolean
}

export interface DataDirSpec {
  path: string
  /** Expected permission bits (e.g. 0o700); looser is a finding. */
  mode?: number
  /** Expected owner: a user name or a numeric uid, as written. */
  owner?: string
  /** Free bytes below which `disk-space` warns. */
  minFree?: number
}

export interface SecretFileSpec {
  path: string
  /** Most permissive acceptable mode (e.g. 0o600). */
  mode?: number
  /**
   * Regexes whose first capture group is a secret value in the file (redacted wherever it
   * appears). Absent: the file is wholly secret: described by presence, mode, owner and
   * symlink target, never copied.
   */
  values?: RegExp[]
}

export interface DeclaredSymptom {
  /** `<target id>/<slug>`, slug kebab-case. */
  id: string
  title: string
  /** What the daemon prints; `daemon-log-errors` and `doctor explain` match them (case-sensitive as written). */
  patterns: RegExp[]
  /** fail unless declared otherwise. */
  severity: 'warn' | 'fail'
  cause: string
  fix: {summary: string; commands: string[]}
}

/** Extra signs the target is present, beyond its data dir, pid file, process and health port. */
export interface DetectHints {
  /** Absolute paths whose existence means the target is installed here. */
  paths: string[]
  /** Environment variables whose being set means the target is in use. */
  env: string[]
}
