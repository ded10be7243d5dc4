/**
 * RunWisp's documented failures (runwisp-troubleshooting.md, runwisp-facts.md §7 and the sections
 * cited per entry). `patterns` are what RunWisp prints, verbatim, with `${name}` where it
 * interpolates a value; `doctor explain` matches pasted errors against them. Where the fact sheet
 * shows the troubleshooting page is wrong (clock skew and "Invalid or expired challenge"), the fix
 * given is the corrected one and says so.
 */
import {RUNWISP_UNITS, SYSTEMD_LINES} from '../systemd-lines.js'
import {defineSymptoms} from '../../catalogue.js'
import {DOCS_HOME, troubleshooting} from './product-docs.js'

const ALL = ['0.3-0.4', '0.5-0.15', '0.16+']
const TO_015 = ['0.3-0.4', '0.5-0.15']
const FROM_05 = ['0.5-0.15', '0.16+']
const NEW = ['0.16+']

export const runwispSymptoms = defineSymptoms([
  // ── Daemon won't start ────────────────────────────────────────────────────────────────────
  {
    id: 'runwisp/port-in-use',
    target: 'runwisp',
    title: "RunWisp's port is held by another process",
    message: 'Port {port} ({address}) is held by pid {pid} ({command}), which is not RunWisp: {why}.',
    severity: 'fail',
    cause: 'Some other service holds the port, so the daemon cannot bind it. The process there did not identify itself as RunWisp.',
    fix: {
      summary:
        'Stop the offending process, or run RunWisp on a free port. If you change the port, update any HEALTHCHECK, reverse proxy or `runwisp status` invocation that hardcodes it.',
      commands: ["ss -ltnp 'sport = :{port}'", 'lsof -iTCP:{port} -sTCP:LISTEN', 'runwisp --port {freePort}'],
    },
    // Source: runwisp-troubleshooting.md › port 9477 on 127.0.0.1 is already in use by another process; runwisp-facts.md §2.5
    docs: troubleshooting(`port 9477 on 127.0.0.1 is already in use by another process`),
    check: 'port-squatter',
    patterns: [
      'port ${port} on ${host} is already in use by another process (${error})',
      'port ${port} on ${host} is already in use by another process',
      'RunWisp could not start because something else is already listening on this port.',
      'The process there did not respond to the RunWisp health check, so it does not appear to be a RunWisp daemon.',
      "Identify the culprit with:        ss -ltnp 'sport = :${port}'   (or 'lsof -iTCP:${port} -sTCP:LISTEN')",
    ],
    generations: ALL,
    keywords: ['port in use', 'address already in use', '9477', 'port taken', 'bind'],
  },
  {
    id: 'runwisp/different-password',
    target: 'runwisp',
    title: 'Another RunWisp daemon with a different password holds the port',
    message:
      'Port {port} is held by another RunWisp daemon (pid {pid}) serving {otherDataDir}, not {dataDir}{passwordNote}; this CLI cannot authenticate to it.',
    severity: 'fail',
    cause:
      'A second copy of runwisp is running, likely from a different working directory with its own data/ and data/password. The CLI answers /health, then its login is refused with 401.',
    fix: {
      summary: 'Stop the other daemon, use its password, or pick a different port (the doctor found this without a single login attempt).',
      commands: ['kill {pid}', 'RUNWISP_PASSWORD=$(cat {otherDataDir}/password) runwisp tui', 'runwisp --port {freePort} --data {dataDir}'],
    },
    // Source: runwisp-troubleshooting.md › another RunWisp daemon is already running on port 9477 with a different password; runwisp-facts.md §2.4
    docs: troubleshooting(`another RunWisp daemon is already running on port 9477 with a different password`),
    check: 'duplicate-daemon',
    patterns: [
      'another RunWisp daemon is already running on port ${port} with a different password',
      'This usually happens when an instance was started from a different directory.',
      "Set RUNWISP_PASSWORD to the other daemon's password to connect to it",
      'the password does not match the daemon on port ${port}',
      'password mismatch with the daemon on port ${port}',
      'The daemon was likely started from a different directory with its own password.',
      'Stop the other daemon and restart from this directory',
    ],
    generations: TO_015,
    keywords: ['different password', 'second daemon', 'wrong daemon', 'password mismatch'],
  },
  {
    id: 'runwisp/other-data-dir-daemon',
    target: 'runwisp',
    title: 'Another RunWisp daemon, for a different data dir, holds the port',
    message:
      'Port {port} is held by RunWisp {version} (pid {pid}) started from a different data directory: {otherDataDir} (config {otherConfig}), not {dataDir}.',
    severity: 'fail',
    cause:
      'A second RunWisp was started from another directory. It has its own socket and config, so the CLI here cannot attach to it and cannot bind the port either.',
    fix: {
      summary: 'Connect to the other daemon, stop it, or run this one on a different port.',
      commands: ['runwisp tui --socket {otherSocket}', 'runwisp stop --data {otherDataDir}', 'runwisp --port {freePort}'],
    },
    // Source: runwisp-troubleshooting.md › another RunWisp daemon is already running on port 9477 with a different password (its 0.11+ form); runwisp-facts.md §2.4
    docs: troubleshooting(`another RunWisp daemon is already running on port 9477 with a different password`),
    check: 'duplicate-daemon',
    patterns: [
      'another RunWisp daemon (v${version}, pid ${pid}) is already running on ${host}:${port}',
      'It was started from a different data directory, so it has its own socket and config:',
      'A RunWisp daemon (v${version}, pid ${pid}) is already running on port ${port}.',
      'It was started from a different data directory:',
      'Connect to it, stop it and launch here, or quit? [c/s/q]',
      'Please answer c, s, or q.',
    ],
    generations: FROM_05,
    keywords: ['another daemon', 'different data directory', 'second daemon'],
  },
  {
    id: 'runwisp/two-daemons-one-data-dir',
    target: 'runwisp',
    title: 'Two RunWisp daemons serve the same data dir',
    message: '{count} RunWisp daemons serve {dataDir}: {list}.',
    severity: 'fail',
    cause:
      'Before 0.16 the data dir was not claimed with a lock (a second daemon was refused only from 0.13.2), so two daemons could run on one database and fire every task twice.',
    fix: {
      summary: 'Stop all but one; upgrading to 0.16+ makes the data dir exclusive.',
      commands: ['kill {extraPids}', 'runwisp status'],
    },
    // Source: runwisp-facts.md §1.5 (Lock conflict), §9 (PR #164, #219)
    check: 'duplicate-daemon',
    generations: TO_015,
    keywords: ['two daemons', 'tasks run twice', 'duplicate'],
  },
  {
    id: 'runwisp/data-dir-locked',
    target: 'runwisp',
    title: 'daemon.pid is locked by a process that is not a RunWisp daemon',
    message:
      '{path} is locked (flock) by pid {pid} ({command}), which is not a RunWisp daemon: every start fails with "a RunWisp daemon is already running for data dir".',
    severity: 'fail',
    cause:
      'From 0.16 the daemon claims its data dir with an exclusive flock on daemon.pid for its whole life. Whoever holds that lock owns the data dir; here it is not RunWisp (a leftover `flock`, a backup tool, or a child that inherited the descriptor).',
    fix: {
      summary:
        'Stop the process holding the lock (it is not RunWisp), then start the daemon. If it is a real daemon you meant to run, stop it first as the message says.',
      commands: ['cat /proc/locks', 'ps -o pid,cmd -p {pid}', 'kill {pid}', 'runwisp status --data {dataDir}'],
    },
    // Source: runwisp-facts.md §1.5 (Lock conflict), §1.6
    check: 'stale-lock',
    patterns: ['a RunWisp daemon is already running for data dir ${dataDir} (pid ${pid}); stop it first'],
    generations: NEW,
    keywords: ['already running for data dir', 'lock', 'flock'],
  },
  {
    id: 'runwisp/pid-file-mismatch',
    target: 'runwisp',
    title: 'daemon.pid does not name the daemon holding its lock',
    message: '{path} is locked by RunWisp pid {holder}, but names pid {pid}.',
    severity: 'warn',
    cause:
      "The file was rewritten behind the daemon's back; `runwisp stop` reads the pid to signal, so it would signal the wrong process or none.",
    fix: {
      summary: 'Stop the daemon that holds the lock by its real pid; the next start rewrites the file.',
      commands: ['kill {holder}'],
    },
    // Source: runwisp-facts.md §1.6
    check: 'stale-lock',
    generations: NEW,
  },
  {
    id: 'runwisp/stale-pid-file',
    target: 'runwisp',
    title: 'daemon.pid names a daemon that is not running',
    message: '{path} names pid {pid}, which is not running: the daemon stopped uncleanly (SIGKILL, OOM, crash or reboot).',
    severity: 'warn',
    cause:
      'The daemon removes daemon.pid when it stops cleanly. On 0.16+ a leftover file is harmless: nobody holds its lock, and the next daemon truncates and re-locks it. Before 0.16 `stop`/`restart` and the TUI read the pid from it.',
    fix: {
      summary: 'Nothing is running: start the daemon (it rewrites the file), or remove the leftover.',
      commands: ['runwisp status', 'rm {path}'],
    },
    // Source: runwisp-facts.md §1.6, §6.1
    check: 'stale-manifest',
    patterns: ['cannot signal daemon process ${pid}: ${error}'],
    generations: ALL,
    keywords: ['stale pid', 'daemon.pid', 'not running'],
  },
  {
    id: 'runwisp/pid-reused',
    target: 'runwisp',
    title: 'daemon.pid names a pid now used by another process',
    message: '{path} names pid {pid}, but {why}.',
    severity: 'fail',
    cause:
      'The daemon died without removing daemon.pid and the kernel handed its pid to another process. Before 0.13.2 `runwisp stop`/`restart` could signal that unrelated process (PR #164 added identity checks); later versions refuse to act on it.',
    fix: {
      summary:
        'Do not run `runwisp stop` against this data dir; remove the stale file (the live pid is not RunWisp), then start the daemon.',
      commands: ['ps -o pid,lstart,cmd -p {pid}', 'rm {path}', 'runwisp status'],
    },
    // Source: runwisp-facts.md §1.6, §9 (PR #164)
    check: 'stale-manifest',
    generations: ALL,
    keywords: ['recycled pid', 'wrong process', 'pid reused'],
  },
  {
    id: 'runwisp/pid-file-invalid',
    target: 'runwisp',
    title: 'daemon.pid cannot be read as a pid',
    message: '{path} is not a valid pid file: {reason}.',
    severity: 'fail',
    cause:
      'RunWisp writes the decimal pid and a newline. Anything else (a truncated write after a full disk, an editor, a restore) leaves stop/restart unable to find the daemon; lock-conflict errors then say "pid unknown".',
    fix: {
      summary: "If no daemon holds the file's lock, remove it and start the daemon; otherwise stop the daemon by its process first.",
      commands: ['cat -A {path}', 'rm {path}', 'runwisp status'],
    },
    // Source: runwisp-facts.md §1.2, §1.5
    check: 'stale-manifest',
    patterns: [
      'cannot read daemon PID file: ${error}',
      'a RunWisp daemon is already running for data dir ${dataDir} (pid unknown); stop it first',
    ],
    generations: ALL,
  },
  {
    id: 'runwisp/symlinked-secret',
    target: 'runwisp',
    title: 'A RunWisp secret path is a symlink',
    message: '{path} is a symlink (to {linkTarget}); RunWisp refuses to write it: "refusing to write {path}: path is a symlink".',
    severity: 'fail',
    cause:
      'A defensive check: the daemon refuses to follow symlinks when writing secrets and daemon.pid, so that whoever can plant a link in the data dir cannot make it overwrite another file between the check and the write (a TOCTOU attack). The doctor inspects these paths with lstat and never follows the link.',
    fix: {
      summary:
        'Replace the symlink with a real file (or a real directory) and restart. RunWisp refuses on purpose: following a link planted in the data dir would let someone redirect the write between the check and the write (TOCTOU). For the password file, the daemon writes a new one when it is absent and prints it on stdout.',
      commands: ['ls -l {path}', 'rm {path}', '{restart}'],
    },
    // Source: runwisp-troubleshooting.md › refusing to write data/password: path is a symlink; runwisp-facts.md §1.3
    docs: troubleshooting(`refusing to write data/password: path is a symlink`),
    check: 'symlinked-secret',
    patterns: ['refusing to write ${path}: path is a symlink'],
    generations: ALL,
    keywords: ['symlink', 'refusing to write', 'TOCTOU'],
  },
  {
    id: 'runwisp/secret-not-regular',
    target: 'runwisp',
    title: 'A RunWisp secret path is not a regular file',
    message: '{path} is {what}, not a regular file; RunWisp refuses to write it.',
    severity: 'fail',
    cause: 'The daemon writes secrets and daemon.pid only as regular files; a directory, FIFO or socket at that path stops it.',
    fix: {
      summary: 'Move whatever is at the path out of the way and restart.',
      commands: ['ls -ld {path}', 'mv {path} {path}.bak', '{restart}'],
    },
    // Source: runwisp-facts.md §1.3
    check: 'symlinked-secret',
    patterns: ['refusing to write ${path}: not a regular file'],
    generations: ALL,
  },
  {
    id: 'runwisp/secret-mode',
    target: 'runwisp',
    title: 'A RunWisp secret file is readable by others',
    message: '{path} has mode {mode}; RunWisp creates it {expected} (owner only).',
    severity: 'fail',
    cause:
      'Since 0.3 RunWisp creates its secrets and daemon.pid 0600 inside a 0700 data dir. A looser mode (a restore, a copy, a umask-blind tool) lets other local users read the password or the socket.',
    fix: {
      summary: 'Tighten the mode back to what RunWisp creates.',
      commands: ['chmod {expected} {path}'],
    },
    // Source: runwisp-facts.md §1.2, §1.3
    check: 'secret-permissions',
    generations: ALL,
    keywords: ['permissions', 'world readable', '0644'],
  },
  {
    id: 'runwisp/secret-foreign-owner',
    target: 'runwisp',
    title: 'A RunWisp secret file is owned by another user',
    message: '{path} is owned by {owner}, but the daemon runs as {user}{consequence}.',
    severity: 'fail',
    cause:
      'The file was created by another user (often root, from a `sudo runwisp …`). From 0.16 the daemon refuses to write a secret or daemon.pid it does not own; before, the write fails with permission denied.',
    fix: {
      summary: 'Give the file back to the user the daemon runs as (or remove it; the daemon recreates it).',
      commands: ['sudo chown {user}:{group} {path}', 'sudo chmod 0600 {path}'],
    },
    // Source: runwisp-facts.md §1.3
    check: 'secret-permissions',
    patterns: ['refusing to write ${path}: owned by a different user'],
    generations: ALL,
  },
  {
    id: 'runwisp/password-leftover',
    target: 'runwisp',
    title: 'A plaintext password file is left over from RunWisp 0.4',
    message: '{path} is a plaintext password left over from RunWisp 0.3–0.4; this generation never reads it.',
    severity: 'warn',
    cause:
      'Since 0.5.0 the password and JWT secret are no longer written to disk; data/password is not read or removed on upgrade. It is harmless to RunWisp but is still a readable secret.',
    fix: {
      summary: 'Delete it once you no longer need the old password (set RUNWISP_PASSWORD for a stable one).',
      commands: ['rm {path}'],
    },
    // Source: runwisp-facts.md §0 (0.5.0), appendix (leftovers)
    check: 'secret-permissions',
    generations: FROM_05,
  },
  {
    id: 'runwisp/data-dir-not-dir',
    target: 'runwisp',
    title: 'The RunWisp data dir is not a directory',
    message: '{dataDir} is {what}, not a directory; RunWisp cannot create its database, socket or logs there.',
    severity: 'fail',
    cause:
      'Every RunWisp command creates the data dir with MkdirAll; when a file sits at that path it fails ("not a directory") and the daemon refuses to start.',
    fix: {
      summary: 'Move the file away (or point RunWisp at another dir with --data / RUNWISP_DATA), then start RunWisp.',
      commands: ['ls -l {dataDir}', 'mv {dataDir} {dataDir}.bak', 'runwisp --data {dataDir}'],
    },
    // Source: runwisp-facts.md §1.1, §1.5
    check: 'data-dir-permissions',
    patterns: ['mkdir ${path}: not a directory'],
    generations: ALL,
  },
  {
    id: 'runwisp/data-dir-symlink',
    target: 'runwisp',
    title: 'The RunWisp data dir is a symlink',
    message:
      'The data dir {dataDir} is a symlink to {linkTarget} ({leadsTo}); the link is owned by {linkOwner}{planted}. RunWisp follows it; the doctor judges where it leads, but does not act through it.',
    severity: 'warn',
    cause:
      'RunWisp resolves a symlinked data dir like any directory (MkdirAll and chmod follow it), so whoever can plant the link decides where the database, logs and secrets go — and where a repair run as root would chmod and move files. A link of your own (a data dir moved to a bigger disk) works; one another user planted in a shared directory is a trap.',
    fix: {
      summary:
        'If you made the link, keep it and apply repairs to the directory it leads to yourself; if you did not, remove the link (rm removes only the link, not what it points to) and let RunWisp create its own data dir.',
      commands: ['ls -ld {dataDir} {leadsToPath}', 'rm {dataDir}'],
    },
    // Source: runwisp-facts.md §1.1, §1.3
    check: 'data-dir-permissions',
    generations: ALL,
  },
  {
    id: 'runwisp/data-dir-permission-denied',
    target: 'runwisp',
    title: "The daemon's user cannot write the data dir",
    message: '{user} cannot {action} {dataDir} ({detail}).',
    severity: 'fail',
    cause:
      "The user the daemon runs as cannot mkdir or write under --data. Common when systemd's User= was changed but the data dir's owner was not, or when a Docker volume is mounted read-only or with another uid.",
    fix: {
      summary: 'Give the data dir to the user the daemon runs as, owner-only.',
      commands: ['sudo chown -R {user}:{group} {dataDir}', 'sudo chmod 0700 {dataDir}'],
    },
    // Source: runwisp-troubleshooting.md › "permission denied" on the data directory; runwisp-facts.md §1.5
    docs: troubleshooting(`"permission denied" on the data directory`),
    check: 'data-dir-permissions',
    patterns: [
      'mkdir ${path}: permission denied',
      'open ${path}: permission denied',
      'permission denied',
      'error: data dir ${path} is not writable by uid ${uid}.',
      'RunWisp needs it for the SQLite database, task logs, and the control socket.',
      'Check that the volume is not mounted :ro, and any --user override.',
    ],
    generations: ALL,
    keywords: ['permission denied', 'EACCES', 'not writable', 'data directory'],
  },
  {
    id: 'runwisp/data-dir-foreign-owner',
    target: 'runwisp',
    title: 'The RunWisp data dir is owned by another user',
    message: '{dataDir} is owned by {owner}, but the daemon runs as {user}.',
    severity: 'warn',
    cause:
      'The daemon can still write here (it runs as root or through group permissions), but files it creates will belong to {user} while the dir belongs to {owner}; from 1.5 the daemon starts with a non-owned data dir and only warns, and it cannot tighten the mode to 0700.',
    fix: {
      summary: 'Make the data dir belong to the user the daemon runs as.',
      commands: ['sudo chown -R {user}:{group} {dataDir}', 'sudo chmod 0700 {dataDir}'],
    },
    // Source: runwisp-troubleshooting.md › "permission denied" on the data directory; runwisp-facts.md §1.3, §1.5
    docs: troubleshooting(`"permission denied" on the data directory`),
    check: 'data-dir-permissions',
    generations: ALL,
  },
  {
    id: 'runwisp/data-dir-mode',
    target: 'runwisp',
    title: 'The RunWisp data dir is open to other users',
    message: '{dataDir} has mode {mode}; RunWisp keeps it 0700.',
    severity: 'warn',
    cause:
      'Since 0.3 the data dir is created 0700 (0.15 re-tightens an existing one). A looser mode persists when the daemon cannot chmod it (it does not own it), and exposes run logs and the database to other users.',
    fix: {
      summary: 'Tighten the data dir to owner-only.',
      commands: ['chmod 0700 {dataDir}'],
    },
    // Source: runwisp-facts.md §1.3
    check: 'data-dir-permissions',
    patterns: ["Data dir permissions are looser than 0700 and can't be tightened"],
    generations: ALL,
  },
  {
    id: 'runwisp/data-dir-foreign-files',
    target: 'runwisp',
    title: 'Files in the RunWisp data dir belong to another user',
    message: '{count} entries under {dataDir} are not owned by {user}, the user RunWisp runs as (for example {examples}).',
    severity: 'fail',
    cause:
      'RunWisp was once run as another user (often `sudo runwisp`), which created logs and state the daemon\'s own user cannot rotate, purge or rewrite: runs then fail with "permission denied".',
    fix: {
      summary: "Give the whole data dir back to the daemon's user, then keep it owner-only.",
      commands: ['sudo chown -R {user}:{group} {dataDir}', 'sudo chmod 0700 {dataDir}'],
    },
    // Source: runwisp-troubleshooting.md › "permission denied" on the data directory; runwisp-facts.md §1.3, §1.5
    docs: troubleshooting(`"permission denied" on the data directory`),
    check: 'data-dir-permissions',
    generations: ALL,
    keywords: ['owned by root', 'sudo runwisp', 'chown'],
  },
  {
    id: 'runwisp/health-no-answer',
    target: 'runwisp',
    title: 'The RunWisp daemon does not answer its health check',
    message: 'RunWisp pid {pid} is running, but GET /health over {via} got no usable answer: {error}.',
    severity: 'fail',
    cause:
      'The daemon is hung, still booting, or not listening where the CLI looks. `runwisp status`, the TUI and the Docker HEALTHCHECK all fail the same way.',
    fix: {
      summary: "Read the daemon's logs for why, then restart it.",
      commands: ['{logs}', 'runwisp status', 'runwisp restart'],
    },
    // Source: runwisp-troubleshooting.md › Daemon won't start, "Connection lost" overlay; runwisp-facts.md §2.2, §2.3, §5.4
    docs: troubleshooting(`Daemon won't start, "Connection lost" overlay`),
    check: 'daemon-health',
    patterns: [
      "daemon is not reachable at ${socket} (${error}) — start it with 'runwisp' (interactive) or 'runwisp daemon' (headless)",
      'daemon is not reachable at :${port} — ${error}',
      'daemon not running at ${dataDir}',
      'Health check did not pass before TUI start',
      'Connection lost',
    ],
    generations: ALL,
    keywords: ['not responding', 'hung', 'status fails', 'unreachable', 'connection lost'],
  },
  {
    id: 'runwisp/health-wrong-answer',
    target: 'runwisp',
    title: 'The RunWisp health check gets a wrong answer',
    message: 'GET /health over {via} answered {status} "{body}"{cut}; RunWisp answers 200 "OK".',
    severity: 'fail',
    cause:
      'Every RunWisp generation answers /health with 200 and the body OK. Anything else is a proxy in the way, a different program, or a broken daemon.',
    fix: {
      summary: 'Check what answers there and restart the daemon.',
      commands: ['curl -si {url}', "ss -ltnp 'sport = :{port}'", 'runwisp restart'],
    },
    // Source: runwisp-facts.md §2.2
    check: 'daemon-health',
    patterns: ['daemon returned status ${status}'],
    generations: ALL,
  },
  {
    id: 'runwisp/health-not-runwisp',
    target: 'runwisp',
    title: 'The health check is answered by something that is not RunWisp',
    message:
      "{url} answers, but port {port} is held by pid {pid} ({command}), which is not RunWisp; its answer says nothing about RunWisp's health.",
    severity: 'fail',
    cause: '/health does not identify RunWisp: any server answering 200 looks healthy. The owner of the port is not RunWisp.',
    fix: {
      summary: 'Stop the process holding the port, or run RunWisp on another port.',
      commands: ["ss -ltnp 'sport = :{port}'", 'runwisp --port {freePort}'],
    },
    // Source: runwisp-facts.md §2.2, §2.5
    check: 'daemon-health',
    generations: ALL,
  },
  {
    id: 'runwisp/socket-not-socket',
    target: 'runwisp',
    title: 'The RunWisp socket path is not a socket',
    message: '{path} is {what}, not a Unix socket: the CLI, TUI and `runwisp status` cannot reach the daemon there.',
    severity: 'fail',
    cause:
      "Since 0.5 the local CLI talks to the daemon over <data>/runwisp.sock (or --socket / RUNWISP_SOCKET). A regular file or directory at that path blocks both the daemon's bind and the CLI's connect.",
    fix: {
      summary: 'Move the file out of the way and restart the daemon so it recreates the socket.',
      commands: ['ls -l {path}', 'mv {path} {path}.bak', 'runwisp restart'],
    },
    // Source: runwisp-facts.md §1.2, §2.3, §5.4
    check: 'daemon-health',
    patterns: ['listen unix ${path}: bind: address already in use'],
    generations: FROM_05,
  },
  {
    id: 'runwisp/clock-skew',
    target: 'runwisp',
    title: "The daemon's clock disagrees with this machine's",
    message: "The daemon's clock is {skewS} s {direction} this machine's (Date header {dateHeader}).",
    severity: 'warn',
    cause:
      'Cron runs on the daemon\'s clock and timezone: a clock off by minutes or hours fires tasks at unexpected times and records missed runs. It does NOT cause "Invalid or expired challenge" or JWT expiry: nonces and tokens are minted and checked by the daemon against its own clock only, so a client\'s skew cannot matter.',
    fix: {
      summary:
        'Fix the host clock (NTP) on the daemon\'s host: cron fires on it. Skew does NOT cause "Invalid or expired challenge" (the daemon checks nonces and tokens against its own clock), so do not chase it for login errors.',
      commands: ['date -u', 'timedatectl status', 'sudo timedatectl set-ntp true'],
    },
    // Source: runwisp-troubleshooting.md › A scheduled task never fires (step 3); runwisp-facts.md §4
    docs: troubleshooting(`A scheduled task never fires (step 3)`),
    check: 'clock-skew',
    generations: ALL,
    keywords: ['clock', 'time', 'skew', 'date -u', 'ntp'],
  },
  {
    id: 'runwisp/timezone-mismatch',
    target: 'runwisp',
    title: 'The daemon schedules in a different timezone than this host',
    message:
      'The daemon resolves its timezone to {daemonTz} ({source}); this host is on {hostTz}. Cron expressions fire at {daemonTz} times.',
    severity: 'warn',
    cause:
      "Cron runs in the daemon's local timezone: task `timezone` > [daemon] timezone ([scheduler] before 1.0) > the system zone seen by the daemon > UTC. A container or service with another TZ fires tasks hours away from what the host suggests.",
    fix: {
      summary: "Set the zone explicitly in runwisp.toml (or give the daemon the host's TZ), then reload.",
      commands: ['runwisp status --json', 'runwisp validate'],
    },
    // Source: runwisp-troubleshooting.md › A scheduled task never fires; runwisp-facts.md §4
    docs: troubleshooting(`A scheduled task never fires`),
    check: 'clock-skew',
    generations: FROM_05,
    keywords: ['timezone', 'wrong time', 'fires at wrong hour', 'UTC'],
  },
  {
    id: 'runwisp/invalid-expired-challenge',
    target: 'runwisp',
    title: '401 Invalid or expired challenge',
    message: 'The login used a CHAP nonce the daemon no longer holds.',
    severity: 'fail',
    cause:
      "The nonce expired (5-minute lifetime), was consumed by a parallel login attempt (another tab, a retry), or was lost when the daemon restarted between the challenge and the login (nonces live in memory; 1000 at most). Contrary to the troubleshooting page, client clock skew cannot cause it: the daemon mints and checks nonces against its own clock. Only a jump of the *daemon host's* clock (NTP step, VM resume) can expire nonces early.",
    fix: {
      summary:
        'Refresh the page or retry: the client fetches a new challenge. If it repeats, look for a daemon restarting (crash loop) or a second daemon behind the same URL, and for clock jumps on the daemon host — not for skew between your machine and it.',
      commands: ['runwisp status', 'journalctl -u runwisp -n 200', 'timedatectl timesync-status'],
    },
    // Source: runwisp-troubleshooting.md › 401 Invalid or expired challenge (corrected by runwisp-facts.md §4, §3.1–3.2)
    docs: troubleshooting(`401 Invalid or expired challenge`),
    patterns: ['Invalid or expired challenge'],
    generations: ALL,
    keywords: ['challenge', 'nonce', '401', 'login fails'],
  },
  {
    id: 'runwisp/invalid-password',
    target: 'runwisp',
    title: '401 Invalid password',
    message: 'The daemon rejected the password.',
    severity: 'fail',
    cause:
      'Either the password is wrong, or it was typed against the wrong daemon (a second RunWisp from another directory). Up to 0.4 the canonical password is <data-dir>/password; from 0.5 it is RUNWISP_PASSWORD or an ephemeral one `runwisp password` reads over the socket.',
    fix: {
      summary:
        "Use the password of the daemon you are talking to (the doctor's duplicate-daemon check finds a second daemon without spending a login attempt; 5 failures per 5 minutes lock you out).",
      commands: ['cat <data-dir>/password', 'runwisp password', 'doctor --only duplicate-daemon'],
    },
    // Source: runwisp-troubleshooting.md › 401 Invalid password; runwisp-facts.md §3.1, §3.3
    docs: troubleshooting(`401 Invalid password`),
    patterns: [
      'Invalid password',
      '401 Invalid password',
      'authentication with ${url} failed',
      'The daemon rejected the password.',
      'a password is required to authenticate with ${url}',
      'Invalid request',
    ],
    generations: ALL,
    keywords: ['wrong password', '401', 'cannot log in'],
  },
  {
    id: 'runwisp/too-many-auth-attempts',
    target: 'runwisp',
    title: 'Login rate limit reached',
    message: 'The daemon blocks further login attempts from this IP.',
    severity: 'fail',
    cause:
      'You hit the limit of 5 attempts per IP per 5 minutes on the challenge, login and launch-ticket routes. The limiter lives in memory.',
    fix: {
      summary:
        'Wait it out (the window slides), or restart the daemon to clear the limiter; fix the password first so the next attempt succeeds.',
      commands: ['sleep 300', 'runwisp restart'],
    },
    // Source: runwisp-troubleshooting.md › too many authentication attempts against the daemon on port 9477; runwisp-facts.md §3.4
    docs: troubleshooting(`too many authentication attempts against the daemon on port 9477`),
    patterns: [
      'too many authentication attempts against the daemon on port ${port}',
      'The daemon temporarily blocks further login attempts from your IP after repeated failures.',
      'too many authentication attempts against ${url}',
      'The daemon temporarily blocks further logins from your IP after repeated attempts.',
      'Too Many Requests',
    ],
    generations: ALL,
    keywords: ['429', 'rate limit', 'locked out'],
  },
  {
    id: 'runwisp/lost-password',
    target: 'runwisp',
    title: 'Lost the Web UI password',
    message: 'The Web UI password is not known.',
    severity: 'warn',
    cause:
      "Up to 0.4 the password is in data/password. From 0.5 it is never written to disk: RUNWISP_PASSWORD if set, else a fresh one each boot; 1.0 service installs keep a stable one in the unit's password.conf drop-in.",
    fix: {
      summary:
        'Up to 0.4: read data/password, or delete it and restart (a new one is printed on stdout; existing JWTs become invalid). From 0.5: `runwisp password` reads it over the socket, or set RUNWISP_PASSWORD and restart.',
      commands: ['cat data/password', 'runwisp password', 'sudo cat /etc/systemd/system/runwisp.service.d/password.conf'],
    },
    // Source: runwisp-troubleshooting.md › "I lost the password"; runwisp-facts.md §1.2, §3.3
    docs: troubleshooting(`"I lost the password"`),
    generations: ALL,
    keywords: ['lost password', 'forgot password', 'where is the password'],
  },
  {
    id: 'runwisp/session-expired',
    target: 'runwisp',
    title: 'Web UI shows 401 after a restart, then works after a re-login',
    message: 'The session token is no longer valid.',
    severity: 'warn',
    cause:
      'The JWT expired (24-hour lifetime), or the signing key rotated: changing RUNWISP_PASSWORD rotates it on purpose, and from 0.5 a daemon without RUNWISP_PASSWORD gets a new password and key on every restart.',
    fix: {
      summary: 'Re-login. Set RUNWISP_PASSWORD (1.0 `service install` does it for you) to keep sessions across restarts.',
      commands: ['runwisp password'],
    },
    // Source: runwisp-troubleshooting.md › Web UI shows 401 after restart, then works after a re-login; runwisp-facts.md §3.2, §3.3
    docs: troubleshooting(`Web UI shows 401 after restart, then works after a re-login`),
    generations: ALL,
    keywords: [
      'logged out',
      '401 after restart',
      'session',
      'web ui shows 401',
      're-login',
      'log in again',
      'JWT expired',
      'session expired',
    ],
  },
  // ── Tasks aren't running ──────────────────────────────────────────────────────────────────
  {
    id: 'runwisp/config-missing',
    target: 'runwisp',
    title: 'runwisp.toml is missing',
    message: 'No runwisp.toml at {path} ({source}).',
    severity: 'fail',
    cause: 'The daemon needs a config to define tasks; headless it refuses to start without one.',
    fix: {
      summary: 'Create the config (or point RUNWISP_CONFIG / --config at it), then validate it.',
      commands: ['runwisp demo', 'runwisp validate --config {path}'],
    },
    // Source: runwisp-facts.md §7 (no runwisp.toml found), §1.1
    check: 'config-valid',
    patterns: [
      'no runwisp.toml found at ${path} — create one to define your tasks (docs: https://docs.runwisp.com/configuration/overview/)',
      'no runwisp.toml found at ${path}',
      'Create one to define your tasks:',
      'error: no runwisp.toml found at ${path}',
      'error: ${path} is a directory, but --config must name a single TOML file.',
      'error: ${path} exists but is not readable by uid ${uid}.',
    ],
    generations: ALL,
  },
  {
    id: 'runwisp/config-syntax',
    target: 'runwisp',
    title: 'runwisp.toml does not parse',
    message: '{path}:{line}:{column}: {reason}.',
    severity: 'fail',
    cause: 'The daemon does not load a config it cannot parse: no task from it runs, and `runwisp list` shows none of them.',
    fix: {
      summary: "Fix the file at the line and column shown, then confirm with RunWisp's own validator.",
      commands: ['runwisp validate --config {path}', 'runwisp list'],
    },
    // Source: runwisp-troubleshooting.md › A scheduled task never fires (step 1), Diagnostics that always help; runwisp-facts.md §5.2
    docs: troubleshooting(`A scheduled task never fires (step 1), Diagnostics that always help`),
    check: 'config-valid',
    patterns: ['failed to parse config file:', '${path} is not valid', 'failed to load ${path}: ${error}', 'reload rejected err=${error}'],
    generations: ALL,
    keywords: ['toml', 'parse error', 'config invalid', 'validate'],
  },
  {
    id: 'runwisp/config-unknown-key',
    target: 'runwisp',
    title: 'runwisp.toml uses a key this RunWisp does not know',
    message: '{path}:{line}:{column}: {detail}.',
    severity: 'fail',
    cause:
      'RunWisp rejects unknown keys at load, and several keys were renamed between releases (parallelism → max_concurrent in 0.5, [[notifier]] → [notifiers.<id>] and [[notification_route]] → [[route]] in 0.16, notify_on_* → notify in 1.0). A config written for another generation stops loading after an upgrade or downgrade.',
    fix: {
      summary: "Rename the key to this generation's spelling, then validate.",
      commands: ['runwisp validate --config {path}'],
    },
    // Source: runwisp-facts.md §5.1, §0
    check: 'config-valid',
    patterns: ['unknown key "${key}" at line ${line}:${column}', "did you mean '${key}'?"],
    generations: ALL,
    keywords: ['unknown key', 'renamed', 'parallelism', 'max_concurrent', 'notifier', 'route'],
  },
  {
    id: 'runwisp/config-bad-value',
    target: 'runwisp',
    title: 'runwisp.toml has a value this RunWisp rejects',
    message: '{path}:{line}:{column}: {detail}.',
    severity: 'fail',
    cause:
      'Values were renamed too (on_overlap "terminate" → "kill", log_on_full "kill_task" → "kill" in 0.16; catch_up became an integer in 1.0), and sizes, names and limits have fixed forms.',
    fix: {
      summary: 'Use a value this generation accepts, then validate.',
      commands: ['runwisp validate --config {path}'],
    },
    // Source: runwisp-facts.md §5.1
    check: 'config-valid',
    generations: ALL,
  },
  {
    id: 'runwisp/cron-invalid',
    target: 'runwisp',
    title: "A task's cron expression is invalid or can never fire",
    message: '{path}:{line}:{column}: task "{task}": {detail}.',
    severity: 'fail',
    cause:
      'RunWisp takes 5 cron fields (minute hour day-of-month month day-of-week), 6 with seconds since 0.9, and @every <duration>. An invalid expression fails the config load; an impossible one (Feb 30) never fires.',
    fix: {
      summary: 'Correct the expression (compare against an external evaluator such as crontab.guru), then check what the loader sees.',
      commands: ['runwisp validate --config {path}', 'runwisp list'],
    },
    // Source: runwisp-troubleshooting.md › A scheduled task never fires (step 2); runwisp-facts.md §5.1
    docs: troubleshooting(`A scheduled task never fires (step 2)`),
    check: 'config-valid',
    generations: ALL,
    keywords: ['cron', 'schedule', 'never fires', 'task not running'],
  },
  {
    id: 'runwisp/unknown-notifier',
    target: 'runwisp',
    title: 'A route or task names a notifier that does not exist',
    message: '{path}:{line}:{column}: {detail}.',
    severity: 'fail',
    cause:
      'Routes and notify_on_failure refer to a notifier by its id. A typo surfaces at config load, but only if it is used; an unused notifier is fine.',
    fix: {
      summary: 'Spell the notifier id as it is defined ([notifiers.<id>] on 0.16+, [[notifier]] id = "…" before), then validate.',
      commands: ['runwisp validate --config {path}'],
    },
    // Source: runwisp-troubleshooting.md › A failure happened but Slack didn't fire (step 3); runwisp-facts.md §5.1
    docs: troubleshooting(`A failure happened but Slack didn't fire (step 3)`),
    check: 'config-valid',
    generations: ['0.3-0.4', '0.5-0.15', '0.16+'],
    keywords: ['slack', 'notification', 'notifier', 'route'],
  },
  {
    id: 'runwisp/overlap-skip',
    target: 'runwisp',
    title: 'A task with one slot skips every firing while it runs',
    message:
      '{path}:{line}:{column}: task "{task}" has {limitKey} = 1 and on_overlap = "skip": while one run is in flight every firing is skipped, and each skip is recorded as a {recordedAs} run with exit code -1 ("task already running, skipping (policy: skip)").',
    severity: 'warn',
    cause:
      'Each firing decides whether to start from how many runs are in flight. A long-running task with one slot and the skip policy skips every firing until the first run ends; the Web UI task detail shows each as a row with exit -1.',
    fix: {
      summary:
        'If the skips are unintended, allow overlap (raise the limit) or queue instead of skipping, or make the task shorter than its interval.',
      commands: ['runwisp list', 'runwisp validate --config {path}'],
    },
    // Source: runwisp-troubleshooting.md › A scheduled task never fires (step 4); runwisp-facts.md §6.1
    docs: troubleshooting(`A scheduled task never fires (step 4)`),
    check: 'config-valid',
    patterns: ['task already running, skipping (policy: skip)'],
    generations: ALL,
    keywords: ['skipped', 'exit -1', 'on_overlap', 'parallelism', 'never fires'],
  },
  {
    id: 'runwisp/env-invalid',
    target: 'runwisp',
    title: 'A RUNWISP_* environment variable has a value RunWisp rejects',
    message: '{name}={value}: {detail}.',
    severity: 'fail',
    cause: 'RunWisp validates these at start and refuses to run with a bad one.',
    fix: {
      summary: 'Fix or unset the variable in the shell, unit or container that starts RunWisp.',
      commands: ['unset {name}'],
    },
    // Source: runwisp-facts.md §2.1, §3.3, §7
    check: 'config-valid',
    patterns: [
      'RUNWISP_PORT must be a valid port number (got ${value})',
      'RUNWISP_AUTH must be "on" or "off" when set (got ${value})',
      'RUNWISP_AUTH=off and RUNWISP_PASSWORD are mutually exclusive — unset one of them',
      'RUNWISP_NO_AUTH must be "1" or "true" when set (got ${value})',
      'RUNWISP_NO_AUTH and RUNWISP_PASSWORD are mutually exclusive — unset one of them',
    ],
    generations: ALL,
  },
  {
    id: 'runwisp/exec-shows-nothing',
    target: 'runwisp',
    title: 'A manual `runwisp exec` exits 0 but the daemon shows nothing',
    message: 'The run happened in the CLI process, not in the daemon.',
    severity: 'warn',
    cause:
      '`runwisp exec` runs the task inline in the CLI, not against the daemon — on purpose. Since 0.5 it refuses when a daemon is up, so this happens only when the daemon is on another host or --data directory.',
    fix: {
      summary:
        'Trigger through the daemon instead: the Web UI, the TUI, the trigger endpoint, or the CLI command of your version (`run-task` ≤0.4, `exec --url` 0.10+, `run` 0.16+).',
      commands: ['runwisp run-task <name>', 'runwisp run <name>'],
    },
    // Source: runwisp-troubleshooting.md › A manual runwisp exec exits 0 but the daemon shows nothing; runwisp-facts.md §0
    docs: troubleshooting(`A manual runwisp exec exits 0 but the daemon shows nothing`),
    generations: ALL,
  },
  {
    id: 'runwisp/replica-restarting',
    target: 'runwisp',
    title: 'A service replica keeps restarting',
    message: 'A service keeps crashing and is restarted with growing backoff.',
    severity: 'fail',
    cause:
      'The supervisor restarts crashed replicas with exponential backoff capped at 60 s; a run that exits within 60 s never stabilises. Commonly the binary in `run` does not exist on the target filesystem, or the user RunWisp runs as cannot exec it.',
    fix: {
      summary: 'Open the run history and read the most recent log for why the process exits.',
      commands: ['runwisp logs <service>', 'ls -l <the binary in run>'],
    },
    // Source: runwisp-troubleshooting.md › A service replica keeps restarting; runwisp-facts.md §6.2
    docs: troubleshooting(`A service replica keeps restarting`),
    patterns: ['exec: ${path}: no such file or directory', '${service} gave up: instance keeps failing to start'],
    generations: ALL,
  },
  {
    id: 'runwisp/run-crashed',
    target: 'runwisp',
    title: 'A task ended with exit code -2 (crashed)',
    message: 'The run was in flight when the daemon died.',
    severity: 'warn',
    cause:
      '-2 means crashed: the daemon was killed (SIGKILL, OOM, host reboot) while the run was in flight; on startup the reconciler marks running rows crashed. Expected behaviour, not a bug.',
    fix: {
      summary: 'Find out why the daemon died (service manager logs, OOM killer); the run itself was real but not observed to completion.',
      commands: ['journalctl -u runwisp -n 200', 'dmesg | grep -i oom'],
    },
    // Source: runwisp-troubleshooting.md › Task fires but exits with code -2; runwisp-facts.md §6.1
    docs: troubleshooting(`Task fires but exits with code -2`),
    generations: ALL,
    keywords: ['exit -2', 'exit code -2', 'crashed', 'OOM', 'host reboot', 'daemon killed'],
  },
  {
    id: 'runwisp/queue-full',
    target: 'runwisp',
    title: "A task's queue is full",
    message: "A firing was dropped because the task's queue is full.",
    severity: 'warn',
    cause: 'With on_overlap = "queue", firings wait behind the running one up to max_queued (queue_max before 0.16, default 100).',
    fix: {summary: 'Raise max_queued, allow more concurrency, or make the task faster than its interval.', commands: ['runwisp list']},
    // Source: runwisp-facts.md §6.1, §5.1
    docs: DOCS_HOME,
    patterns: ['queue full (${count} pending) for task ${task}'],
    generations: ALL,
  },
  {
    id: 'runwisp/task-not-found',
    target: 'runwisp',
    title: 'The task named on the command line does not exist',
    message: 'No task by that name in the loaded config.',
    severity: 'warn',
    cause: 'The name is misspelt, or the config the daemon loaded is not the file you edited.',
    fix: {summary: 'List the tasks the config loader sees.', commands: ['runwisp list']},
    // Source: runwisp-facts.md §7
    docs: DOCS_HOME,
    patterns: ['task ${task} not found', 'Did you mean ${task}?', 'Available tasks:'],
    generations: ALL,
  },
  // ── Logs are missing ──────────────────────────────────────────────────────────────────────
  {
    id: 'runwisp/disk-below-min-free',
    target: 'runwisp',
    title: 'Free disk space is below [storage] min_free_space',
    message:
      "The filesystem of {dataDir} has {free} free; [storage] min_free_space is {min}. New runs are refused (exit -1) and running tasks' log output is dropped; the task itself is not killed.",
    severity: 'fail',
    cause:
      'Below the threshold, new runs are refused before they start (exit -1, "insufficient disk space") and running tasks\' log output is silently dropped until disk pressure recovers ("Log output stopped: disk space critically low"). The task itself is not killed — unless log_on_full is "kill" ("kill_task" before 0.16).',
    fix: {
      summary:
        "Free up disk (old run logs are under the data dir's logs/); the next run logs normally. Consider [storage] max_size so the sweeper caps log storage.",
      commands: ['df -h {dataDir}', 'du -sh {dataDir}/logs/*'],
    },
    // Source: runwisp-troubleshooting.md › Log output stopped: disk space critically low; runwisp-facts.md §5.1, §6.1, §6.2
    docs: troubleshooting(`Log output stopped: disk space critically low`),
    check: 'disk-space',
    patterns: [
      'Log output stopped: disk space critically low',
      'insufficient disk space: ${free} free, minimum ${min} required',
      'Process killed: disk space critically low',
      '${task} log output paused: low disk',
      'log disk pressure task=${task} run=${run} free_bytes=${free} min_free_bytes=${min} killed_task=${killed}',
    ],
    generations: ALL,
    keywords: ['disk full', 'logs missing', 'no space', 'min_free_space'],
  },
  {
    id: 'runwisp/storage-over-max-size',
    target: 'runwisp',
    title: 'Run logs exceed [storage] max_size',
    message: 'Run logs under {logs} take {used}; [storage] max_size is {max}.',
    severity: 'warn',
    cause:
      'The retention sweeper runs hourly and deletes the oldest completed runs (rows and log files) to enforce the cap. Until it runs the store is over the cap; afterwards old runs are gone.',
    fix: {
      summary: 'Expect the oldest runs to be purged; raise max_size or lower per-task keep_runs / keep_for if you need them.',
      commands: ['du -sh {logs}'],
    },
    // Source: runwisp-troubleshooting.md › A run row exists in history but its log pane is blank; runwisp-facts.md §5.1
    docs: troubleshooting(`A run row exists in history but its log pane is blank`),
    check: 'disk-space',
    patterns: ['Log storage exceeds storage.max_size, purging oldest runs', 'Purged runs to enforce storage.max_size deleted=${count}'],
    generations: ALL,
  },
  {
    id: 'runwisp/log-cut-off',
    target: 'runwisp',
    title: 'Task logs cut off at log_max_size',
    message: "A run's log reached the task's log_max_size.",
    severity: 'warn',
    cause:
      'With log_on_full = "drop_old" (default) the head is rotated to *.log.prev and new lines overwrite the file; "drop_new" drops further lines; "kill" ("kill_task" before 0.16) terminates the task.',
    fix: {summary: 'Increase log_max_size or reduce the volume.', commands: ['runwisp validate']},
    // Source: runwisp-troubleshooting.md › Task logs cut off at log_max_size; runwisp-facts.md §1.4
    docs: troubleshooting(`Task logs cut off at log_max_size`),
    generations: ALL,
    keywords: ['log truncated', 'log_max_size', 'log.prev'],
  },
  {
    id: 'runwisp/log-pane-blank',
    target: 'runwisp',
    title: 'A run row exists in history but its log pane is blank',
    message: "The run's log file was deleted by retention.",
    severity: 'warn',
    cause: 'The retention sweeper deleted the log file; the SQLite row outlives it by design (metadata is cheap, log bytes are not).',
    fix: {summary: 'Check [storage] max_size and per-task keep_runs / keep_for.', commands: ['runwisp validate']},
    // Source: runwisp-troubleshooting.md › A run row exists in history but its log pane is blank
    docs: troubleshooting(`A run row exists in history but its log pane is blank`),
    generations: ALL,
  },
  // ── Notifications ─────────────────────────────────────────────────────────────────────────
  {
    id: 'runwisp/notification-not-sent',
    target: 'runwisp',
    title: 'A failure happened but Slack did not fire',
    message: 'No outbound notification for a failed run.',
    severity: 'warn',
    cause:
      'Walk the chain: did the in-app bell get it; is there a route that matches (a [[route]] / [[notification_route]] for run.failed, or notify_on_failure on the task); is the notifier id spelt right; did the channel itself fail (a notify.delivery_failed row).',
    fix: {
      summary:
        "Validate the config (the doctor's config-valid checks every notifier reference), then look for delivery failures in the Web UI.",
      commands: ['doctor --only config-valid', 'runwisp validate'],
    },
    // Source: runwisp-troubleshooting.md › A failure happened but Slack didn't fire
    docs: troubleshooting(`A failure happened but Slack didn't fire`),
    generations: ALL,
    keywords: ['slack', 'notification', 'no alert'],
  },
  {
    id: 'runwisp/delivery-failed',
    target: 'runwisp',
    title: 'notify.delivery_failed events keep arriving',
    message: 'An outbound notification channel is failing.',
    severity: 'warn',
    cause:
      'The channel is broken (Slack outage, expired webhook, revoked token). The daemon retries with exponential backoff within a 5-minute budget, then records one in-app delivery-failure row per event.',
    fix: {
      summary:
        'Fix the channel; the synthetic events stop on their own. (Since 0.16.4 a route cannot match notify.delivery_failed: it is in-app only.)',
      commands: ['runwisp validate'],
    },
    // Source: runwisp-troubleshooting.md › notify.delivery_failed events keep arriving; runwisp-facts.md §6.2
    docs: troubleshooting(`notify.delivery_failed events keep arriving`),
    patterns: ['Delivery to ${channel} failed', 'Notification delivery failed', 'notify.delivery_failed', 'notify_delivery_failed'],
    generations: ALL,
  },
  // ── Web UI / TUI ──────────────────────────────────────────────────────────────────────────
  {
    id: 'runwisp/cannot-reach-daemon',
    target: 'runwisp',
    title: 'The TUI cannot reach the daemon at its URL',
    message: "The TUI's API base URL does not reach a daemon.",
    severity: 'fail',
    cause: 'Almost always a --host / --port mismatch: the TUI inherits the flags you passed.',
    fix: {summary: 'Point the TUI at the same address as the daemon.', commands: ['runwisp status', 'runwisp tui --port <daemon port>']},
    // Source: runwisp-troubleshooting.md › cannot reach daemon at <url> — is it running?
    docs: troubleshooting(`cannot reach daemon at <url> — is it running?`),
    patterns: ['cannot reach daemon at ${url} — is it running?', 'daemon at ${url} is not reachable (${error})'],
    generations: ALL,
  },
  {
    id: 'runwisp/openapi-differs',
    target: 'runwisp',
    title: '`runwisp openapi` differs from apps/runwisp/openapi.json',
    message: "The installed binary's OpenAPI document differs from the repository's.",
    severity: 'warn',
    cause: 'That is fine: `runwisp openapi` reflects the installed binary; the file in the repo reflects the head of main.',
    fix: {summary: "Use the binary's output as the source of truth for generated clients.", commands: ['runwisp openapi > openapi.json']},
    // Source: runwisp-troubleshooting.md › runwisp openapi differs from apps/runwisp/openapi.json; runwisp-facts.md §5.5
    docs: troubleshooting(`runwisp openapi differs from apps/runwisp/openapi.json`),
    generations: ALL,
  },
  // ── Other messages the daemon and CLI print (runwisp-facts §7) ─────────────────────────────
  {
    id: 'runwisp/log-address-in-use',
    target: 'runwisp',
    title: 'daemon.log: the daemon could not bind its port',
    message: '{path} line {line}: "{excerpt}" — the daemon could not bind port {port}.',
    severity: 'fail',
    cause: 'Another process (or another RunWisp) holds the port. The self-spawning CLI turns this log line into the port-conflict error.',
    fix: {
      summary: 'Find who holds the port and stop it, or run RunWisp on another port.',
      commands: ["ss -ltnp 'sport = :{port}'", 'lsof -iTCP:{port} -sTCP:LISTEN', 'runwisp --port {freePort}'],
    },
    // Source: runwisp-troubleshooting.md › Daemon won't start; runwisp-facts.md §2.3, §2.5
    docs: troubleshooting(`Daemon won't start`),
    check: 'daemon-log-errors',
    patterns: ['listen tcp ${address}: bind: address already in use', 'bind: address already in use'],
    generations: ALL,
  },
  {
    id: 'runwisp/log-bind-permission-denied',
    target: 'runwisp',
    title: 'daemon.log: the daemon may not bind its port',
    message: '{path} line {line}: "{excerpt}" — the daemon\'s user may not bind that address.',
    severity: 'fail',
    cause: 'Ports below 1024 need root or CAP_NET_BIND_SERVICE; some hosts also restrict binds to particular addresses.',
    fix: {
      summary: 'Use a port above 1024 (9477 is the default), or grant the binary the capability.',
      commands: ['runwisp --port 9477', 'sudo setcap cap_net_bind_service=+ep "$(command -v runwisp)"'],
    },
    // Source: runwisp-facts.md §2.3
    check: 'daemon-log-errors',
    patterns: ['listen tcp ${address}: bind: permission denied', 'bind: permission denied'],
    generations: ALL,
  },
  {
    id: 'runwisp/log-health-timeout',
    target: 'runwisp',
    title: 'The daemon failed to start: health check timed out',
    message: '{path} line {line}: "{excerpt}".',
    severity: 'fail',
    cause:
      'The process started but did not pass /health within 10 seconds (30 s after a first-run service install). The cause is usually a config validation error printed before the listener bound.',
    fix: {
      summary: "Read the lines before it in daemon.log (or the service manager's log) and validate the config.",
      commands: ['tail -n 200 {path}', 'runwisp validate'],
    },
    // Source: runwisp-troubleshooting.md › daemon failed to start: health check timed out; runwisp-facts.md §2.3
    docs: troubleshooting(`daemon failed to start: health check timed out`),
    check: 'daemon-log-errors',
    patterns: ['daemon failed to start: health check timed out', '(daemon log at ${path} is empty)'],
    generations: ALL,
    keywords: [
      'health check timed out',
      'never became healthy',
      'not healthy within 10 seconds',
      'did not pass /health',
      "daemon won't start",
    ],
  },
  {
    id: 'runwisp/log-crash-recovery-failed',
    target: 'runwisp',
    title: 'daemon.log: crash recovery failed, the daemon refuses to start',
    message: '{path} line {line}: "{excerpt}".',
    severity: 'fail',
    cause:
      'At boot the reconciler marks in-flight runs crashed (exit -2). From 1.0.1 the daemon refuses to start when it cannot, usually because the database is not writable or is corrupt.',
    fix: {
      summary: "Check that the database and data dir are writable by the daemon's user, and that the disk is not full; then restart.",
      commands: ['ls -l {dataDir}/runwisp.db*', 'df -h {dataDir}', 'sqlite3 {dataDir}/runwisp.db "PRAGMA integrity_check"'],
    },
    // Source: runwisp-facts.md §6.1
    check: 'daemon-log-errors',
    patterns: ['crash recovery failed; refusing to start with unresolved in-flight runs: ${error}', 'Failed to mark crashed runs'],
    generations: ALL,
  },
  {
    id: 'runwisp/log-fatal',
    target: 'runwisp',
    title: 'daemon.log: the daemon hit a fatal error',
    message: '{path} line {line}: "{excerpt}".',
    severity: 'fail',
    cause:
      'The self-spawning CLI treats any line with FATA, "Fatal error", "Server failed" or an ERROR badge as a failed start and reports it as "daemon failed to start: <line>".',
    fix: {
      summary: 'Read the line and the ones before it; fix what it names and start again.',
      commands: ['tail -n 200 {path}', 'runwisp validate'],
    },
    // Source: runwisp-troubleshooting.md › Daemon won't start; runwisp-facts.md §2.3
    docs: troubleshooting(`Daemon won't start`),
    check: 'daemon-log-errors',
    patterns: [
      'daemon failed to start: ${logLine}',
      'daemon process exited unexpectedly during startup',
      'daemon process ${pid} exited during startup',
      'Failed to initialize notify subsystem: ${error}',
      'Failed to start scheduler: ${error}',
      'Failed to restore paused schedules (paused tasks will fire): ${error}',
    ],
    generations: ALL,
  },
  {
    id: 'runwisp/spawn-failed',
    target: 'runwisp',
    title: 'The CLI could not spawn the background daemon',
    message: 'Spawning the daemon failed.',
    severity: 'fail',
    cause:
      'The CLI could not open data/daemon.log, find its own executable or start the child process; it then runs the daemon inline in the foreground.',
    fix: {summary: 'Check the data dir is writable and run the daemon headless to see the error directly.', commands: ['runwisp daemon']},
    // Source: runwisp-facts.md §7
    docs: DOCS_HOME,
    patterns: [
      'cannot open daemon log file: ${error}',
      'cannot start daemon process: ${error}',
      'cannot find executable: ${error}',
      'Failed to spawn background daemon, running inline',
    ],
    generations: ALL,
  },
  {
    id: 'runwisp/slow-shutdown',
    target: 'runwisp',
    title: 'The daemon does not shut down in time',
    message: 'The daemon outlived its shutdown budget.',
    severity: 'warn',
    cause:
      'Runs still in flight after shutdown_timeout (default 10 s) are marked daemon_stopped; stop/restart wait 3 s + 2×shutdown_timeout + 5 s. 1.5.1 notes that systemd could kill the daemon during a long shutdown until the unit is re-installed.',
    fix: {
      summary: 'Raise [daemon] shutdown_timeout if runs need longer, and re-install the service so its TimeoutStopSec matches.',
      commands: ['sudo runwisp service install'],
    },
    // Source: runwisp-facts.md §2.3, §8.1
    docs: DOCS_HOME,
    patterns: [
      'daemon (pid ${pid}) did not shut down within ${duration}',
      'Waiting for daemon (pid ${pid}) to shut down...',
      'graceful shutdown deadline exceeded phase=${phase}',
    ],
    generations: ALL,
  },
  {
    id: 'runwisp/no-tty',
    target: 'runwisp',
    title: 'No interactive terminal: RunWisp runs headless',
    message: 'RunWisp was started without a terminal.',
    severity: 'warn',
    cause: 'Bare `runwisp` and `runwisp tui` need a TTY; without one the daemon runs headless.',
    fix: {
      summary: 'Use `runwisp daemon` under a service manager, and `runwisp tui` from a real terminal.',
      commands: ['runwisp daemon --no-tui', 'runwisp tui'],
    },
    // Source: runwisp-facts.md §7
    docs: DOCS_HOME,
    patterns: [
      'no interactive terminal detected — running headless (pass --no-tui to silence this)',
      "no interactive terminal; the daemon runs headless here — use 'runwisp station' / 'runwisp daemon', or run 'runwisp tui' from a real terminal",
    ],
    generations: FROM_05,
  },
  {
    id: 'runwisp/config-stale',
    target: 'runwisp',
    title: 'runwisp.toml changed since the daemon started',
    message: 'The daemon runs an older copy of the config.',
    severity: 'warn',
    cause: 'The daemon reads the config at start (and on SIGHUP/reload); edits since then are not applied.',
    fix: {summary: 'Apply the config: restart (≤1.4) or reload (1.5+).', commands: ['runwisp restart', 'runwisp reload']},
    // Source: runwisp-facts.md §5.4
    docs: DOCS_HOME,
    patterns: [
      "runwisp.toml has changed since the daemon started — run 'runwisp restart' to apply",
      'received SIGHUP, reloading configuration',
    ],
    generations: FROM_05,
  },
  {
    id: 'runwisp/launch-ticket',
    target: 'runwisp',
    title: 'Browser hand-off (launch ticket) refused',
    message: 'The launch ticket was refused.',
    severity: 'warn',
    cause: 'Launch tickets live 60 s, are single-use, and before 0.16 could only be created and redeemed from localhost.',
    fix: {summary: 'Open the Web UI again from the TUI on the same machine, within a minute.', commands: ['runwisp tui']},
    // Source: runwisp-facts.md §3.1, §7
    docs: DOCS_HOME,
    patterns: [
      'Invalid or expired launch ticket',
      'Launch tickets can only be created from localhost',
      'Launch tickets are only valid from localhost',
    ],
    generations: ALL,
  },
  {
    id: 'runwisp/local-only-endpoint',
    target: 'runwisp',
    title: 'A local-only endpoint was called over the network',
    message: 'The daemon refused a local-only request.',
    severity: 'warn',
    cause:
      '/api/daemon/identity (/api/instance) answers only over the Unix socket or loopback, and not through a proxy (0.14+); /api/local/* is socket-only; cross-origin browser requests are refused.',
    fix: {
      summary: "Call it from the daemon's host over loopback or the socket.",
      commands: ['curl --unix-socket <data>/runwisp.sock http://runwisp/api/daemon/identity'],
    },
    // Source: runwisp-facts.md §2.4, §2.6, §7
    docs: DOCS_HOME,
    patterns: [
      'instance endpoint is only available locally (Unix socket or loopback)',
      'app connections are only accepted on the Unix socket',
      'cross-origin request refused',
    ],
    generations: FROM_05,
  },
  {
    id: 'runwisp/public-bind',
    target: 'runwisp',
    title: 'The HTTP server binds a non-loopback address',
    message: 'RunWisp listens beyond loopback.',
    severity: 'warn',
    cause:
      'Binding 0.0.0.0 exposes the login page to the network; plain HTTP is the default since 0.14 unless tls is set. Behind a proxy, trust it explicitly.',
    fix: {
      summary: 'Bind 127.0.0.1 behind a reverse proxy, or enable TLS and set trusted proxies.',
      commands: ['runwisp daemon --host 127.0.0.1'],
    },
    // Source: runwisp-facts.md §2.1, §7, §9 (#133)
    docs: DOCS_HOME,
    patterns: ['SECURITY: HTTP server is binding to "${host}" (not loopback).', 'set RUNWISP_TRUST_PROXY=<proxy-CIDR>'],
    generations: ALL,
  },
  {
    id: 'runwisp/tls-cert-changed',
    target: 'runwisp',
    title: "The remote daemon's TLS certificate changed",
    message: 'The pinned certificate no longer matches.',
    severity: 'fail',
    cause:
      "The CLI pins a remote daemon's certificate on first connect (~/.cache/runwisp/pinned_certs.json); a regenerated self-signed cert, or an interception, no longer matches.",
    fix: {
      summary: "If the daemon's certificate was legitimately regenerated, remove its entry from the pin store and reconnect.",
      commands: ['cat ~/.cache/runwisp/pinned_certs.json'],
    },
    // Source: runwisp-facts.md §3.4
    docs: DOCS_HOME,
    patterns: ['TLS certificate for ${url} changed since first connect'],
    generations: FROM_05,
  },
  {
    id: 'runwisp/docker-no-auth',
    target: 'runwisp',
    title: 'The Docker image refuses to start without an auth setting',
    message: 'The container needs RUNWISP_PASSWORD or RUNWISP_AUTH=off.',
    severity: 'fail',
    cause: "The official image's entrypoint refuses to start the daemon unless RUNWISP_PASSWORD is set or RUNWISP_AUTH=off.",
    fix: {
      summary: 'Pass one of them to the container.',
      commands: ['docker run -e RUNWISP_PASSWORD=<your-password> runwisp/runwisp', 'docker run -e RUNWISP_AUTH=off runwisp/runwisp'],
    },
    // Source: runwisp-facts.md §3.3, §7
    docs: DOCS_HOME,
    patterns: [
      'error: refusing to start the daemon without an explicit auth setting.',
      'error: unexpected argument "${arg}" after the daemon subcommand.',
    ],
    generations: NEW,
  },
  {
    id: 'runwisp/docker-flags-ignored',
    target: 'runwisp',
    title: 'Docker: --data/--socket on the command line do not reach the healthcheck',
    message: 'The container reports unhealthy although the daemon runs.',
    severity: 'warn',
    cause:
      "The image's HEALTHCHECK runs `runwisp status` with the socket resolved from RUNWISP_DATA / RUNWISP_SOCKET only, so --data/--socket passed as arguments make the container unhealthy.",
    fix: {
      summary: 'Set RUNWISP_DATA / RUNWISP_SOCKET as environment variables instead of flags.',
      commands: ['docker run -e RUNWISP_DATA=/var/lib/runwisp runwisp/runwisp'],
    },
    // Source: runwisp-facts.md §8.3
    docs: DOCS_HOME,
    patterns: ['warning: --data/--socket on the command line do not reach the container'],
    generations: NEW,
  },
  {
    id: 'runwisp/service-not-active',
    target: 'runwisp',
    title: '`runwisp service install` finished but the service is not active',
    message: 'The service was installed but is not running.',
    severity: 'warn',
    cause:
      'It may still be starting, or it is already crash-looping: systemd restarts it on failure until the start limit, then stops trying ("Start request repeated too quickly", start-limit-hit). The journal says why it exits.',
    fix: {summary: "Read the service's journal.", commands: ['sudo journalctl -u runwisp.service', 'runwisp service status']},
    // Source: runwisp-facts.md §7 (Service install messages), §8.1
    docs: DOCS_HOME,
    patterns: [
      ...SYSTEMD_LINES.exited,
      ...SYSTEMD_LINES.startLimit,
      ...SYSTEMD_LINES.noBinary,
      'Installed and enabled, but the service is not active yet.',
      "It may still be starting, or it's already crash-looping — check:",
      'Warning: cron could not be restored: ${error}',
    ],
    generations: FROM_05,
    placeholderValues: {unit: RUNWISP_UNITS},
    keywords: ['crash-looping', 'systemd gave up', 'start-limit-hit'],
  },
  {
    id: 'runwisp/cron-failsafe',
    target: 'runwisp',
    title: 'systemd gave up on RunWisp and restored cron',
    message: 'The cron failsafe unit took over.',
    severity: 'fail',
    cause:
      'After `runwisp takeover` masks cron, runwisp-cron-failsafe.service unmasks it when RunWisp keeps failing and systemd stops restarting it.',
    fix: {
      summary: 'Fix why RunWisp fails (journal), then hand scheduling back to it.',
      commands: ['sudo journalctl -u runwisp.service', 'systemctl reset-failed runwisp.service && runwisp takeover'],
    },
    // Source: runwisp-facts.md §7 (Cron failsafe unit), §8.1
    docs: DOCS_HOME,
    patterns: ['RunWisp kept failing and systemd stopped restarting it. Unmasking and starting ${unit} …'],
    generations: NEW,
  },
  {
    id: 'runwisp/progress-line',
    target: 'runwisp',
    title: 'A progress or success line, not an error',
    message: 'RunWisp reported normal progress.',
    // No check reports this entry; it exists so that `explain` can say a pasted line is normal.
    severity: 'warn',
    cause:
      'RunWisp prints these when a service install succeeds or was already done, and when a SIGHUP reload (`runwisp reload`, 1.5+) applied the new config. They are not failures.',
    fix: {
      summary: 'Nothing to fix in this line. If something still fails, paste the error line, or run the doctor.',
      commands: ['runwisp service status', 'doctor'],
    },
    // Source: runwisp-facts.md §7 (Service install messages; SIGHUP reload)
    docs: DOCS_HOME,
    patterns: [
      'Installed and started. `runwisp service status` to check.',
      'Already installed. ✓',
      'Already installed.',
      'reload applied added=… changed=… removed=… settings=…',
      'reload applied',
    ],
    generations: FROM_05,
  },
  // ── service-unit ──────────────────────────────────────────────────────────────────────────
  {
    id: 'runwisp/unit-user-mismatch',
    target: 'runwisp',
    title: "The systemd unit's User= does not own the data dir",
    message: '{unit} runs RunWisp as {user}{how}, but its data dir {dataDir} is owned by {owner}.',
    severity: 'fail',
    cause:
      'Common when systemd\'s User= was changed but the data dir\'s owner was not: the daemon cannot mkdir or write under --data ("permission denied"), or from 0.16 refuses a daemon.pid owned by another user.',
    fix: {
      summary: "Give the data dir to the unit's user, owner-only, and restart the service.",
      commands: ['sudo chown -R {user}:{group} {dataDir}', 'sudo chmod 0700 {dataDir}', 'sudo systemctl restart {unitName}'],
    },
    // Source: runwisp-troubleshooting.md › "permission denied" on the data directory; runwisp-facts.md §8.1, §8.2
    docs: troubleshooting(`"permission denied" on the data directory`),
    check: 'service-unit',
    generations: ALL,
    keywords: ['systemd', 'User=', 'permission denied', 'service'],
  },
  {
    id: 'runwisp/unit-user-missing',
    target: 'runwisp',
    title: "The systemd unit's User= does not exist",
    message: '{unit} sets User={user}, and no such user exists on this host.',
    severity: 'fail',
    cause: 'systemd cannot start a service as a user that does not exist (status 217/USER).',
    fix: {
      summary: 'Create the user (as the 0.4 systemd guide does) or fix User=, then restart.',
      commands: [
        'sudo useradd --system --home {dataDir} --shell /usr/sbin/nologin {user}',
        'sudo systemctl daemon-reload',
        'sudo systemctl restart {unitName}',
      ],
    },
    // Source: runwisp-facts.md §8.2
    check: 'service-unit',
    generations: ALL,
    patterns: [...SYSTEMD_LINES.noUser],
    placeholderValues: {unit: RUNWISP_UNITS},
  },
  {
    id: 'runwisp/unit-data-dir-read-only',
    target: 'runwisp',
    title: 'The systemd unit makes the data dir read-only',
    message: '{unit} sets ProtectSystem={protect} but no ReadWritePaths= covers {dataDir}: the daemon sees it read-only.',
    severity: 'fail',
    cause:
      'The hardened unit of the 0.4 systemd guide mounts the file system read-only and re-opens only ReadWritePaths=/var/lib/runwisp; a data dir moved elsewhere gets "read-only file system".',
    fix: {
      summary: 'Add the data dir to ReadWritePaths= in a drop-in, then reload and restart.',
      commands: ['sudo systemctl edit {unitName}', 'sudo systemctl daemon-reload', 'sudo systemctl restart {unitName}'],
    },
    // Source: runwisp-facts.md §8.2
    check: 'service-unit',
    patterns: ['open ${path}: read-only file system', 'mkdir ${path}: read-only file system'],
    generations: ALL,
  },
])
