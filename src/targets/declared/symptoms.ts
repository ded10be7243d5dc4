/**
 * The symptom catalogue of a declared target: the generic symptoms every generic check reports
 * (one template each, filled with the target's id and name), and the target's own declared
 * symptoms (what its log says, the cause and the fix, as the declaration gives them). Both are
 * registered under `<target id>/<slug>` when the target is made from its profile, so findings,
 * `doctor explain` and `doctor checks` read one catalogue for built-in and declared targets alike.
 */
import {defineTargetSymptoms, type SymptomEntry} from '../../catalogue.js'
import type {GenericSymptom} from '../../check.js'
import type {TargetFacts, TargetProfile} from '../profile.js'

const DOCS = 'docs/targets.md'

type Template = Omit<SymptomEntry, 'id' | 'target' | 'docs'> & {check: string}

/** `{name}` in a template is the declared target's name. */
const TEMPLATES: Record<GenericSymptom, Template> = {
  'not-answering': {
    check: 'daemon-health',
    title: 'The daemon does not answer on its health port',
    message: 'Nothing answers on port {port} ({error}): {name} is not running or not listening where it is declared to.',
    severity: 'fail',
    cause: 'The daemon is stopped, crashed, or listens on another address or port than its declaration says.',
    fix: {
      summary: 'Start the daemon (see its log for why it stopped), or correct `health.port` in doctor.config.json.',
      commands: ["ss -ltnp 'sport = :{port}'"],
    },
  },
  unhealthy: {
    check: 'daemon-health',
    title: 'The daemon answers its health probe wrongly',
    message: '{name} on port {port} (pid {pid}) answered {answer}, not what its health probe expects ({expected}).',
    severity: 'fail',
    cause: 'The daemon runs but reports itself unhealthy, or another service of the same program answers there.',
    fix: {summary: "Read the daemon's log for why it is unhealthy; restart it once the cause is fixed.", commands: ['{probe}']},
  },
  hung: {
    check: 'daemon-health',
    title: 'The daemon accepts connections but does not answer',
    message: '{name} (pid {pid}) holds port {port} but gave no answer within {timeoutMs} ms: it is hung.',
    severity: 'fail',
    cause: 'The daemon is stuck (a deadlock, a blocked event loop, a full disk it waits on) while its socket still accepts.',
    fix: {
      summary:
        'Capture what you need (its log), then terminate the hung process and start the daemon again. `doctor --fix` terminates it after confirmation.',
      commands: ['kill {pid}'],
    },
  },
  impostor: {
    check: 'daemon-health',
    title: "Another program answers on the daemon's health port",
    message: 'Port {port} answers, but it is held by pid {pid} ({command}), which is not {name}: its answer does not count.',
    severity: 'fail',
    cause: "A different program holds the daemon's port, so whatever it answers says nothing about the daemon.",
    fix: {summary: 'Stop the other process (port-squatter names it), then start the daemon.', commands: ["ss -ltnp 'sport = :{port}'"]},
  },
  'port-squatter': {
    check: 'port-squatter',
    title: 'Another process holds a port the daemon declares',
    message: 'Port {port} ({address}) is held by pid {pid} ({command}, cwd {cwd}), which is not {name}.',
    severity: 'fail',
    cause: 'Some other program holds the port, so the daemon cannot bind it (or a client reaches the wrong program).',
    fix: {
      summary: 'Stop the process holding the port, or move the daemon to another port and update its declaration.',
      commands: ["ss -ltnp 'sport = :{port}'", 'kill {pid}'],
    },
  },
  'stale-pid-file': {
    check: 'stale-lock',
    title: 'The pid file names a process that is not running',
    message: '{path} names pid {pid}, which is not running: {name} died without removing it (for example killed with SIGKILL).',
    severity: 'fail',
    cause:
      'The daemon was killed or crashed; init scripts and the daemon itself may refuse to start, or signal the wrong process, while it is there.',
    fix: {
      summary: 'Move the stale pid file aside (`doctor --fix` quarantines it; `doctor undo` restores it), then start the daemon.',
      commands: ['mv {path} {path}.stale'],
    },
  },
  'recycled-pid-file': {
    check: 'stale-lock',
    title: 'The pid file names a pid now used by another program',
    message: '{path} names pid {pid}, which now belongs to {command}, not {name}: the pid was recycled after the daemon died.',
    severity: 'fail',
    cause:
      'The daemon died and the kernel gave its pid to another process; anything that signals the pid from this file hits the wrong program.',
    fix: {
      summary:
        'Move the pid file aside (`doctor --fix` quarantines it while the pid is dead or still that same process), then start the daemon.',
      commands: ['mv {path} {path}.stale'],
    },
  },
  'pid-file-locked': {
    check: 'stale-lock',
    title: 'Another program holds the lock on the pid file',
    message: '{path} is locked by pid {pid} ({command}), which is not {name}: the daemon cannot take its lock, so it refuses to start.',
    severity: 'fail',
    cause:
      'The daemon claims its pid file with an exclusive lock for its whole life. Whoever holds the lock owns that claim; here it is not the daemon (a leftover `flock`, a backup tool, or a child that inherited the descriptor).',
    fix: {
      summary: 'Stop the process holding the lock (it is not the daemon), then start the daemon.',
      commands: ['cat /proc/locks', 'ps -o pid,cmd -p {pid}', 'kill {pid}'],
    },
  },
  'pid-file-mismatch': {
    check: 'stale-lock',
    title: 'The pid file does not name the daemon holding its lock',
    message: '{path} is locked by {name} pid {holder}, but names pid {pid}.',
    severity: 'warn',
    cause:
      "The file was rewritten behind the daemon's back; whatever signals the pid from this file (init scripts, `kill $(cat …)`) reaches the wrong process or none.",
    fix: {
      summary: 'Stop the daemon that holds the lock by its real pid; its next start rewrites the file.',
      commands: ['kill {holder}'],
    },
  },
  'data-dir-missing': {
    check: 'data-dir-permissions',
    title: 'The declared data dir is not a directory',
    message: '{path} is {what}, not the data directory {name} is declared to use.',
    severity: 'fail',
    cause: 'The data directory was removed, never created, or something else sits at its path.',
    fix: {summary: 'Create the directory with the declared mode (or correct `dataDir.path`).', commands: ['ls -ld {path}']},
  },
  'data-dir-mode': {
    check: 'data-dir-permissions',
    title: 'The data dir is open to more users than declared',
    message: '{path} has mode {mode}; {name} declares {expected}.',
    severity: 'fail',
    cause: "Other users can read (or write) the daemon's data.",
    fix: {
      summary: 'Tighten the mode to the declared one (`doctor --fix` does it when you own the directory).',
      commands: ['chmod {expected} {path}'],
    },
  },
  'data-dir-owner': {
    check: 'data-dir-permissions',
    title: 'The data dir belongs to another user than declared',
    message: '{path} is owned by {owner}; {name} declares {expected}.',
    severity: 'fail',
    cause:
      'The directory was created or restored by another user; the daemon may not be able to write it, or another user controls its data.',
    fix: {
      summary: 'Give the directory back to the declared owner (the doctor never changes ownership itself).',
      commands: ['chown -R {expected} {path}'],
    },
  },
  'secret-mode': {
    check: 'secret-permissions',
    title: 'A secret file is readable by more users than declared',
    message: '{path} has mode {mode}; {name} declares {expected} for this secret.',
    severity: 'fail',
    cause: 'Other local users can read the secret.',
    fix: {
      summary: 'Tighten the mode (`doctor --fix` does it when you own the file), then rotate the secret if others may have read it.',
      commands: ['chmod {expected} {path}'],
    },
  },
  'secret-symlink': {
    check: 'symlinked-secret',
    title: 'A secret file is a symlink',
    message: '{path} is a symlink to {linkTarget} (link owned by {linkOwner}{targetNote}).',
    severity: 'fail',
    cause:
      "Whoever controls the link or its target controls (or can read) the daemon's secret, and the target's mode is not the one declared.",
    fix: {
      summary:
        'Replace the link with a private copy of what it points at (`doctor --fix --yes`; `doctor undo` restores the link), or remove it and write the secret in place.',
      commands: ['ls -l {path}'],
    },
  },
  'disk-low': {
    check: 'disk-space',
    title: 'Little free space for the data dir',
    message: 'The filesystem of {path} has {free} free; {name} declares at least {minFree}.',
    severity: 'fail',
    cause: 'The daemon fails writes (or refuses to start) when its disk fills.',
    fix: {summary: 'Free space on that filesystem, or move the data dir to a larger one.', commands: ['df -h {path}', 'du -sh {path}']},
  },
  'duplicate-daemon': {
    check: 'duplicate-daemon',
    title: 'Two daemons serve one data dir',
    message: '{count} {name} daemons serve {dataDir}: {list}.',
    severity: 'fail',
    cause:
      'A second instance was started against the same data (another port, a forgotten shell, a service beside a manual start); both write its files.',
    fix: {
      summary: 'Stop the daemons you did not mean to run (keep the oldest), then check the data for damage.',
      commands: ['ps -o pid,lstart,args -p {pids}', 'kill {extraPids}'],
    },
  },
  'clock-skew': {
    check: 'clock-skew',
    title: "The daemon's clock disagrees with this machine's",
    message: "{name}'s Date header is {skewS} s {direction} this machine's clock (more than {thresholdS} s).",
    severity: 'warn',
    cause:
      'The daemon runs with another clock (a container, a VM, a remote host behind a forward); tokens, caches and TLS break with skew.',
    fix: {summary: 'Synchronise the clocks (NTP) on both sides.', commands: ['timedatectl status']},
  },
}

export const GENERIC_SYMPTOMS = Object.keys(TEMPLATES) as GenericSymptom[]

/** The check that reports a generic symptom. */
export function genericSymptomCheck(slug: GenericSymptom): string {
  return TEMPLATES[slug].check
}

export function genericSymptomId(profile: TargetFacts, slug: GenericSymptom): string {
  return profile.symptomIds?.[slug] ?? `${profile.id}/${slug}`
}

/** The catalogue entries of one declared target (generic first, then its own), registered under its id. */
export function registerDeclaredSymptoms(profile: TargetProfile): readonly SymptomEntry[] {
  const generic = GENERIC_SYMPTOMS.map((slug): SymptomEntry => ({
    ...TEMPLATES[slug],
    id: genericSymptomId(profile, slug),
    target: profile.id,
    docs: `${DOCS} › ${TEMPLATES[slug].check}`,
  }))
  const own = profile.symptoms.map((s): SymptomEntry => ({
    id: s.id,
    target: profile.id,
    title: s.title,
    message: `{path} line {line}: ${s.title}: {excerpt}`,
    severity: s.severity,
    cause: s.cause,
    fix: s.fix,
    docs: `${profile.source.configPath} › targets › ${profile.id} › symptoms`,
    check: 'daemon-log-errors',
    regexes: s.patterns,
    keywords: [s.title],
  }))
  return defineTargetSymptoms(profile.id, [...generic, ...own])
}
