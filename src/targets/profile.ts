/**
 * A target profile: the facts of a target, as data (issue 14 §1, §2). Declared targets get theirs
 * from `doctor.config.json` (`targets`, validated by src/config); the built-in targets produce
 * theirs from their resolved state (src/targets/<target>/profile.ts). The generic checks in
 * `checks/` read these facts, and reach what only a product has through its `hooks`.
 *
 * This is the *validated* form: paths are absolute (`~`, `${VAR}` and relative paths already
 * expanded), modes and sizes are numbers, regexes are compiled. What a user writes is described
 * in docs/targets.md and schema/config.schema.json.
 */
import type {GenericSymptom, HookSymptoms, Skip, TargetCheck} from '../check.js'
import type {Vars} from '../catalogue.js'
import type {CheckContext} from '../context.js'
import type {ProcessInfo} from '../probes/processes.js'
import type {Listener} from '../probes/sockets.js'
import type {Stats} from 'node:fs'
import type {FixStep, PidGuard} from '../fix/types.js'
import type {Evidence, Finding, TargetId} from '../types.js'
import type {RecordedPidRule} from './recorded-pid.js'
import type {DetectedTarget} from './types.js'

/** A target declared in doctor.config.json: its facts, and where they were declared. */
export interface TargetProfile extends TargetFacts {
  health?: HealthProbe
  symptoms: DeclaredSymptom[]
  /** Where the profile was declared, for messages ("declared in …/doctor.config.json"). */
  source: {configPath: string}
}

/**
 * What a generic check reads about a target, declared or built-in. Built-ins add what declared
 * targets lack (ports learned at runtime, a health probe that is code, the product's own symptom
 * ids) in optional fields, so a declaration never has to say more than docs/targets.md asks.
 */
export interface TargetFacts {
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
  health?: HealthProbe | ProductHealth
  pidFile?: PidFileSpec
  dataDir?: DataDirSpec
  /** Files holding secrets: `secret-permissions` judges their modes, `symlinked-secret` their being links. */
  secrets: SecretFileSpec[]
  /** Why there is nothing to judge among the secrets (a built-in without its data dir); shown as the skip. */
  secretsAbsent?: string
  /** Secret files that could not be looked at (the producer's own inspection): the secret checks are undecided over them. */
  secretsUnknown?: string[]
  /** Names of environment variables whose values are secret (redacted everywhere). */
  env: string[]
  /** Config files copied into the bundle, redacted. Absolute paths. */
  configs: string[]
  /** Log files: `daemon-log-errors` scans their tails, the bundle copies them. Absolute paths. */
  logs: string[]
  /** The failure lines its daemon prints (for a declared target, its declared symptoms); ids are `<target id>/<slug>`. */
  symptoms: readonly LogSymptom[]
  detect?: DetectHints
  /** True when its log may hold binary junk among its lines (matched like any line), not an undecidable log. */
  tolerateBinaryLog?: boolean
  /** Why a missing log is normal for this target (shown in the skip); absent: the logs do not exist yet. */
  logsAbsent?: string
  /** Ports watched because doctor.config.json `watchPorts` asks (a squatter there says so). */
  watchedPorts?: readonly number[]
  /** Where each port comes from ("--runwisp-port", "the default since 0.4"), for evidence. */
  portSources?: Readonly<Record<number, string>>
  /**
   * Command-line flags whose value a check masks before the report's own redaction
   * (src/report/safety.ts) sees it; absent: common password and token flags. `null`: none, the
   * report's redaction labels them (Executor's `--auth-token` is a known secret with a stable label).
   */
  secretFlags?: RegExp | null
  /** Seconds of clock skew past which clock-skew fails rather than warns (default 300: token expiry). */
  clockSkewFailS?: number
  /** A built-in's catalogue ids for the generic symptoms (`executor/clock-skew`); absent: `<id>/<slug>`. */
  symptomIds?: Partial<Record<GenericSymptom, string>>
  hooks?: ProfileHooks
}

/** A failure line a daemon prints: what `daemon-log-errors` matches (the first matching symptom of a line wins). */
export interface LogSymptom {
  id: string
  patterns: readonly RegExp[]
}

/**
 * What only a product knows, as code a generic check calls. Few, typed, and named for what they
 * decide; a declared target has none, and each check then reads the declared facts.
 */
export interface ProfileHooks {
  /** Who holds `port`, judged the product's way (Executor: its manifest's executable; RunWisp: its identity endpoint). */
  portHolders?(ctx: CheckContext, port: number): Promise<PortHolder[]>
  /** The live daemon of this target, when one runs (its start tells an old log line from a new one). */
  liveDaemon?(ctx: CheckContext): Promise<ProcessInfo | null>
  /** Values the product's catalogue messages are filled with beyond the check's own (its port, data dir). */
  messageVars?(ctx: CheckContext): Promise<Vars>
  /**
   * The findings with every step that would act where the product forbids it made manual (RunWisp:
   * nothing acts in or on a data dir reached through a symlink). Generic checks that plan acting
   * steps pass their findings through it.
   */
  guardPlans?(ctx: CheckContext, findings: Finding[]): Promise<Finding[]>
  /**
   * The product's own repair of a symlinked secret (RunWisp moves a linked daemon.pid aside and
   * restarts). Called only for a link the doctor's user owns; absent: a private copy of the target.
   */
  secretLinkPlan?(ctx: CheckContext, link: SecretLink, finding: Finding): Promise<FixStep[]>
  /**
   * Who the daemon runs as, when the product can tell (RunWisp: the running daemon, its unit's
   * User=, or the user who would start it here). The data dir is then expected to be that
   * account's, access is judged for it, and fixes trust links it owns.
   */
  dataDirAccount?(ctx: CheckContext): Promise<DaemonAccount>
  /**
   * The product's own lock files with the pid each records (Executor: its start locks and the
   * legacy startup.lock, from the batched data-dir read): stale-lock judges each with the one
   * recorded-pid rule and the file's `report` words the verdict. A skip: nothing to look at here.
   */
  lockFiles?(ctx: CheckContext): Promise<RecordedFiles>
  /**
   * The product's daemon records (Executor: server.json, its daemon records and pointers; RunWisp:
   * daemon.pid): what stale-manifest judges, the same way. Absent: the target keeps none.
   */
  records?(ctx: CheckContext): Promise<RecordedFiles>
  /**
   * Whether a live process holding the lock on a `locked` pid file is the target's serving daemon
   * (RunWisp: named runwisp and serving, not a one-shot `runwisp status`). Absent: the declared
   * process identity, and without one a holder that the file does not name cannot be told.
   */
  lockHolder?(ctx: CheckContext, proc: ProcessInfo): Promise<{daemon: true} | {daemon: false; why: string}>
  /** The pid the product writes in its pid file (RunWisp: a decimal pid and a newline); absent: a decimal pid, blanks around it. */
  parsePid?(bytes: Buffer): {ok: true; value: number} | {ok: false; reason: string}
  /**
   * The product's part of the plan for a daemon daemon-health found hung (RunWisp: its own `stop`
   * first, SIGTERM with its shutdown grace, then the pid file a SIGKILL leaves). daemon-health
   * calls it only for a daemon the product verified as its own, and builds the terminate step
   * itself; absent: the declared rule (terminate a process matching the declared identity).
   */
  hungDaemon?(ctx: CheckContext, daemon: ProcessInfo): Promise<HungDaemonPlan>
  /**
   * The daemons of this target running here, each with the data dir it serves (duplicate-daemon),
   * judged the product's way (Executor: EXECUTOR_DATA_DIR or ~/.executor of its HOME; RunWisp: its
   * generation's own facts), or a skip when the product has nothing to compare against. Absent:
   * the processes matching `process`, serving what `dataDir.servedBy` says.
   */
  servingDaemons?(ctx: CheckContext): Promise<ServingDaemons | Skip>
}

/** A daemon's plan for being hung, as the product words it; daemon-health adds the terminate step. */
export interface HungDaemonPlan {
  /** Steps before any signal (RunWisp: `runwisp stop --data`). */
  before: FixStep[]
  /**
   * How the terminate step pins the process (the environment that decides what it serves, its
   * working dir, its data dir) and is worded; or why the doctor must not signal it, with the
   * steps printed instead.
   */
  terminate: HungTerminate | {refused: string; instead: FixStep[]}
  /** Steps after the signal, only when there is one (RunWisp: quarantine the pid file once the pid is dead). */
  after: FixStep[]
}

export interface HungTerminate {
  /** Environment variables that decide which data the process serves, with their values now. */
  envKeys: readonly string[]
  environ: Record<string, string> | null
  cwd: string | null
  dataDir: string | null
  verifiedBecause: string
  why: string
  title?: string
  graceMs?: number
}

/** The daemons of a target that run here, and what each serves (duplicate-daemon). */
export interface ServingDaemons {
  daemons: ServingDaemon[]
  /** A sentence added to a two-daemons finding (RunWisp 0.16+: its lock should have refused the second). */
  duplicateDetail?: string
}

export interface ServingDaemon {
  proc: ProcessInfo
  /**
   * The data dir it serves and how that is known, or why it cannot be told (duplicate-daemon is
   * then undecided over it), or null: not this data dir's by the product's own rules (Executor: a
   * daemon whose environment cannot be read serves no data dir it knows).
   */
  serves: {path: string; how?: string} | {unknown: string} | null
  /** The product vouches it serves this target's data dir whatever its path says (RunWisp: daemon.pid names it). */
  ours?: boolean
}

/** A product's lock or record files, or why there are none to judge here (`no data dir at …`). */
export type RecordedFiles =
  | {
      files: RecordedFile[]
      /** Prefix of the `error` when nothing was found but some pids could not be judged. */
      undecidedLead?: string
    }
  | {skip: string}

/**
 * A file that records a daemon's pid, read by its product (its format, its batched read): the pid
 * and when it was written, or why no pid can be taken from it. `report` is the product's rule for
 * that kind of file (its symptom ids, wording, severity by generation, plan); the verdict it gets
 * is the one recorded-pid rule's, with the guard a quarantine of the file must carry.
 */
export interface RecordedFile {
  path: string
  read:
    | {kind: 'pid'; pid: number; writtenAtMs: number | null}
    | {kind: 'absent'}
    | {kind: 'invalid'; reason: string}
    | {kind: 'unknown'; reason: string}
  /** The product's identity rule for a live pid (Executor's manifest: its own executable). */
  rule: RecordedPidRule<unknown>
  /** The findings for the verdict, or what could not be judged (an `error` when nothing else is found). */
  report(ctx: CheckContext, verdict: RecordedVerdict): Promise<Finding[] | {undecided: string}>
}

/**
 * The recorded-pid rule's verdict on a file (src/targets/recorded-pid.ts), with the guard any
 * quarantine of it carries: a dead pid must still be dead, a recycled one dead or that same
 * unrelated process, when the step runs.
 */
export type RecordedVerdict =
  | {kind: 'dead'; pid: number; guard: PidGuard}
  | {kind: 'reused'; pid: number; proc: ProcessInfo; why: string; guard: PidGuard}
  | {kind: 'alive'; pid: number; proc: ProcessInfo}
  | {kind: 'unknown'; pid: number | null; reason: string}
  | {kind: 'absent'}
  | {kind: 'invalid'; reason: string}

/** A secret file found to be a symlink, as symlinked-secret saw it (lstat and readlink only). */
export interface SecretLink {
  secret: SecretFileSpec
  linkStat: Stats
  /** The link's text, or null when it cannot be read. */
  linkTarget: string | null
  /** Where it leads with every link resolved, or null when it dangles. */
  realPath: string | null
  /** lstat of `realPath`, or null when it dangles. */
  targetStat: Stats | null
}

/** The account a daemon runs as, with the groups its access to files is judged by. */
export interface DaemonAccount {
  uid: number
  gid: number
  name: string
  /** Its primary group's name (for `chown user:group`). */
  group: string
  /** Every group id it belongs to: its primary group and those listing it as a member. */
  groups: ReadonlySet<number>
  /** How the doctor knows: "the running daemon (pid 42)", "User= in /etc/systemd/system/runwisp.service", … */
  how: string
}

/** A port's holder as a generic check sees it: the target's own, another program, or not to be told. */
export type PortHolder =
  | {listener: Listener; verdict: 'ours'}
  | {listener: Listener; verdict: 'other'; proc: ProcessInfo; why: string}
  | {listener: Listener; verdict: 'unknown'; why: string}

/** A health probe that is the product's own code (Executor's generation rules, RunWisp's socket). */
export interface ProductHealth {
  kind: 'product'
  /** The port it answers on, or null (a Unix socket). */
  port: number | null
  answer(ctx: CheckContext): Promise<ProductHealthAnswer>
  /**
   * daemon-health asks first: a reason its health cannot be judged here at all, which makes it a
   * skip (RunWisp: its socket path holds something else, which its companion reports); throws
   * `Undetermined` when the product cannot decide (an unreadable data dir).
   */
  precheck?(ctx: CheckContext): Promise<string | null>
  wording?: HealthWording
}

export type ProductHealthAnswer =
  | {kind: 'healthy'; date?: string; receivedAtMs: number; evidence: Evidence}
  | {
      kind: 'not-healthy'
      why: string
      /** What daemon-health reports; absent: not answering, with no more to say. */
      fault?: HealthFault
    }

/**
 * Why a product's daemon is not healthy, as daemon-health judges it. `vars` and `evidence` are in
 * the product's catalogue terms (its messages name an origin, a socket, a generation).
 */
export type HealthFault =
  /** No daemon runs here and the product starts one on demand: nothing to judge (`why` is the skip's reason). */
  | {kind: 'absent'; why: string}
  | {kind: 'not-answering'; vars: Vars; evidence: Evidence}
  | {kind: 'unhealthy'; vars: Vars; evidence: Evidence}
  /** The product's own daemon (verified by it) accepts but does not answer: the hung plan applies. */
  | {kind: 'hung'; daemon: ProcessInfo; vars: Vars; evidence: Evidence}

/** How a product words what daemon-health finds on its port, in its catalogue's vars. */
export interface HealthWording {
  /** A process that is not the product holds its health port. */
  impostor(proc: ProcessInfo, why: string): {vars: Vars; evidence: Evidence}
  /** The answer was healthy but who holds the port cannot be told (the result is then undecided). */
  unidentified(why: string): {reason: string; evidence: Record<string, string | number | boolean | null>}
}

/**
 * A built-in target as the generic checks serve it: what its findings may be (static, so `doctor
 * checks` and the metadata guard know them) and this machine's facts (resolved per run).
 */
export interface BuiltInProfile {
  id: TargetId
  symptomIds: Partial<Record<GenericSymptom, string>>
  /** Ids of the failure lines its log may hold (the `symptoms` its facts carry). */
  logSymptomIds: readonly string[]
  /** Ids its hooks report (its lock files' and records' own symptoms: `executor/stale-start-lock`, `runwisp/pid-reused`). */
  hookSymptomIds?: Partial<Record<HookSymptoms, readonly string[]>>
  /** This machine's facts, from the target's resolved state (the producer memoises them per run). */
  facts(ctx: CheckContext, target: DetectedTarget): Promise<TargetFacts>
}

/** A generic check's product-only companion for some targets, run beside it (RunWisp's cron timezone beside clock-skew). */
export type Alongside = Partial<Record<TargetId, TargetCheck>>

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
  /**
   * The pid in it is one of the product's daemon records (`hooks.records`), judged by
   * stale-manifest; stale-lock then judges only who holds its lock (RunWisp's daemon.pid).
   */
  recordedElsewhere?: boolean
  /** The lock the daemon takes: `flock` only (RunWisp's flock(2), runwisp-facts §1.6); absent: a flock or an fcntl/lockf lock. */
  lockKind?: 'flock'
  /** Why the daemon takes no lock on it here, when `locked` is false for a built-in (RunWisp before 0.16): stale-lock's skip. */
  unlockedWhy?: string
}

export interface DataDirSpec {
  path: string
  /** Expected permission bits (e.g. 0o700); any rwx bit beyond them is a finding. */
  mode?: number
  /** Expected owner: a user name or a numeric uid, as written (a built-in's is its `dataDirAccount` instead). */
  owner?: string
  /** The product creates the dir when it is missing (RunWisp's MkdirAll, runwisp-facts §1.1): absent is then no finding. */
  createdAtStart?: boolean
  /** The product follows a data dir that is a symlink (runwisp-facts §1.3): it is judged where it leads; the link is the product's finding. */
  followsLink?: boolean
  /** Why the mode matters, for the fix step ("run logs, the database and the socket are in it"); absent: the declared mode. */
  modeWhy?: string
  /** Free bytes below which `disk-space` warns. */
  minFree?: number
  /** The threshold as the product's own config writes it ("1000tb (909 TiB)"), for messages. */
  minFreeAsWritten?: string
  /** Why there is no threshold, when a built-in's config sets none (the skip's reason). */
  minFreeUnset?: string
  /**
   * How to tell the data dir a running daemon serves (duplicate-daemon), rules tried in order: the
   * first that gives a path wins. Absent: duplicate-daemon skips (a built-in has `servingDaemons`).
   */
  servedBy?: ServedByRule[]
}

/** One way a daemon shows the data dir it serves: its working dir, a command-line flag's value, or an environment variable. */
export type ServedByRule = {kind: 'cwd'} | {kind: 'flag'; flag: string} | {kind: 'env'; env: string}

export interface SecretFileSpec {
  path: string
  /** Most permissive acceptable mode (e.g. 0o600). */
  mode?: number
  /** What the file is, for messages ("the local bearer token, server-control/auth.json"). */
  what?: string
  /**
   * How bad a looser mode is, by whom it lets read the secret; then only group and other bits
   * count (the owner's own bits expose nothing). Absent: any bit beyond `mode`, at the catalogue's severity.
   */
  exposure?: {group: 'warn' | 'fail'; others: 'warn' | 'fail'}
  /**
   * The account the file must belong to (RunWisp: the user its daemon runs as). With it, a chmod
   * is planned when the file is that account's (or the account is root); otherwise chown first, by
   * hand. Absent: the doctor changes the file when the user running it owns it.
   */
  owner?: SecretOwner
  /** Why the file must be private and tightening takes nothing from the daemon (the plan's why). */
  why?: string
  /** Why a symlink there is harmful to the daemon, beyond whoever controls the target controlling the secret. */
  linkWhy?: string
  /** What the daemon does when the file is not there: a dangling link's consequence, for its message. */
  whenMissing?: string
  /** Extra facts for the evidence (RunWisp's `kind`, Executor's `what`). */
  evidence?: Evidence
  /** True: behind a symlink its mode is read on the file it leads to, reported with no plan (symlinked-secret's plan is the fix). */
  modeThroughLink?: boolean
  /** False: a symlink (or any other type) here is not a finding (RunWisp's log and socket are not written by the symlink-refusing writer). */
  linkMatters?: boolean
  /**
   * Regexes whose first capture group is a secret value in the file (redacted wherever it
   * appears). Absent: the file is wholly secret: described by presence, mode, owner and
   * symlink target, never copied.
   */
  values?: RegExp[]
}

export interface SecretOwner {
  uid: number
  name: string
  group: string
  /** How the doctor knows ("the running daemon (pid 42)"). */
  how: string
}

export interface DeclaredSymptom extends LogSymptom {
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
