/**
 * Every other message Executor prints (executor-facts §5, executor-troubleshooting.md) as catalogue
 * entries, so that `doctor explain` can answer any of them. `symptoms.ts`, `symptoms-dev.ts` and
 * `symptoms-config.ts` hold the entries the checks report; this file holds the rest:
 * messages no check reports, so none names a `check` (an entry's `check` must be a check that
 * declares it). A message a check's entry carries is not repeated here: one entry per message.
 * `patterns` are verbatim, with `${name}` where the product interpolates a value.
 *
 * Where the fact sheet shows that the troubleshooting page's advice is wrong or outdated, the
 * entry gives the corrected advice and its `cause` says why.
 */
import {defineSymptoms, type SymptomEntry} from '../../catalogue.js'
import {EXECUTOR_UNITS, SYSTEMD_LINES} from '../systemd-lines.js'
import {DOCS_HOME, troubleshooting} from './product-docs.js'

type ExecutorEntry = Omit<SymptomEntry, 'target'>
const executor = (entries: ExecutorEntry[]): SymptomEntry[] => entries.map((entry) => ({target: 'executor', ...entry}))

/** Foreground re-run: what the CLI itself suggests when a start fails (executor-facts §5). */
const FOREGROUND = 'executor daemon run --foreground --port {port} --hostname 127.0.0.1'

export const executorMessages = defineSymptoms(
  executor([
    // --- apps/cli/src/daemon.ts -------------------------------------------------------------
    {
      id: 'executor/autostart-bad-base-url',
      title: 'The base URL cannot be used to auto-start a daemon',
      message: 'The CLI was pointed at {url}, which it cannot auto-start a daemon for.',
      severity: 'fail',
      // Source: executor-facts §4.2
      cause:
        'Auto-start parses the base URL as http://<loopback>:<port>; an https:// URL, a port outside 1–65535 or a typo in `--base-url`, a profile or the default profile reaches this parser.',
      fix: {
        summary: 'Point the CLI at a plain http:// loopback URL with a valid port, or drop the profile that names this URL.',
        commands: ['executor server list', 'executor call tools.list --base-url http://localhost:4788'],
      },
      // Source: executor-facts.md §5 (daemon.ts), §4.2
      docs: DOCS_HOME,
      patterns: [
        'Only http:// base URLs are supported for daemon auto-start: ${baseUrl}',
        'Invalid daemon port in base URL: ${baseUrl}',
        'Invalid base URL: ${error}',
      ],
      keywords: ['base url', 'https', 'invalid port', 'auto-start'],
    },
    {
      id: 'executor/dev-autostart-no-script',
      title: 'A dev checkout cannot auto-start a daemon without a script path',
      message: 'The dev CLI has no script path to re-run as a daemon.',
      severity: 'fail',
      cause:
        'In a dev checkout the CLI re-runs its own script (argv[1]) as the daemon; run through a wrapper that hides argv[1], it has nothing to spawn.',
      fix: {
        summary: 'Start the daemon yourself from the checkout, then run the command again.',
        commands: ['bun run apps/cli/src/main.ts daemon run --foreground'],
      },
      // Source: executor-facts.md §5 (daemon.ts); executor-troubleshooting.md › Unreachable local server
      docs: DOCS_HOME,
      patterns: ['Cannot auto-start daemon in dev mode without a CLI script path'],
      keywords: ['dev mode', 'script path'],
    },
    {
      id: 'executor/daemon-spawn-failed',
      title: 'The CLI could not spawn the daemon process',
      message: 'Spawning the daemon returned no pid.',
      severity: 'fail',
      // executor@1.5.9 re-runs its own binary (process.execPath) as `daemon run --foreground`: a binary
      // replaced or removed under a running CLI fails with Bun's "ENOENT … posix_spawn '<path>'" and a
      // stack, and leaves daemon-active-*.json.lock behind (provoked in test/explain/released-cli.test.ts).
      cause:
        'The operating system refused to start the daemon: the CLI re-runs its own binary, so a binary that was removed or replaced while the CLI ran (an npm update or reinstall in between) gives ENOENT; also a non-executable binary, missing sidecar files such as libsql.node, or a process limit. A failed spawn can leave the start lock (daemon-active-*.json.lock) behind.',
      fix: {
        summary:
          'Check that the binary and its sidecar files are in place (reinstall if not), clear a start lock the failed start left, and run the daemon in the foreground to see any other error.',
        commands: ['executor -v', 'ls -l "$(dirname "$(command -v executor)")"', 'doctor --only stale-lock --fix', FOREGROUND],
      },
      // Source: executor-facts.md §5 (daemon.ts), §9.1 (10)
      docs: DOCS_HOME,
      patterns: [
        'Failed to spawn daemon process: child pid was not assigned',
        'Failed to spawn daemon process: ${error}',
        "ENOENT: no such file or directory, posix_spawn '${path}'",
        'Failed to build daemon command: ${error}',
      ],
      keywords: ['spawn', 'child pid', 'posix_spawn', 'binary deleted'],
    },
    {
      id: 'executor/terminate-failed',
      title: 'The CLI could not signal a daemon process',
      message: 'Sending SIGTERM to pid {pid} failed.',
      severity: 'fail',
      // Source: executor-facts §2.1
      cause:
        'The process belongs to another user (EPERM) or is already gone (ESRCH); a recorded pid may also have been recycled by an unrelated process.',
      fix: {
        summary: 'Check which process holds that pid before doing anything; stop it as its owner only if it is Executor.',
        commands: ['ps -o pid,user,lstart,args -p {pid}', 'executor daemon status'],
      },
      // Source: executor-facts.md §5 (daemon.ts, daemon-state.ts), §2.1
      docs: DOCS_HOME,
      patterns: ['Failed to terminate daemon process ${pid}: ${error}', 'Failed to terminate pid ${pid}: ${error}'],
      keywords: ['sigterm', 'terminate', 'kill failed'],
    },
    {
      id: 'executor/port-probe-failed',
      title: 'The CLI could not find a port for the daemon',
      message: 'Choosing a daemon port on {host} failed.',
      severity: 'fail',
      // Source: executor-facts §3.2
      cause:
        'chooseDaemonPort binds the host to test the port: a hostname that is not an address of this machine cannot be bound, and an exhausted ephemeral range gives no fallback port.',
      fix: {
        summary: 'Use a loopback hostname (localhost or 127.0.0.1) and check what holds the preferred port.',
        commands: ["ss -ltnp 'sport = :4788'", 'executor daemon run --port 4788 --hostname 127.0.0.1'],
      },
      // Source: executor-facts.md §5 (daemon.ts), §3.2
      docs: DOCS_HOME,
      patterns: [
        'Failed probing port availability: ${error}',
        'Failed selecting ephemeral port: ${error}',
        'Could not find an available daemon port for host ${hostname}',
      ],
      keywords: ['ephemeral port', 'no available port'],
    },

    // --- apps/cli/src/main.ts: daemon, attach and connection ------------------------------------
    {
      id: 'executor/daemon-boot-timeout',
      title: 'An auto-started daemon did not come up within 15 s',
      message: 'The daemon started on {url} did not answer nor publish a manifest within 15 s.',
      severity: 'fail',
      cause:
        'The spawned daemon died or hung while booting (a failed boot migration, #1393; a database held by another process); an auto-started daemon logs nowhere, so the reason is only visible in the foreground.',
      fix: {
        summary: 'Run the daemon in the foreground, as the message says, to read the real error.',
        commands: [FOREGROUND, 'executor daemon run --foreground --log-level trace'],
      },
      // Source: executor-facts.md §5 (main.ts), §4.1, §9.2 (#1393)
      docs: DOCS_HOME,
      patterns: [
        'Daemon did not become reachable at ${startBaseUrl} and no reachable local server manifest appeared within 15000ms.',
        // executor@1.5.9's wording (no manifest wait in that generation).
        'Daemon did not become reachable at ${startBaseUrl} within 15000ms.',
        'Run in foreground to inspect logs: ${cliPrefix} daemon run --foreground --port ${port} --hostname ${host}',
      ],
      keywords: ['did not become reachable', 'boot timeout', 'daemon never starts'],
    },
    {
      id: 'executor/daemon-election-failed',
      title: 'Three attempts to elect or attach to a daemon failed',
      message: 'No daemon could be elected or attached to after 3 attempts.',
      severity: 'fail',
      // Source: executor-facts §4.2, §2.2
      cause:
        'Each attempt takes the per-scope start lock and waits for a manifest; a start lock held by a wedged or recycled pid, or a daemon that never publishes its manifest, makes every attempt lose.',
      fix: {
        summary: 'Stop any partial daemon, remove a start lock left by a dead process, and start in the foreground.',
        commands: ['pgrep -af "executor daemon run"', 'executor daemon stop', FOREGROUND],
      },
      // Source: executor-facts.md §5 (main.ts), §4.2
      docs: DOCS_HOME,
      patterns: [
        'Could not elect or attach to a local Executor daemon after 3 attempts.',
        'A daemon startup may be stuck. Stop any partial daemon and retry, or run it in the foreground:',
      ],
      keywords: ['elect', 'attach', 'startup stuck'],
    },
    {
      id: 'executor/foreground-server-running',
      title: 'A foreground start found another server already running',
      message: 'A reachable local server already owns this data directory.',
      severity: 'fail',
      cause:
        '`daemon run --foreground` and `web --foreground` (not supervised) refuse to start while another reachable manifest exists for the same data directory.',
      fix: {summary: 'Use the running server, or stop it first.', commands: ['executor daemon status', 'executor daemon stop']},
      // Source: executor-facts.md §5 (main.ts)
      docs: DOCS_HOME,
      patterns: ['Stop it before starting another local server.'],
      keywords: ['foreground', 'already running'],
    },
    {
      id: 'executor/autostart-non-local',
      title: 'The daemon is not reachable and its host is not local',
      message: '{url} is not reachable and the CLI only auto-starts daemons on localhost.',
      severity: 'fail',
      // Source: executor-facts §4.2
      cause:
        'Auto-start applies only to http:// targets on localhost, 127.0.0.1 or ::1; a non-loopback host must be started by hand, and a background daemon cannot bind a non-local host.',
      fix: {
        summary: 'Start the daemon on that host yourself (in the foreground for a non-local host), or point the CLI at localhost.',
        commands: [
          'executor daemon run --foreground --port {port} --hostname {host}',
          'executor daemon run --port 4788 --hostname 127.0.0.1',
        ],
      },
      // Source: executor-facts.md §5 (main.ts), §4.2
      docs: DOCS_HOME,
      patterns: [
        'Executor daemon is not reachable at ${baseUrl}.',
        'Auto-start is only supported for local hosts.',
        'Start it manually: ${cliPrefix} daemon run --port ${port} --hostname ${host}',
        'Cannot background a daemon for non-local host ${host}.',
        'Use --foreground or bind to localhost / 127.0.0.1.',
      ],
      keywords: ['non-local host', 'remote host', 'background'],
    },
    {
      id: 'executor/mcp-no-manifest',
      title: '`executor mcp` started a daemon that published no manifest',
      message: 'The daemon started for `executor mcp` did not publish a reachable manifest.',
      severity: 'fail',
      cause:
        'The daemon came up on the health probe but server.json is missing, unreadable or names an unreachable origin (a data dir mismatch, or a manifest write that failed).',
      fix: {
        summary: 'Check the manifest and what the CLI sees, then restart the daemon.',
        commands: ['executor daemon status', 'cat ~/.executor/server-control/server.json', 'executor daemon restart'],
      },
      // Source: executor-facts.md §5 (main.ts), §4.2 (#1196)
      docs: DOCS_HOME,
      patterns: ['The local Executor daemon started but did not advertise a reachable manifest.'],
      keywords: ['mcp', 'manifest', 'advertise'],
    },
    {
      id: 'executor/mcp-bridge-error',
      title: 'The MCP stdio bridge lost its connection',
      message: 'The `executor mcp` bridge reported an error.',
      severity: 'warn',
      cause:
        "The stdio↔HTTP bridge could not reach or write to the daemon's /mcp endpoint (daemon stopped or restarted, token rotated) or to the MCP client.",
      fix: {
        summary: 'Check the daemon is up, then restart the MCP client so it reconnects.',
        commands: ['executor daemon status', 'curl -s http://localhost:4788/api/health'],
      },
      // Source: executor-facts.md §5 (main.ts), §4.2
      docs: DOCS_HOME,
      patterns: ['Executor MCP bridge ${context}: ${message}'],
      keywords: ['mcp bridge', 'stdio transport', 'daemon transport'],
    },
    {
      id: 'executor/scope-daemon-running',
      title: 'A daemon for this scope is already running',
      message: 'A daemon already serves scope {scopeId}.',
      severity: 'warn',
      cause:
        "`daemon run --foreground` found this scope's pointer alive and reachable: one daemon per scope (working directory or EXECUTOR_SCOPE_DIR) and host.",
      fix: {summary: 'Use the running daemon, or stop it first.', commands: ['executor daemon status', 'executor daemon stop']},
      // Source: executor-facts.md §5 (main.ts), §1.2
      docs: DOCS_HOME,
      patterns: [
        'A daemon is already running for scope ${scopeId} on ${host}.',
        'Existing daemon: ${url} (pid ${pid}).',
        'Stop it first: ${cliPrefix} daemon stop',
      ],
      keywords: ['scope', 'already running'],
    },
    {
      id: 'executor/takeover-timeout',
      title: 'The running daemon did not stop within 10 s of a takeover',
      message: 'The existing daemon (pid {pid}) did not stop within 10 s.',
      severity: 'fail',
      // Source: executor-facts §2.1
      cause:
        'A supervised boot or an install SIGTERMs the current owner and waits 10 s; a hung daemon ignores it. The recorded pid may also have been recycled after a reboot, in which case the SIGTERM went to an unrelated process.',
      fix: {
        summary: 'Check what the pid is now; stop it by hand only if it is Executor, then re-run.',
        commands: ['ps -o pid,lstart,args -p {pid}', 'kill {pid}', 'executor daemon status'],
      },
      // Source: executor-facts.md §5 (main.ts), §2.1
      docs: DOCS_HOME,
      patterns: [
        'The existing daemon for scope ${scopeId} at ${url} (pid ${pid}) did not stop within 10s.',
        'The existing Executor ${kind} at ${origin} (pid ${pid}) did not stop within 10s.',
        'Stop it manually and re-run.',
      ],
      keywords: ['did not stop', 'takeover'],
    },
    {
      id: 'executor/attached-to-running',
      title: 'A start attached to the server that is already running',
      message: 'Executor is already running at {origin}; the command used it instead of starting another.',
      severity: 'warn',
      cause:
        'Not a failure: one server owns the data directory and the CLI attaches to it. It matters only when you expected a new server (another port, scope or version).',
      fix: {
        summary: 'Use the running server, or stop it and start the one you want.',
        commands: ['executor daemon status', 'executor daemon stop'],
      },
      // Source: executor-facts.md §5 (main.ts; web, install)
      docs: DOCS_HOME,
      patterns: [
        'Daemon already running at ${origin}.',
        'Executor is already running at ${origin}.',
        'Executor background service is already running at ${origin} (pid ${pid}).',
      ],
      keywords: ['already running'],
    },
    {
      id: 'executor/listening-non-loopback',
      title: 'The server listens on a non-loopback address',
      message: 'Executor listens on {host}, reachable from the network.',
      severity: 'warn',
      cause:
        'The foreground server was bound to a non-loopback host; Executor runs arbitrary commands, so anyone who can reach it and has the token can run them.',
      fix: {
        summary: 'Bind to 127.0.0.1 unless the network is trusted.',
        commands: ['executor daemon run --foreground --port 4788 --hostname 127.0.0.1'],
      },
      // Source: executor-facts.md §5 (main.ts)
      docs: DOCS_HOME,
      patterns: ['⚠  Listening on ${hostname}. Executor runs arbitrary commands — only expose on trusted networks.'],
      keywords: ['0.0.0.0', 'trusted networks', 'exposed'],
    },
    {
      id: 'executor/update-available',
      title: 'A newer Executor is available',
      message: 'Executor {current} is installed; {latest} is available.',
      severity: 'warn',
      cause:
        'The update check found a newer release. Several local failures are fixed in later versions (1.5.33 for #1393), and running an older version against data a newer one upgraded is a known crash (#966).',
      fix: {
        summary: 'Update, and never downgrade afterwards; restart the daemon or service on the new binary.',
        commands: ['executor -v', 'executor service install'],
      },
      // Source: executor-facts.md §5 (main.ts), §9.1 (9), §9.2 (#966)
      docs: DOCS_HOME,
      patterns: ['Update available: ${current} -> ${latest}', 'Run ${command} to update.'],
      generations: ['current'],
      keywords: ['update', 'new version', 'upgrade'],
    },

    // --- apps/cli/src/main.ts: daemon status / daemon stop -------------------------------------
    {
      id: 'executor/daemon-running',
      title: 'The daemon is running (a healthy status line)',
      message: 'The daemon runs at {url}.',
      severity: 'warn',
      // Source: executor-facts §10
      cause:
        'Not a failure: `executor daemon status` found its own record and the pid alive. (1.5.9 also says "reachable" for any HTTP server on the port, so a squatter can look like a daemon.)',
      fix: {
        summary: 'Nothing to fix. If clients still fail, run the doctor to check what answers on the port.',
        commands: ['doctor --only daemon-health,port-squatter'],
      },
      // Source: executor-facts.md §5 (daemon status), §10
      docs: DOCS_HOME,
      patterns: ['Daemon running at ${url} (pid ${pid}).'],
    },
    {
      id: 'executor/daemon-stop-timeout',
      title: 'The daemon did not stop within 10 s',
      message: 'The daemon at {url} did not stop within 10 s.',
      severity: 'fail',
      cause: 'The daemon ignored SIGTERM (hung in a migration or a blocking call).',
      fix: {
        summary: "Check the process is Executor's, then terminate it by hand.",
        commands: ['executor daemon status', 'pgrep -af "executor daemon run"', 'kill -9 <pid>'],
      },
      // Source: executor-facts.md §5 (daemon stop)
      docs: DOCS_HOME,
      patterns: ['Daemon at ${url} did not stop within 10000ms.', 'Try terminating the process manually.'],
      keywords: ['did not stop', 'stop hangs'],
    },

    // --- apps/cli/src/main.ts: web, open, profiles, install, service ---------------------------
    {
      id: 'executor/web-not-running',
      title: '`executor web` finds no running Executor',
      message: 'No reachable server manifest: `executor web` has nothing to open.',
      severity: 'fail',
      cause:
        'No server.json names a reachable server. Usually the service is not installed or not running; it is also what a registered-but-hung server looks like, and what #1045 showed on Windows, where an orphan executor.exe answered on 4789 without a manifest.',
      fix: {
        summary: 'Install and start the background service (or run a foreground server), then open the web UI.',
        commands: ['executor service status', 'executor daemon status', 'executor install', 'executor web'],
      },
      // Source: executor-troubleshooting.md › Recovery command reference (service install succeeded but web UI does not open); executor-facts.md §5 (web), §9.1 (1), §9.2 (#1045)
      docs: troubleshooting(`Recovery command reference (service install succeeded but web UI does not open)`),
      patterns: [
        'Executor is not running.',
        'Install and start the background service:',
        'Then open the web UI:',
        'For a temporary foreground server:',
      ],
      keywords: ['web ui does not open', 'executor web', 'not running', 'service install succeeded'],
    },
    {
      id: 'executor/web-scope-ignored',
      title: '`executor web --scope` is ignored without --foreground',
      message: '--scope {dir} was ignored: the running web app keeps its own scope.',
      severity: 'warn',
      // Source: executor-facts §1.2
      cause: 'Only a foreground server takes a scope; the background web app serves the scope it was started with.',
      fix: {summary: 'Serve that workspace with a foreground server.', commands: ['executor web --foreground --scope {dir}']},
      // Source: executor-facts.md §5 (web), §1.2
      docs: DOCS_HOME,
      patterns: [
        'Ignoring --scope ${dir}: it only applies with --foreground. The running web app uses the scope it was started with. Run `executor web --foreground --scope ${dir}` to serve that workspace.',
      ],
      keywords: ['scope ignored'],
    },
    {
      id: 'executor/profile-error',
      title: 'The --server / --base-url options or a profile name are invalid',
      message: 'The --server / --base-url options or a profile name are invalid.',
      severity: 'fail',
      // "No server profile named …" is executor/default-profile-missing's message (auth-env reports it).
      // Source: executor-facts §2.4
      cause:
        'Both --server and --base-url were given, or a profile name has characters other than letters, digits, dots, underscores and dashes.',
      fix: {
        summary: 'Use only one of --server and --base-url, and list the profiles to pick a valid name.',
        commands: ['executor server list'],
      },
      // Source: executor-facts.md §5 (profiles), §2.4, §4.2
      docs: DOCS_HOME,
      patterns: [
        'Use either --server or --base-url, not both.',
        'Server profile names may contain only letters, numbers, dots, underscores, and dashes.',
        // executor@1.5.9.
        'Invalid server URL: ${error}',
        'Failed to save "${name}".',
        'No server profiles configured.',
        'No default server profile is configured.',
        'Add one: ${cli} server add local ${url} --default',
      ],
      keywords: ['server profile', '--server'],
    },
    {
      id: 'executor/install-from-dev-checkout',
      title: 'A service install was run from a dev checkout',
      message: 'Service install needs the compiled executor binary.',
      severity: 'fail',
      // Source: executor-facts §8
      cause: 'The OS service runs the binary directly; a `bun run` dev CLI cannot be registered.',
      fix: {
        summary: 'In a dev checkout, run the daemon in the foreground; install the service from the released binary.',
        commands: ['bun run apps/cli/src/main.ts daemon run --foreground'],
      },
      // Source: executor-facts.md §5 (install), §8
      docs: DOCS_HOME,
      patterns: [
        '`${cmd}` requires the compiled `executor` binary so the OS can run it directly.',
        'In a dev checkout, run `${cliPrefix} daemon run --foreground` instead.',
      ],
      keywords: ['compiled binary', 'dev checkout install'],
    },
    {
      id: 'executor/boot-flag-ignored',
      title: '--boot has no effect outside Windows',
      message: '--boot was ignored on {platform}.',
      severity: 'warn',
      cause: 'Only the Windows Task Scheduler backend has a boot trigger; launchd and systemd --user install the login-based service.',
      fix: {
        summary: 'On Linux, enable lingering so the user service starts without a login.',
        commands: ['loginctl enable-linger "$USER"'],
      },
      // Source: executor-facts.md §5 (install), §8
      docs: DOCS_HOME,
      patterns: ['Note: --boot is a Windows-only option and has no effect on ${platform}; installing the standard login-based service.'],
    },
    {
      id: 'executor/service-install-timeout',
      title: 'The service was installed but never published its manifest',
      message: 'sh.executor.daemon did not publish a reachable manifest for {origin} within 45 s.',
      severity: 'fail',
      cause:
        // Source: executor-facts §5, §8
        "Install waits 45 s for a cli-daemon manifest with a matching origin and owner.version equal to this CLI's version. The daemon failed to boot (read daemon.error.log: a port held on 4789, a failed migration, #1393), or an older daemon still owns the data dir and publishes its own version, which the page does not mention.",
      fix: {
        summary: 'Read the service log, check which version owns server.json, stop an old daemon, and reinstall.',
        commands: [
          'tail -n 50 ~/.executor/logs/daemon.error.log',
          'executor service status',
          'cat ~/.executor/server-control/server.json',
          'executor service install',
        ],
      },
      // Source: executor-troubleshooting.md › Daemon port conflicts (OS service); executor-facts.md §5 (install), §8
      docs: troubleshooting(`Daemon port conflicts (OS service)`),
      patterns: [
        'Installed sh.executor.daemon but it did not publish a reachable server manifest for ${origin} within 45s.',
        'Check ~/.executor/logs/daemon.error.log and `${cliPrefix} service status`.',
      ],
      keywords: ['service install times out', 'waiting for manifest', '45s'],
    },
    {
      id: 'executor/service-not-running',
      title: 'The background service is not registered or not running',
      message: 'The Executor service is {state}.',
      severity: 'fail',
      cause:
        'The service was never installed, was uninstalled, or crashed and was not restarted (systemd gives up after repeated failures; on Linux without lingering it only runs while you are logged in).',
      fix: {
        summary: 'Read the service log, then install (or restart) the service.',
        commands: [
          'executor service status',
          'journalctl --user -u sh.executor.daemon.service -n 50',
          'tail -n 50 ~/.executor/logs/daemon.error.log',
          'systemctl --user reset-failed sh.executor.daemon.service',
          'executor service install',
        ],
      },
      // Source: executor-facts.md §5 (service status, service.ts), §8
      docs: DOCS_HOME,
      patterns: [
        'Registered: no',
        'Running:    no (pid ${pid})',
        'Running:    no',
        'No ExecutorDaemon scheduled task registered. Run `executor service install`.',
        'Scheduled task registered but not currently running.',
        // systemd's own lines about the unit (journalctl --user -u sh.executor.daemon.service).
        ...SYSTEMD_LINES.exited,
        ...SYSTEMD_LINES.startLimit,
      ],
      placeholderValues: {unit: EXECUTOR_UNITS},
      keywords: ['service not running', 'not registered', 'crash-looping', 'start-limit-hit'],
    },
    {
      id: 'executor/service-manager-failed',
      title: 'The OS service manager refused a command',
      message: '{tool} failed while managing the Executor service.',
      severity: 'fail',
      cause:
        'launchctl, systemctl --user or schtasks failed: the tool is missing, the user bus is not available (no XDG_RUNTIME_DIR in an ssh or container session), the job is already loaded ("Bootstrap failed: 5"), or Windows needs an elevated shell for --boot.',
      fix: {
        summary:
          'Run the failing tool by hand to read its error; on Linux make sure the user bus exists; on Windows use an Administrator shell or drop --boot.',
        commands: [
          'systemctl --user status sh.executor.daemon.service',
          'echo "$XDG_RUNTIME_DIR"',
          'executor service uninstall',
          'executor service install',
        ],
      },
      // Source: executor-facts.md §5 (service.ts), §8
      docs: DOCS_HOME,
      patterns: [
        'Failed to run `${cmd}`: ${code}',
        'launchctl bootstrap failed (exit ${code}): ${output}',
        'launchctl kickstart failed (exit ${code}): ${output}',
        'systemctl --user enable failed (exit ${code}): ${stderr}',
        'systemctl --user restart failed (exit ${code}): ${stderr}',
        'schtasks /create failed (exit ${code}): ${detail}.${hint}',
        '`--boot` registers a boot task, which needs an Administrator shell. Re-run elevated, or drop `--boot` to install a no-elevation login task.',
        'Run `executor service install` from an Administrator shell.',
        'Warning: could not remove the ExecutorDaemon scheduled task: ${error}',
        'Failed to restart ExecutorDaemon task (exit ${code}): ${error}',
        'Failed to inspect Executor listeners on port ${port}: ${error}',
      ],
      keywords: ['launchctl', 'systemctl', 'schtasks', 'service manager'],
    },
    {
      id: 'executor/service-unsupported-os',
      title: 'The OS service is not supported on this platform',
      message: 'OS service management is not supported on {platform}.',
      severity: 'fail',
      cause: 'Only launchd (macOS), systemd --user (Linux) and Task Scheduler (Windows) are implemented.',
      fix: {
        summary: 'Run the daemon yourself (under your own supervisor).',
        commands: ['executor daemon run --foreground --port 4789 --hostname 127.0.0.1'],
      },
      // Source: executor-facts.md §5 (service.ts), §8
      docs: DOCS_HOME,
      patterns: [
        'OS service install is not supported on ${platform}.',
        'OS service uninstall is not supported on ${platform}.',
        'OS service restart is not supported on ${platform}.',
        'OS service management is not supported on ${platform}.',
      ],
    },

    // --- 1.5.35-only 401 explanations (server-connection.ts) ---------------------------------

    // --- Local server (apps/local/src) -------------------------------------------------------
    {
      id: 'executor/v2-migration-ran',
      title: 'Executor migrated its data to v2',
      message: 'The v1→v2 data migration ran; the old database was moved aside.',
      severity: 'warn',
      cause:
        'Not a failure: the first boot of a v2 build migrates data.db and keeps the old one. An interrupted migration resumes from data.db.v1-v2-migration.json; do not delete those files, and do not downgrade afterwards (#966).',
      fix: {
        summary: 'Keep the backup until the new version works; never run an older Executor on this data.',
        commands: ['ls -l ~/.executor'],
      },
      // Source: executor-facts.md §5 (local server), §1.3, §9.1 (11)
      docs: DOCS_HOME,
      patterns: [
        '[executor] Migrated local Executor data to v2; moved old DB to ${backupPath}.',
        '[executor] local v2 migration: ${warning}',
      ],
      keywords: ['migrated', 'v2 migration'],
    },
    {
      id: 'executor/duplicate-plugin',
      title: 'A plugin is configured twice',
      message: 'Plugin {pkg} is in both executor.config.ts and executor.jsonc.',
      severity: 'warn',
      cause: 'The static entry wins and the executor.jsonc entry is ignored, so edits there have no effect.',
      fix: {summary: 'Remove the plugin from one of the two files.', commands: ['grep -n "{pkg}" executor.config.ts executor.jsonc']},
      // Source: executor-facts.md §5 (local server)
      docs: DOCS_HOME,
      patterns: [
        '[executor] plugin "${pkg}" appears in both executor.config.ts and executor.jsonc#plugins. The static entry wins; the jsonc entry is ignored.',
      ],
    },
    {
      id: 'executor/stdio-reconcile-failed',
      title: 'Stdio MCP servers could not be reconciled',
      message: 'Reconciling stdio MCP connections failed.',
      severity: 'warn',
      cause: 'The daemon could not restart the stdio MCP servers it had; they show no tools until re-added.',
      fix: {summary: 'Re-add the stdio servers that show no tools, then restart the daemon.', commands: ['executor daemon restart']},
      // Source: executor-facts.md §5 (local server)
      docs: DOCS_HOME,
      patterns: ['[executor] stdio connection reconcile failed; existing stdio servers may show no tools until re-added'],
      keywords: ['no tools', 'stdio servers'],
    },
    {
      id: 'executor/vite-dev-child',
      title: "The daemon's Vite dev child failed (EXECUTOR_DEV=1)",
      message: 'The vite dev child of the daemon did not start.',
      severity: 'fail',
      cause:
        'With EXECUTOR_DEV=1 the daemon serves the UI from a vite dev server; a missing bootstrap build or a busy port stops it (the "internal vite dev child" lines themselves are only progress).',
      fix: {
        summary: 'Run bootstrap, free the Vite port, or unset EXECUTOR_DEV.',
        commands: ['bun run bootstrap', "ss -ltnp 'sport = :5173'", 'unset EXECUTOR_DEV'],
      },
      // Source: executor-facts.md §5 (local server), §7.3
      docs: DOCS_HOME,
      patterns: [
        'vite dev exited with code ${code} before becoming ready',
        'vite dev did not become reachable on ${url} within 30s',
        '[executor] EXECUTOR_DEV=1 — spawning vite dev child for live UI',
        "[executor] (internal) vite dev child at ${url} — don't open this",
      ],
      keywords: ['EXECUTOR_DEV', 'vite dev child'],
    },
    {
      id: 'executor/mcp-handler-error',
      title: "The daemon's MCP handler failed a request",
      message: 'An /mcp request failed inside the daemon.',
      severity: 'warn',
      cause:
        'An error in the daemon\'s MCP endpoint; on toolkit routes in 1.5.32 and 1.5.40–41 this is the owner-lock bug (#1406, #1618) that also prints "Failed to open local SQLite data".',
      fix: {
        summary: 'Read the error after the prefix; update Executor if it is the SQLite open failure.',
        commands: ['executor -v', 'executor daemon run --foreground --log-level debug'],
      },
      // Source: executor-facts.md §5 (local server), §9.2 (#1406, #1618)
      docs: DOCS_HOME,
      patterns: ['[mcp] handleRequest error: ${error}'],
    },

    // --- Self-host and public origin ---------------------------------------------------------
    {
      id: 'executor/generated-secret',
      title: 'Self-host generated a secret key on first start',
      message: 'A secret was generated at {keyPath}.',
      severity: 'warn',
      cause:
        'EXECUTOR_SECRET_KEY or BETTER_AUTH_SECRET was not set, so the server created one in the data dir (mode 0600). Losing that file makes stored secrets unreadable or logs everyone out.',
      fix: {summary: 'Back the key file up, or set the variable explicitly for reproducible deploys.', commands: ['ls -l {keyPath}']},
      // Source: executor-facts.md §5 (self-host), §9.1 (14)
      docs: DOCS_HOME,
      patterns: [
        '[executor] generated a secret-encryption key at ${keyPath}. Set EXECUTOR_SECRET_KEY',
        '[executor] generated a session secret at ${keyPath}. Set BETTER_AUTH_SECRET',
      ],
      keywords: ['secret key', 'session secret'],
    },

    // --- Desktop (apps/desktop/src/main) -----------------------------------------------------
    {
      id: 'executor/desktop-port-in-use',
      title: "The desktop app's port is in use",
      message: 'The desktop sidecar could not bind port {port}.',
      severity: 'fail',
      cause: 'Another process (often a CLI daemon or an old service on 4789) holds the port the desktop settings name.',
      fix: {
        summary: 'Stop the process on the port, or pick another port in Settings.',
        commands: ["ss -ltnp 'sport = :{port}'", 'executor daemon status'],
      },
      // Source: executor-facts.md §5 (desktop), §3.1
      docs: DOCS_HOME,
      patterns: ['Port ${port} is already in use. Pick another in Settings.'],
      keywords: ['desktop', 'settings', 'port in use'],
    },
    {
      id: 'executor/desktop-sidecar-exited',
      title: "The desktop app's server exited",
      message: 'The desktop sidecar exited.',
      severity: 'fail',
      cause:
        'The bundled server crashed during start or later: a database left in WAL mode (#858, SQLITE_BUSY), a downgrade against upgraded data (#966), or a failed restart of the supervised daemon.',
      fix: {
        summary:
          'Read the desktop log, update (never downgrade), then use "Reset data" if it still fails (it moves data to ~/.executor/backups, restorable).',
        commands: ['tail -n 100 ~/Library/Logs/Executor/main.log', 'ls ~/.executor/backups'],
      },
      // Source: executor-facts.md §5 (desktop), §9.2 (#858, #966)
      docs: DOCS_HOME,
      patterns: [
        'Sidecar exited before ready (code=${code} signal=${signal}). Stderr:',
        'Sidecar exited unexpectedly (code=${code} signal=${signal})',
        'Supervised daemon failed to restart — see Settings',
        'Failed to prepare local SQLite data',
      ],
      keywords: ['desktop crashes', 'app quits on launch', 'sidecar'],
    },
    {
      id: 'executor/desktop-client-bundle-missing',
      title: 'The dev desktop app has no built web UI',
      message: 'The desktop client bundle is missing.',
      severity: 'fail',
      cause: "A dev desktop run needs the local app's built client bundle.",
      fix: {summary: 'Build it, then launch the desktop again.', commands: ['bun run --filter @executor-js/local build']},
      // Source: executor-facts.md §5 (desktop)
      docs: DOCS_HOME,
      patterns: [
        'Executor client bundle not found at ${clientDir}. Run `bun run --filter @executor-js/local build` before launching desktop.',
      ],
    },

    // --- Dev / e2e / scripts -----------------------------------------------------------------
    {
      id: 'executor/patched-deps-failed',
      title: 'The patched dependency check failed',
      message: 'Patched dependencies are not applied.',
      severity: 'fail',
      cause:
        'The installed agents package lacks the post-patch sentinels, or a patch file named in patchedDependencies is missing (a stale bun cache).',
      fix: {
        summary: 'Remove the installed copy and reinstall, as the check prints.',
        commands: ['rm -rf node_modules/.bun/agents@* node_modules/agents', 'bun install', 'bun pm cache rm'],
      },
      // Source: executor-facts.md §5 (dev), §7.3
      docs: DOCS_HOME,
      generations: ['current'],
      patterns: [
        'Patched-dependency check FAILED (${n} problem(s)):',
        'installed dist is missing post-patch sentinel(s): ${sentinels}',
        'patchedDependencies references a missing patch file: ${path}',
      ],
      keywords: ['patched dependency', 'sentinel'],
    },
    {
      id: 'executor/e2e-boot-failed',
      title: 'An e2e target failed to boot',
      message: 'The e2e {target} boot failed.',
      severity: 'fail',
      cause:
        "A command of the boot exited or the app never answered: most often a squatted port in the checkout's block (a leaked dev server) or a missing bootstrap build.",
      fix: {
        summary: "Read the log it names, check this checkout's port block and leaked dev servers, then boot again.",
        commands: ['cd e2e && bun run ports', 'bun run reap', 'cd e2e && bun run cli status'],
      },
      // Source: executor-troubleshooting.md › E2e and multi-checkout port collisions; executor-facts.md §5 (dev), §3.4
      docs: troubleshooting(`E2e and multi-checkout port collisions`),
      patterns: [
        '[e2e:${label}] ${cmd} exited with ${code}',
        'timed out waiting for ${url}: ${err}',
        '${target} boot failed: ${error}',
        'runner died during boot — log: ${log}',
        'timed out booting ${target} — log: ${log}',
      ],
      keywords: ['e2e boot', 'boot failed'],
    },
    {
      id: 'executor/e2e-instance-state',
      title: 'e2e instance status lines',
      message: 'The e2e CLI reported the state of its instances.',
      severity: 'warn',
      cause:
        'Status of long-lived e2e instances recorded in e2e/.dev/<target>.json: these mark deliberate instances, which are not leaks; check them before reaping.',
      fix: {
        summary: 'Bring the target up if you need it, or tear it down cleanly.',
        commands: ['cd e2e && bun run cli status', 'cd e2e && bun run cli down <target>'],
      },
      // Source: executor-troubleshooting.md › E2e and multi-checkout port collisions; executor-facts.md §5 (dev), §3.4
      docs: troubleshooting(`E2e and multi-checkout port collisions`),
      patterns: [
        '${target} is not up — run: bun scripts/cli.ts up ${target}',
        '${target} already up (runner ${pid}):',
        'booting ${target} (runner ${pid}, log: ${log})',
        'no instances',
        '${target}: nothing recorded',
        '${target}: down',
      ],
      keywords: ['e2e instance', 'not up'],
    },
    {
      id: 'executor/e2e-viewer-port',
      title: "The e2e viewer's port is busy",
      message: 'The e2e viewer could not use port {port}.',
      severity: 'warn',
      cause: 'The viewer prefers 8901 and walks up to +50; PORT= pins it and fails when busy.',
      fix: {summary: 'Free the port, or pick another with PORT=.', commands: ["ss -ltnp 'sport = :8901'"]},
      // Source: executor-facts.md §5 (dev), §3.1
      docs: DOCS_HOME,
      patterns: [
        'e2e viewer: port ${p} in use, trying ${next}…',
        'e2e viewer: PORT=${p} is in use — free it or pick another port.',
        'e2e viewer: no free port found in ${a}..${b}.',
      ],
    },

    // --- Progress and success lines ------------------------------------------------------------
    // --- executor@1.5.9, the released CLI (executor-facts §10) ----------------------------------------
    // Messages of the binary npm installs that the newer source no longer prints, read out of the
    // binary and provoked for real (test/explain/released-cli.test.ts).
    {
      id: 'executor/foreground-port-in-use',
      title: 'The foreground daemon or web server found its port taken',
      message: '`executor daemon run --foreground` (or `executor web`) could not bind port {port}.',
      severity: 'fail',
      // Bun's server prints this (with a stack under --log-level debug); executor@1.5.9 then keeps
      // running without serving anything (observed).
      cause:
        'In the foreground the server binds exactly the port it was given: only auto-start falls back to another port. Another process (often an earlier daemon, or any server) holds the port. Executor 1.5.9 then does not exit: the process stays, serving nothing, until you stop it.',
      fix: {
        summary:
          'Stop the failed process (Ctrl+C), find what holds the port and stop it if it is a leftover, or start on a free port and point clients at it.',
        commands: [
          "ss -ltnp 'sport = :{port}'",
          'executor daemon status',
          'executor daemon run --foreground --port <free port> --hostname 127.0.0.1',
        ],
      },
      // Source: executor-troubleshooting.md › Daemon port conflicts; executor-facts.md §10
      docs: troubleshooting(`Daemon port conflicts`),
      patterns: ['Failed to start server. Is port ${port} in use?'],
      keywords: ['port in use', 'foreground', 'address in use', 'port taken'],
    },
    {
      id: 'executor/server-start-failed',
      title: 'The local server did not start',
      message: 'Executor could not start its local server.',
      severity: 'fail',
      cause:
        'Starting the local HTTP server returned nothing to serve (executor@1.5.9 reports it this way after a failed start); the underlying error is printed above it or only at a higher log level.',
      fix: {
        summary: 'Run it in the foreground with debug logging to read the underlying error.',
        commands: ['executor daemon run --foreground --log-level debug', 'doctor'],
      },
      // Source: executor-facts.md §10
      docs: DOCS_HOME,
      patterns: [
        'Failed to start local Executor daemon.',
        'Failed to start local Executor server.',
        'Failed to start local Executor MCP server.',
      ],
      keywords: ['server did not start'],
    },
    {
      id: 'executor/remote-server-unreachable',
      title: 'The CLI targets a server it will not auto-start, and nothing answers there',
      message: 'Nothing answers at {origin}, and the CLI does not auto-start a daemon for it.',
      severity: 'fail',
      cause:
        'Executor 1.5.9 auto-starts a daemon only for a plain http:// loopback URL without stored auth; for an https:// or remote URL, a profile with auth, or a password-protected server it only probes, and prints these hints when the probe fails. A typo in --base-url or a default profile pointing elsewhere gives the same message.',
      fix: {
        summary:
          'Check which server the CLI targets; for the local daemon use http://localhost:4788 (or start it yourself); for a hosted or protected server, check it is up and set the credential it expects.',
        commands: ['executor server list', 'executor daemon run', 'curl -sS -o /dev/null -w "%{http_code}\\n" {origin}'],
      },
      // Source: executor-troubleshooting.md › Remote or authenticated targets; executor-facts.md §4.3, §10
      docs: troubleshooting(`Remote or authenticated targets`),
      patterns: [
        // The first line is also the newer source's (executor/env-token-set); the hints below are 1.5.9's.
        'Executor server is not reachable at ${origin}.',
        'For hosted Executor, set EXECUTOR_API_KEY to a bearer API key.',
        'For password-protected local or desktop servers, set EXECUTOR_AUTH_PASSWORD.',
        'For unauthenticated local Executor, use an http://localhost or http://127.0.0.1 server URL.',
      ],
      keywords: ['EXECUTOR_AUTH_PASSWORD', 'hosted executor', 'server url'],
    },
    {
      id: 'executor/non-loopback-without-auth',
      title: 'The server refused a non-loopback address without auth',
      message: 'Executor refused to listen on {host} without an auth token or password.',
      severity: 'fail',
      cause: 'Executor runs arbitrary commands, so it listens beyond loopback only when requests need a token or password.',
      fix: {
        summary: 'Bind to 127.0.0.1, or give a token (or password) when the network must reach it.',
        commands: [
          'executor daemon run --foreground --port 4788 --hostname 127.0.0.1',
          'executor daemon run --foreground --hostname 0.0.0.0 --auth-token "$(openssl rand -hex 24)"',
        ],
      },
      // Source: executor-facts.md §4.3, §10
      docs: DOCS_HOME,
      patterns: ['Refusing to listen on a non-loopback host without an auth token or password.'],
      keywords: ['non-loopback', 'auth token', '0.0.0.0'],
    },
    {
      id: 'executor/keychain-unavailable',
      title: 'No OS keychain: the keychain secret provider is skipped',
      message: 'Executor found no usable OS keychain and did not register the keychain provider.',
      severity: 'warn',
      cause:
        'At startup Executor writes and deletes a probe secret in the OS keychain (Secret Service over D-Bus on Linux); on a headless machine, a container or a locked keyring that fails and the keychain provider is left out. Everything else works; only secrets stored in the keychain are unavailable.',
      fix: {
        summary:
          'Harmless unless you store secrets in the keychain: then run Executor in a session with an unlocked Secret Service keyring (gnome-keyring, KeePassXC), or keep those secrets in the file store.',
        commands: ['busctl --user list | grep -i secrets'],
      },
      // Source: executor-facts.md §10
      docs: DOCS_HOME,
      patterns: ['keychain unavailable, skipping provider registration'],
      keywords: ['keychain', 'keyring', 'secret service'],
    },
    {
      id: 'executor/request-handler-error',
      title: 'The daemon failed a request with an internal error',
      message: 'A request failed inside the daemon (HTTP 500).',
      severity: 'warn',
      cause:
        "An unhandled error in one of the daemon's request handlers: the client got 500 Internal Server Error. The error after the prefix says which.",
      fix: {
        summary: 'Read the error after the prefix; reproduce in the foreground with debug logging and report it with a bundle.',
        commands: ['executor daemon run --foreground --log-level debug', 'doctor bundle'],
      },
      // Source: executor-facts.md §10
      docs: DOCS_HOME,
      patterns: [
        'Server error: ${error}',
        'StdioServerTransport already started! If using Server class, note that connect() calls start() automatically.',
      ],
      keywords: ['internal server error', '500'],
    },
    {
      id: 'executor/cli-usage-error',
      title: 'The command line was not understood',
      message: 'The executor command line was not understood.',
      severity: 'fail',
      cause:
        "A flag without its value, a tool path with characters other than letters, digits, `.`, `_` and `-`, tool arguments that are not one JSON object, or flags where `executor call` expects `<path...> '{json}'`.",
      fix: {
        summary: 'Browse the tool paths and the expected arguments with --help, then pass the arguments as one JSON object.',
        commands: ['executor call --help', 'executor tools --help', `executor call <path...> '{"key":"value"}'`],
      },
      // Source: executor-facts.md §10
      docs: DOCS_HOME,
      patterns: [
        'Missing value for --${flag}',
        'Invalid --${flag} value: ${value}',
        'Tool not found: ${toolPath}',
        'Invalid JSON arguments: ${error}',
        'Invalid --content JSON: ${error}',
        'Tool arguments must decode to a JSON object',
        "Tool invocation no longer accepts flags. Use: executor call <path...> '{...json...}'",
        "Tool path segments must contain only letters, numbers, '.', '_' or '-'",
        'Tool path must include at least one segment',
        'Invalid tool path: ${error}',
        'Invalid tool invocation: path parts were not parsed as an array',
        'Unknown option for call help: ${option}',
      ],
      keywords: ['tool path', 'json arguments', 'executor call'],
    },
    {
      id: 'executor/empty-data-dir-env',
      title: 'EXECUTOR_DATA_DIR is set but empty',
      message: 'EXECUTOR_DATA_DIR is set to an empty string, so Executor cannot create its data directory.',
      severity: 'fail',
      // Provoked in test/explain/released-cli.test.ts: 1.5.9 takes `EXECUTOR_DATA_DIR ?? ~/.executor`,
      // so an empty value is used as the path and mkdir('') fails.
      cause:
        'Executor 1.5.9 uses EXECUTOR_DATA_DIR whenever it is set, even to an empty string (an `export EXECUTOR_DATA_DIR=` in a profile, an empty variable in a unit or compose file): creating "" fails, `daemon run` prints this and hangs, and auto-start fails.',
      fix: {
        summary:
          'Unset the variable (Executor then uses ~/.executor) or set it to an absolute path, and remove the empty assignment from the file that sets it.',
        commands: ['unset EXECUTOR_DATA_DIR', 'grep -rn "EXECUTOR_DATA_DIR" ~/.profile ~/.bashrc ~/.zshrc 2>/dev/null'],
      },
      // Source: executor-facts.md §1.1, §10
      docs: DOCS_HOME,
      patterns: ['NotFound: FileSystem.makeDirectory ()', 'ENOENT: no such file or directory, mkdir'],
      keywords: ['EXECUTOR_DATA_DIR empty', 'mkdir'],
    },
    {
      id: 'executor/progress-line',
      title: 'A progress or success line, not an error',
      message: 'Executor reported normal progress.',
      // No check reports this entry; it exists so that `explain` can say a pasted line is normal.
      severity: 'warn',
      cause: 'Executor prints these while it starts, stops, installs or serves normally. They are not failures.',
      fix: {
        summary: 'Nothing to fix in this line. If something still fails, paste the error line, or run the doctor.',
        commands: ['doctor'],
      },
      // Source: executor-facts.md §5
      docs: DOCS_HOME,
      patterns: [
        'Starting daemon on ${host}:${port}...',
        'Daemon ready on ${url}',
        'Executor is ready.',
        'Opening ${origin}/?_token=${token}',
        'Stopping daemon at ${url} (pid ${pid})...',
        'Daemon stopped at ${url}.',
        'Replacing running Executor ${kind} at ${origin} (pid ${pid})...',
        'Installing Executor as a background service...',
        'Service manager: ${manager}',
        'Writing the service definition and starting Executor...',
        'Waiting for Executor to publish its service manifest at ${origin}...',
        'Executor is now running as a background service at ${origin}.',
        'It keeps serving after you quit the app and restarts on login.',
        'Stopped running Executor daemon at ${origin}',
        'Stopped orphaned Executor daemon pid(s): ${pids}',
        'Executor background service uninstalled.',
        'Executor background service restarted.',
        'Executor listening on http://localhost:${port}/?_token=${token}',
        'e2e viewer → http://localhost:${port}/',
        'Open:    ${baseUrl}/?_token=${token}',
        'MCP:     ${baseUrl}/mcp',
        'OpenAPI: ${baseUrl}/api/docs',
        'Serving:    ${origin} (${kind}, pid ${pid})',
        'Registered: yes',
        'Running:    yes (pid ${pid})',
        'Running:    yes',
        // executor@1.5.9's own lines.
        'Daemon restarted at ${url}.',
        'Web:     ${url}',
        'Press Ctrl+C to stop.',
        'Scope: ${scopeDir}',
        'Token authentication is enabled.',
        'Basic authentication is enabled.',
      ],
    },
  ]),
)
