/**
 * Executor's documented failures (executor-troubleshooting.md, executor-facts.md). Messages say what
 * was found; fixes are the documented ones with this machine's values filled in.
 */
import {defineSymptoms} from '../../catalogue.js'
import {troubleshooting} from './product-docs.js'

export const executorSymptoms = defineSymptoms([
  {
    id: 'executor/health-no-answer',
    target: 'executor',
    title: 'The daemon does not answer its health probe',
    message: 'Nothing usable came back from {url}: {error}.',
    severity: 'fail',
    cause:
      // Source: executor-facts §10
      'The daemon is down, hung, or still booting; the CLI gives its own probe the same 2-second budget. `executor daemon status` says "Daemon not running at …" when it has no record and nothing answers: the daemon was never started here, was stopped, or died and its records were removed (1.5.9 removes a dead pid\'s records silently).',
    fix: {
      summary: 'Check what the CLI sees, then start the daemon (or the service), in the foreground to read its error.',
      commands: [
        'executor daemon status',
        'executor service status',
        'curl -s {origin}/api/health',
        'executor daemon run --foreground --port {port} --hostname 127.0.0.1',
      ],
    },
    // Source: executor-troubleshooting.md › Quick diagnostics; executor-facts.md §4.1, §5 (daemon status), §10
    docs: troubleshooting(`Quick diagnostics`),
    check: 'daemon-health',
    patterns: ['Daemon not running at ${url}.', 'No daemon running at ${url}.'],
    keywords: ['health', 'not responding', 'daemon down', 'no response', 'not running', 'stopped'],
  },
  {
    id: 'executor/health-wrong-answer',
    target: 'executor',
    title: 'The server on the daemon port does not answer as Executor',
    message:
      'The server on {origin} answered {path} with {status} "{body}"{cut}; an Executor daemon of this generation answers {expected}.',
    severity: 'fail',
    cause:
      'Another program holds the port, or the daemon is broken. A 200 alone proves nothing: Executor 1.5.9 answers 200 to every unknown path.',
    fix: {
      summary: 'Find out which process holds the port; if it is not Executor, stop it or run Executor on another port.',
      commands: ["ss -ltnp 'sport = :{port}'", 'executor daemon status'],
    },
    // Source: executor-troubleshooting.md › Quick diagnostics; executor-facts.md §10
    docs: troubleshooting(`Quick diagnostics`),
    check: 'daemon-health',
  },
  {
    id: 'executor/health-not-executor',
    target: 'executor',
    title: 'The health probe is answered by a process that is not Executor',
    message:
      "{origin} answers, but port {port} is held by pid {pid} ({command}), which is not Executor; its answer says nothing about Executor's health.",
    severity: 'fail',
    cause: 'A squatter holds the daemon port. A server that answers "ok" to every request passes a naive health probe.',
    fix: {
      summary: 'Stop the squatter (it is not Executor), then start the daemon again.',
      commands: ["ss -ltnp 'sport = :{port}'", 'executor daemon restart'],
    },
    // Source: executor-troubleshooting.md › Daemon port conflicts
    docs: troubleshooting(`Daemon port conflicts`),
    check: 'daemon-health',
  },
  {
    id: 'executor/port-squatter',
    target: 'executor',
    title: "Executor's port is held by another program",
    message: 'Port {port} is held by pid {pid} ({command}), which is not Executor.',
    severity: 'fail',
    cause:
      'Another process bound the port first. On auto-start the CLI then falls back to a random port; `daemon run --foreground` and the service have no fallback and fail.',
    fix: {
      summary: 'Stop the process holding the port, or start the daemon on a free port and point clients at it.',
      commands: [
        "ss -ltnp 'sport = :{port}'",
        'lsof -nP -iTCP:{port} -sTCP:LISTEN',
        'executor daemon run --foreground --port <free port> --hostname 127.0.0.1',
      ],
    },
    // Source: executor-troubleshooting.md › Daemon port conflicts; executor-facts.md §3.2
    docs: troubleshooting(`Daemon port conflicts`),
    check: 'port-squatter',
    patterns: ['Port ${preferred} is in use. Starting daemon on available port ${selected} instead.'],
    keywords: ['port in use', 'port taken', 'address in use', 'another process', '4788', 'Auto-start chose a different port than expected'],
  },
  {
    id: 'executor/stale-manifest',
    target: 'executor',
    title: 'server.json names a daemon that is not running',
    message: '{path} names pid {pid}, which is not running: the daemon that wrote it died without cleaning up (SIGKILL, crash or reboot).',
    severity: 'fail',
    cause:
      'The manifest outlived its daemon. The CLI removes it only when it next probes; `executor daemon status` in 1.5.9 leaves server.json behind.',
    fix: {
      summary: 'Let the CLI clean up, then remove the leftover manifest if it is still there (it is only a discovery hint).',
      commands: ['executor daemon status', 'rm {path}'],
    },
    // Source: executor-troubleshooting.md › Unreachable local server (manifest + dead PID); executor-facts.md §2.1, §10
    docs: troubleshooting(`Unreachable local server (manifest + dead PID)`),
    check: 'stale-manifest',
  },
  {
    id: 'executor/manifest-pid-reused',
    target: 'executor',
    title: 'server.json names a pid now used by an unrelated process',
    message: '{path} names pid {pid}, but {why}.',
    severity: 'fail',
    // Source: executor-facts §2.1
    cause:
      'The daemon died and the pid was recycled. A supervised start would SIGTERM whatever now owns that pid, so this is dangerous as well as stale.',
    fix: {
      summary: 'Do not signal that pid: it is not Executor. Remove the stale manifest instead.',
      commands: ['rm {path}', 'executor daemon status'],
    },
    // Source: executor-troubleshooting.md › Startup locks and manifests; executor-facts.md §2.1
    docs: troubleshooting(`Startup locks and manifests`),
    check: 'stale-manifest',
  },
  {
    id: 'executor/manifest-invalid',
    target: 'executor',
    title: 'server.json is not a manifest Executor can use',
    message:
      '{path} cannot be used: {reason}. Executor ignores such a file (it does not delete it), so clients fall back to auto-starting a daemon.',
    severity: 'warn',
    cause: 'The file was truncated (crash, full disk) or written by something else.',
    fix: {
      summary: 'Move the file aside and let the next daemon start write a fresh one.',
      commands: ['mv {path} {path}.bad', 'executor daemon restart'],
    },
    // Source: executor-facts.md §2.1 (Parsing), §9.1
    check: 'stale-manifest',
  },
  {
    id: 'executor/stale-record',
    target: 'executor',
    title: 'A daemon record or pointer names a dead pid',
    message: '{path} records pid {pid}, which is not running.',
    severity: 'warn',
    cause: 'The daemon died without removing its record; `executor daemon status` reports "removed stale record" when it finds one.',
    fix: {
      summary: 'Let the CLI remove it.',
      commands: ['executor daemon status'],
    },
    // Source: executor-facts.md §2.4, §5 (daemon status), §9.1
    check: 'stale-manifest',
    patterns: [
      'Daemon not running at ${url} (removed stale record for pid ${pid}).',
      'No daemon running at ${url} (removed stale record for pid ${pid}).',
    ],
  },
  {
    id: 'executor/record-pid-reused',
    target: 'executor',
    title: 'A daemon record names a pid now used by an unrelated process',
    message: '{path} records pid {pid}, but {why}.',
    severity: 'fail',
    cause:
      'The daemon died and its pid was recycled; the CLI will think the daemon is alive ("ownership mismatch") and refuse to stop or replace it.',
    fix: {
      summary: 'Do not signal that pid. Remove the record.',
      commands: ['rm {path}', 'executor daemon status'],
    },
    // Source: executor-facts.md §2.4, §5 (daemon status)
    check: 'stale-manifest',
    patterns: [
      'Daemon reachable at ${url}, but recorded pid ${pid} is not alive (ownership mismatch).',
      'Daemon record for ${url} points to dead pid ${pid}, but endpoint is still reachable.',
      'Refusing to stop an unknown process without ownership metadata.',
    ],
    keywords: ['ownership mismatch', 'dead pid', 'recycled pid'],
  },
  {
    id: 'executor/record-invalid',
    target: 'executor',
    title: 'A daemon record or pointer is unreadable',
    message: '{path} cannot be used: {reason}. The CLI ignores it.',
    severity: 'warn',
    cause: 'Truncated or hand-edited state file.',
    fix: {summary: 'Move it aside; the CLI writes a new one at the next start.', commands: ['mv {path} {path}.bad']},
    // Source: executor-facts.md §2.4
    check: 'stale-manifest',
  },
  {
    id: 'executor/stale-start-lock',
    target: 'executor',
    title: 'A daemon start lock is left by a dead process',
    message: '{path} is held by pid {pid}, which is not running.',
    severity: 'warn',
    cause: 'A start was interrupted. The CLI reclaims a lock whose pid is dead at the next start, so this is debris rather than a blocker.',
    fix: {summary: 'Remove it, or let the next start reclaim it.', commands: ['rm {path}']},
    // Source: executor-troubleshooting.md › Startup locks and manifests; executor-facts.md §2.2
    docs: troubleshooting(`Startup locks and manifests`),
    check: 'stale-lock',
  },
  {
    id: 'executor/start-lock-blocked',
    target: 'executor',
    title: 'A daemon start lock blocks every start',
    message: '{path} blocks daemon starts: {why}.',
    severity: 'fail',
    cause: 'The CLI treats a lock as held while its pid is alive or unparseable. A recycled pid or a garbage pid keeps it "held" forever.',
    fix: {
      summary: 'Make sure no Executor start is running, then remove the lock.',
      commands: ['pgrep -af executor', 'rm {path}'],
    },
    // Source: executor-troubleshooting.md › Startup locks and manifests; executor-facts.md §2.2
    docs: troubleshooting(`Startup locks and manifests`),
    check: 'stale-lock',
    patterns: ['Another daemon startup is already in progress for ${host} (${scopeId}).'],
    keywords: ['startup in progress', 'lock', 'stuck starting'],
  },
  {
    id: 'executor/start-lock-stuck',
    target: 'executor',
    title: 'A daemon start has held its lock for too long',
    message: '{path} has been held by Executor pid {pid} for {ageS} s; a start normally takes under 15 s.',
    severity: 'warn',
    cause: 'A daemon start is wedged (for example a boot migration that never finishes, #1393).',
    fix: {
      summary: 'Read the daemon log, stop the stuck start, and run it in the foreground to see the error.',
      commands: ['executor daemon stop', 'executor daemon run --foreground --log-level trace'],
    },
    // Source: executor-facts.md §2.2, §4.2, §9.2 (#1393)
    check: 'stale-lock',
  },
  {
    id: 'executor/legacy-startup-lock',
    target: 'executor',
    title: 'A legacy startup.lock blocks or litters server-control',
    message: '{path} is {state}.',
    severity: 'fail',
    cause:
      'CLI and desktop up to about 1.5.22 take server-control/startup.lock before booting and refuse while its pid is alive. From 1.5.23 the file is unused debris.',
    fix: {
      summary: 'Confirm no Executor process is starting, then remove the lock.',
      commands: ['pgrep -af executor', 'rm {path}'],
    },
    // Source: executor-troubleshooting.md › Startup locks and manifests; executor-facts.md §1.3, §2.2
    docs: troubleshooting(`Startup locks and manifests`),
    check: 'stale-lock',
    patterns: ['Another local Executor server startup is already in progress'],
    keywords: ['startup.lock', 'startup in progress'],
  },
  {
    id: 'executor/registered-unreachable',
    target: 'executor',
    title: 'A registered, running daemon does not answer',
    message:
      'A local Executor {kind} is registered at {origin} (pid {pid}) but is not reachable: {error}. The CLI refuses to start another server against the same data directory.',
    severity: 'fail',
    cause: 'The daemon process is alive but hung or wedged, so startup is blocked to keep two processes off one database.',
    fix: {
      summary: 'Stop the registered process, check it is gone, then start in the foreground to see why it hung.',
      commands: ['executor daemon stop', 'executor daemon status', 'executor daemon run --foreground --port {port} --hostname 127.0.0.1'],
    },
    // Source: executor-troubleshooting.md › Unreachable local server (manifest + live PID + failed probe)
    docs: troubleshooting(`Unreachable local server (manifest + live PID + failed probe)`),
    check: 'unreachable-daemon',
    patterns: [
      'A local Executor ${kind} is registered at ${origin} (pid ${pid}) but is not reachable.',
      'Refusing to start another local server against the same data directory.',
      'Stop the existing process or remove the stale server-control manifest after verifying the process is not using the database.',
      'Daemon unreachable at ${url} (pid ${pid}).',
      'supervised daemon at ${origin} (pid ${pid}) did not answer the health probe; keeping its manifest because the process is still alive',
    ],
    keywords: ['registered but not reachable', 'hung daemon', 'unreachable'],
  },
  {
    id: 'executor/duplicate-daemon',
    target: 'executor',
    title: 'More than one Executor daemon runs against one data dir',
    message: '{count} Executor daemons are running against {dataDir}: {list}.',
    severity: 'fail',
    cause:
      'A port conflict or a retried start left extra daemons (#1393: zombie `executor daemon run` processes). Only one process may own a data directory.',
    fix: {
      summary: 'Stop the daemons, keep one.',
      commands: ['executor daemon stop', 'pgrep -af "executor daemon run"', 'executor daemon run'],
    },
    // Source: executor-troubleshooting.md › Daemon port conflicts (warning); executor-facts.md §9.2
    docs: troubleshooting(`Daemon port conflicts (warning)`),
    check: 'duplicate-daemon',
    patterns: [
      'A local Executor ${kind} is already running at ${origin} (pid ${pid}).',
      'Refusing to start another local daemon against the same database.',
      'It owns the current data directory: ${dataDir}',
    ],
    keywords: [
      'two daemons',
      'multiple daemons',
      'same database',
      'Refusing to start another local server against the same database',
      'zombie daemons',
    ],
  },
  {
    id: 'executor/unregistered-daemon',
    target: 'executor',
    title: 'An Executor daemon runs without a manifest',
    message: 'Executor pid {pid} listens on port {port}, but no server.json registers it{scope}.',
    severity: 'warn',
    cause:
      'A daemon started with a different EXECUTOR_DATA_DIR, or an orphan left by an earlier install or session (#1045, #1046): clients cannot discover it and may start a second one. On Windows `executor install` tries to stop orphan executor.exe listeners on the service port and gives up when it cannot. Executor 1.5.9 prints "no local ownership record" for any HTTP server on the port, Executor or not: check what holds the port before stopping it.',
    fix: {
      summary:
        'Stop it from the session that started it (or stop the process on the port), then start the daemon normally so it registers, or re-run the install.',
      commands: ['executor daemon status', "ss -ltnp 'sport = :{port}'", 'executor service install'],
    },
    // Source: executor-facts.md §5 (install), §9.1 (reachable-without-manifest), §9.2 (#1045)
    check: 'duplicate-daemon',
    patterns: [
      'Daemon reachable at ${url} (no local ownership record).',
      'Executor is reachable at ${url} but no daemon record exists.',
      'It may not be managed by this CLI process.',
      'Stop it from the terminal/session where it was started.',
      'Executor is already reachable at ${origin}, but no live server manifest exists for it.',
      'Tried to stop orphaned Executor pid(s): ${pids}',
      'No orphaned executor.exe listener could be stopped on port ${port}.',
      'Stop the process using that port and re-run the install.',
    ],
    keywords: ['no daemon record', 'no ownership record', 'not managed by this cli', 'orphan', 'orphaned listener'],
  },
  {
    id: 'executor/clock-skew',
    target: 'executor',
    title: "The daemon's clock differs from this machine's",
    message: "The daemon's Date header is {skewS} s {direction} this machine's clock (threshold {thresholdS} s).",
    severity: 'warn',
    cause:
      'The daemon runs under another clock (container, VM, faketime). OAuth state cookies live 10 minutes and token expiries are epoch seconds, so skew breaks logins.',
    fix: {summary: 'Sync both clocks (NTP), then restart the daemon.', commands: ['timedatectl status', 'executor daemon restart']},
    // Source: executor-troubleshooting.md › OAuth and login state behind proxies; executor-facts.md §10 (Date header)
    docs: troubleshooting(`OAuth and login state behind proxies`),
    check: 'clock-skew',
  },
  {
    id: 'executor/log-unknown-error',
    target: 'executor',
    title: 'The daemon log only says "Unknown error"',
    message: '{path} line {line}: "Unknown error" — the daemon failed without saying why.',
    severity: 'fail',
    cause:
      'Before 1.5.33 a failed boot could print only "Unknown error" (#1393, #1403); on Windows the v1→v2 migration EPERM/EBUSY surfaced the same way (1.5.24).',
    fix: {
      summary: 'Run the daemon in the foreground with trace logging to see the real error, and update to 1.5.33 or later.',
      commands: ['executor daemon run --foreground --log-level trace'],
    },
    // Source: executor-facts.md §5 (1.5.35-only), §9.2 (#1393)
    check: 'daemon-log-errors',
    patterns: ['Unknown error'],
    keywords: ['daemon.error.log only says'],
  },
  {
    id: 'executor/log-address-in-use',
    target: 'executor',
    title: 'The daemon could not bind its port',
    message: '{path} line {line}: the daemon could not bind its port ("{excerpt}").',
    severity: 'fail',
    cause: 'Another process held the port when the supervised daemon started; the service has no port fallback.',
    fix: {
      summary: 'Find the process holding the port and stop it, then restart the service.',
      commands: ["ss -ltnp 'sport = :{port}'", 'executor service restart'],
    },
    // Source: executor-troubleshooting.md › Daemon port conflicts; executor-facts.md §3.2
    docs: troubleshooting(`Daemon port conflicts`),
    check: 'daemon-log-errors',
    patterns: ['EADDRINUSE', 'address already in use'],
    keywords: ['bind failed', 'port already in use'],
  },
  {
    id: 'executor/log-data-dir-owned',
    target: 'executor',
    title: 'The data dir is owned by another process',
    message: '{path} line {line}: "{excerpt}".',
    severity: 'fail',
    cause:
      'Another live process holds data.db.owner-lock (a half-started or wedged daemon). Since #1406/#1618 the toolkit route can also trip it with only one process running.',
    fix: {
      summary: 'Find the process holding the ownership lock and stop it.',
      commands: ['lsof {dataDir}/data.db.owner-lock', 'executor daemon stop'],
    },
    // Source: executor-facts.md §5 (local server), §9.1 (6), §9.2
    check: 'daemon-log-errors',
    patterns: [
      'Executor data directory is already owned by another process: ${lockPath}',
      'Executor data directory is owned by another live process, but no reachable local server was advertised.',
      'already owned by another process',
      'Ownership lock: ${lockPath}',
      'Wait for the existing process to finish starting, or stop it and retry.',
    ],
    keywords: ['owner-lock', 'data directory owned', 'ownership lock'],
  },
  {
    id: 'executor/log-sqlite-open',
    target: 'executor',
    title: 'The daemon could not open its database',
    message: '{path} line {line}: "{excerpt}".',
    severity: 'fail',
    cause:
      'Another Executor process holds the database, or a boot migration failed; in 1.5.32 and 1.5.40–41 the toolkit route triggers it on its own (#1406, #1618).',
    fix: {
      summary: 'Close other Executor processes and retry with debug logging.',
      commands: ['pgrep -af executor', 'executor daemon run --foreground --log-level debug'],
    },
    // Source: executor-facts.md §5 (local server), §9.2 (#1406, #1618)
    check: 'daemon-log-errors',
    patterns: ['Failed to open local SQLite data. Close other Executor processes and retry, or run with --log-level debug for details.'],
    keywords: ['sqlite', 'database locked', 'toolkit 500'],
  },
  {
    id: 'executor/log-boot-migration',
    target: 'executor',
    title: 'A boot migration failed',
    message: '{path} line {line}: "{excerpt}".',
    severity: 'fail',
    cause:
      'The serving-state migration in 1.5.30/1.5.31 stops on an integration without a specHash and the daemon never binds (#1393); a corrupt v1→v2 journal stops the boot too.',
    fix: {
      summary: 'Update to 1.5.33 or later, which skips the bad entry; do not downgrade afterwards (#966).',
      commands: ['executor -v', 'executor daemon restart'],
    },
    // Source: executor-facts.md §5 (local server), §9.2 (#1393, #966)
    check: 'daemon-log-errors',
    patterns: [
      'Monolith ${integration} has no specHash; serving state cannot be migrated',
      'has no specHash; serving state cannot be migrated',
      'Migration journal has an unrecognized shape: ${path}',
    ],
    keywords: ['specHash', 'daemon hangs at startup', 'migration journal', 'starting executor forever'],
  },
])
