/**
 * Configuration that breaks a working Executor install: exported credentials and URLs, token
 * drift, secrets readable by others or behind symlinks, the self-host public origin, and the OS
 * service definition (executor-facts §1.4, §2.3, §4.3, §4.4, §8, §9.1; executor-troubleshooting.md).
 * No message ever carries a secret value: only which variable or file, and where it came from.
 */
import {EXECUTOR_UNITS, SYSTEMD_LINES} from '../systemd-lines.js'
import {defineSymptoms} from '../../catalogue.js'
import {troubleshooting} from './product-docs.js'

export const executorConfigSymptoms = defineSymptoms([
  {
    id: 'executor/env-token-set',
    target: 'executor',
    title: 'A bearer token is exported, so the CLI never auto-starts the daemon',
    message:
      '{variable} is set ({source}). The CLI sends it as a bearer token on the default connection, which disables local daemon auto-start: with no daemon running, commands fail with a raw connection error.{detail}',
    severity: 'warn',
    cause:
      // Source: executor-facts §4.3; §4.1
      '`readCliServerAuth` takes `EXECUTOR_API_KEY ?? EXECUTOR_AUTH_TOKEN`; a connection with auth is never auto-startable, and the health probe is skipped. When that server is down the CLI prints "Executor server is not reachable at …" and advises setting EXECUTOR_API_KEY or EXECUTOR_AUTH_TOKEN: right for a hosted or remote server, but for the local daemon it is backwards, since an exported token is what disables auto-start, so a stopped local daemon stays stopped. A self-host server answers /api/health with JSON, which the CLI\'s "ok" probe also reports as unreachable.',
    fix: {
      summary:
        'For the local daemon, unset the variable (and remove it from the file that exports it) so the CLI auto-starts it, or start it yourself; keep it only when you deliberately target a hosted or remote server, and then check that server is up.',
      commands: ['unset {variable}', '{removeFrom}', 'executor daemon run'],
    },
    // Source: executor-troubleshooting.md › Symptom index, Remote or authenticated targets; executor-facts.md §4.1, §4.2, §4.3, §9.1 (7)
    docs: troubleshooting(`Symptom index, Remote or authenticated targets`),
    check: 'auth-env',
    patterns: [
      'Executor server is not reachable at ${origin}.',
      'For hosted Executor, set EXECUTOR_API_KEY to a bearer API key.',
      "For local or desktop servers, set EXECUTOR_AUTH_TOKEN to the server's bearer token.",
    ],
    keywords: ['auto-start', 'EXECUTOR_AUTH_TOKEN', 'EXECUTOR_API_KEY', 'server not reachable', 'remote server', 'hosted'],
  },
  {
    id: 'executor/env-token-mismatch',
    target: 'executor',
    title: "The server rejects the CLI's credentials (401): an exported token disagrees with the server's",
    message: '{variable} is set ({source}) but does not match {against}: every request the CLI sends with it gets 401.{detail}',
    severity: 'fail',
    cause:
      // Source: executor-facts §4.3
      'The exported EXECUTOR_AUTH_TOKEN / EXECUTOR_API_KEY was copied before a `server rotate-token` (or a fresh auth.json), or belongs to another server; the local server only accepts the token in its auth.json. For a remote server the same 401 means no credentials are stored for it or the OAuth session ended. 1.5.35 words it as a sign-in problem; 1.5.27 printed `Decode error (401 GET …)`.',
    fix: {
      summary:
        'For the local daemon, unset the stale variable (the CLI then reads the manifest) or export the current token; for a remote server, sign in again.',
      commands: ['unset {variable}', '{removeFrom}', 'executor login'],
    },
    // Source: executor-facts.md §4.3, §2.3, §5 (1.5.35-only), §9.2 (1.5.30 #1371)
    check: 'auth-env',
    patterns: [
      '${origin} rejected the stored ${kind} credentials (401). If the key came from EXECUTOR_API_KEY or EXECUTOR_AUTH_TOKEN, check that value.',
      '${origin} requires authentication, and no credentials are stored for it.',
      "You're signed out of ${origin}.",
      'Run `${login}` to sign in again.',
      'Run `${login}` to sign in.',
      'Decode error (401 GET ${url})',
    ],
    keywords: ['401', 'unauthorized', 'rejected credentials', 'signed out', 'credentials rejected', 'sign in'],
  },
  {
    id: 'executor/env-web-base-url',
    target: 'executor',
    title: 'EXECUTOR_WEB_BASE_URL is exported globally',
    message:
      "EXECUTOR_WEB_BASE_URL={value} is set ({source}). Daemons the CLI auto-starts inherit it, so their OAuth redirects and connect links point at {value} instead of the daemon's own origin.",
    severity: 'warn',
    cause:
      'The CLI only sets EXECUTOR_WEB_BASE_URL when it is undefined, and `spawnDetached` passes the whole environment to the daemon; a value exported for self-host work leaks into local daemons.',
    fix: {
      summary: 'Set it only for the self-host server process, not in your shell.',
      commands: ['unset EXECUTOR_WEB_BASE_URL', '{removeFrom}', 'executor daemon restart'],
    },
    // Source: executor-facts.md §4.3, §9.1 (7)
    check: 'auth-env',
    keywords: ['oauth redirect', 'wrong origin', 'EXECUTOR_WEB_BASE_URL'],
  },
  {
    id: 'executor/env-relative-data-dir',
    target: 'executor',
    title: 'EXECUTOR_DATA_DIR is a relative path',
    message:
      'EXECUTOR_DATA_DIR={raw} is relative ({source}): daemon records and profiles land under whatever directory each command runs in, while the manifest resolves it once, so commands from different directories disagree about the daemon.',
    severity: 'warn',
    cause:
      '`daemon-state.ts` and `server-profile.ts` use EXECUTOR_DATA_DIR without resolve(); the manifest and auth.json code resolves it against the cwd.',
    fix: {summary: 'Export an absolute path.', commands: ['export EXECUTOR_DATA_DIR={absolute}']},
    // Source: executor-facts.md §1.1, §9.1 (7)
    check: 'auth-env',
  },
  {
    id: 'executor/default-profile-overrides',
    target: 'executor',
    title: 'A default server profile overrides the local daemon',
    message:
      '{path} makes profile "{profile}" ({origin}) the default, so every command without --base-url talks to it instead of the local daemon at {localOrigin}.',
    severity: 'warn',
    cause:
      'Connection precedence puts the default profile before the active local server.json; `executor login` saves its profile as the default.',
    fix: {
      summary: 'Pass --server/--base-url for the remote server, or clear the default profile so the local daemon is used.',
      commands: ['executor server list', 'executor server remove {profile}'],
    },
    // Source: executor-facts.md §4.2, §9.1 (8)
    check: 'auth-env',
    keywords: ['wrong server', 'default profile', 'executor login'],
  },
  {
    id: 'executor/default-profile-alias',
    target: 'executor',
    title: 'Auto-start refused: the requested origin is another spelling of the running local server',
    message:
      '{path} makes profile "{profile}" ({origin}) the default while the local server advertises {localOrigin}: the CLI compares origins as strings and refuses to auto-start against the same database.',
    severity: 'fail',
    cause:
      // Source: executor-facts §4.2
      "A default profile, --base-url or the default URL differs from the active manifest's origin, so auto-starting would put a second server on the same database. The page says to stop the active server; often it is only a spelling: the conflict check is a normalized string compare, so http://127.0.0.1:4789 and http://localhost:4789 differ for it.",
    fix: {
      summary:
        'Use the active server: make the profile (or --base-url) use exactly the origin in server.json, or remove the profile; stop that server only if you really want another one.',
      commands: ['executor server remove {profile}', 'executor server list', 'cat ~/.executor/server-control/server.json'],
    },
    // Source: executor-troubleshooting.md › Symptom index; executor-facts.md §4.2, §5 (main.ts)
    docs: troubleshooting(`Symptom index`),
    check: 'auth-env',
    patterns: [
      'Refusing to auto-start another local server against the same database.',
      'Use the active server, or stop it before starting ${cliPrefix} daemon run.',
    ],
    keywords: ['localhost vs 127.0.0.1', 'profile', 'base url', 'auto-start refused'],
  },
  {
    id: 'executor/default-profile-missing',
    target: 'executor',
    title: 'The default server profile does not exist',
    message: '{path} names "{profile}" as the default profile, but no profile has that name: commands without --base-url fail.',
    severity: 'fail',
    // Source: executor-facts §2.4
    cause:
      'The profile was removed or the file was edited by hand. The CLI prints the same message for `--server <name>` with a name no profile has.',
    fix: {
      summary: 'List the profiles and pick or remove the default (or pass an existing name to --server).',
      commands: ['executor server list', 'executor server use <name>'],
    },
    // Source: executor-facts.md §2.4, §5 (profiles)
    check: 'auth-env',
    patterns: ['No server profile named "${name}".'],
  },
  {
    id: 'executor/connections-invalid',
    target: 'executor',
    title: 'server-connections.json cannot be read',
    message: '{path} cannot be used: {reason}.',
    severity: 'warn',
    cause: 'The profiles file was truncated or edited by hand.',
    fix: {
      summary: 'Move it aside and re-add your profiles (it can hold tokens: keep it private).',
      commands: ['mv {path} {path}.bad', 'executor server list'],
    },
    // Source: executor-facts.md §2.4
    check: 'auth-env',
  },
  {
    id: 'executor/token-drift',
    target: 'executor',
    title: 'The running server uses another token than auth.json',
    message:
      '{authPath} holds a token (sha256 {authFingerprint}) different from the one the running {kind} at {origin} (pid {pid}) uses (server.json, sha256 {manifestFingerprint}): clients configured from auth.json get 401.',
    severity: 'fail',
    cause:
      '`executor server rotate-token` rewrote auth.json but a running server keeps its old token until restarted; or the server was started with --auth-token.',
    fix: {
      summary: 'Restart the server so it loads auth.json, then re-run your MCP client connect command.',
      commands: ['executor daemon restart', 'executor service restart'],
    },
    // Source: executor-facts.md §2.3, §5 (server rotate-token), §9.1 (3)
    check: 'token-drift',
    patterns: [
      'Rotated the local server bearer token.',
      'Stored in ${path}',
      '⚠  A local server is running at ${origin} (pid ${pid}).',
      'Restart it to apply the new token.',
      'Re-run your MCP client connect command with the new token.',
    ],
    generations: ['current'],
    keywords: ['rotate-token', 'token mismatch', 'rotate token', 'new token', 'token drift'],
  },
  {
    id: 'executor/auth-json-missing',
    target: 'executor',
    title: 'auth.json is missing although a token is in use',
    message:
      '{authPath} is missing, but {evidenceText}: the next server start mints a new token and every MCP client configured with the old one gets 401.',
    severity: 'fail',
    cause: 'The bearer file was deleted (cleanup, a sync tool, a reset); auth.json is the source of truth for the local token.',
    fix: {
      summary: 'Before restarting, restore auth.json from a backup; otherwise restart and reconnect every MCP client with the new token.',
      commands: ['ls {dataDir}/backups', 'executor daemon restart'],
    },
    // Source: executor-facts.md §2.3, §9.1 (3)
    check: 'token-drift',
    generations: ['current'],
  },
  {
    id: 'executor/auth-json-invalid',
    target: 'executor',
    title: 'auth.json is malformed',
    message:
      '{authPath} is unusable: {reason}. The next server start replaces it with a new token, breaking every MCP client configured with the old one.',
    severity: 'fail',
    cause: 'A truncated write (crash, full disk) or a hand edit. The reader accepts only `{"token": "<non-empty string>"}`.',
    fix: {
      summary: "Restore the file from server.json's copy of the token if a server is still running, else restart and reconnect clients.",
      commands: ['executor daemon status', 'executor daemon restart'],
    },
    // Source: executor-facts.md §2.3
    check: 'token-drift',
    generations: ['current'],
  },
  {
    id: 'executor/secret-mode',
    target: 'executor',
    title: 'A secret file is readable by other users',
    message: '{path} ({what}) has mode {mode}: {who} can read it.',
    severity: 'fail',
    cause:
      'Executor writes server.json and auth.json 0600 and chmods them on every write, so a wider mode was set by something else (a copy, a restore, a umask-ignoring editor); server-connections.json is written with the default mode although it can hold OAuth and refresh tokens.',
    fix: {summary: 'Make it private to its owner.', commands: ['chmod 600 {path}']},
    // Source: executor-facts.md §1.3, §1.4, §9.1 (4)
    check: 'secret-permissions',
    keywords: ['permissions', 'world-readable', 'chmod'],
  },
  {
    id: 'executor/secret-symlink',
    target: 'executor',
    title: 'A secret file is a symlink',
    message: '{path} ({what}) is a symlink to {target}{problem}.',
    severity: 'warn',
    cause:
      "Executor writes these files in place (writeFileSync then chmod, which follow the link) or by rename (which replaces the link): the secret ends up in the link's target (a synced dotfiles folder, a shared dir) or the link silently stops being updated.",
    fix: {
      summary: 'Replace the link with a private regular file holding the same content.',
      commands: ['cp --remove-destination -- "$(readlink -f {path})" {path}', 'chmod 600 {path}'],
    },
    // Source: executor-facts.md §1.3, §1.4
    check: 'symlinked-secret',
  },
  {
    id: 'executor/public-origin-invalid',
    target: 'executor',
    title: 'The public origin is not a usable URL',
    message: 'The self-host public origin comes from {source}="{value}", which is not an absolute http(s) origin ({reason}).',
    severity: 'fail',
    cause: 'OAuth redirects, MCP metadata and connect links are built from the public origin.',
    fix: {
      summary: 'Set EXECUTOR_WEB_BASE_URL to the public URL (scheme and host, no path, no trailing slash) and restart the server.',
      commands: ['export EXECUTOR_WEB_BASE_URL=https://executor.example.com'],
    },
    // Source: executor-troubleshooting.md › Self-host: Invalid origin; executor-facts.md §4.4
    docs: troubleshooting(`Self-host: Invalid origin`),
    check: 'public-origin',
  },
  {
    id: 'executor/public-origin-trailing-slash',
    target: 'executor',
    title: 'EXECUTOR_WEB_BASE_URL ends with a slash',
    message:
      'EXECUTOR_WEB_BASE_URL="{value}" ends with "/": the documented form has no trailing slash, and consumers that read the variable directly build origins that do not match the browser\'s.',
    severity: 'warn',
    cause:
      "resolvePublicOrigin strips trailing slashes, but the variable is also read raw (the local server's webBaseUrl); an origin with a slash never equals a request Origin.",
    fix: {summary: 'Drop the trailing slash and restart.', commands: ['export EXECUTOR_WEB_BASE_URL={fixed}']},
    // Source: executor-troubleshooting.md › Self-host: Invalid origin (no trailing slash); executor-facts.md §4.4
    docs: troubleshooting(`Self-host: Invalid origin (no trailing slash)`),
    check: 'public-origin',
    keywords: ['trailing slash', 'INVALID_ORIGIN'],
  },
  {
    id: 'executor/public-origin-plain-http',
    target: 'executor',
    title: 'The public origin is plain HTTP on a non-local host',
    message:
      'The public origin {origin} (from {source}) is plain HTTP on a non-local host: behind a proxy, the secure login-state cookie is not sent back and logins fail with "Invalid login state".',
    severity: 'warn',
    cause:
      'The login-state cookie (wos-login-state, `secure: true`, httpOnly) set on /login must reach /callback. Over plain HTTP from a non-localhost origin the browser never returns it; a proxy that strips cookies, or a callback after the 10-minute Max-Age, fails the same way ("Invalid login state", HTTP 400). A skewed clock shortens that window too.',
    fix: {
      summary:
        'Serve over HTTPS end to end (app and WorkOS emulator) and set the HTTPS origin, make sure cookies reach the callback, and retry within 10 minutes.',
      commands: ['export EXECUTOR_WEB_BASE_URL=https://{host}', 'curl -sI https://{host}/login | grep -i set-cookie', 'timedatectl status'],
    },
    // Source: executor-troubleshooting.md › Symptom index, OAuth and login state behind proxies (Executor Cloud: Invalid login state), Recovery command reference (OAuth works on localhost but fails through a tunnel); executor-facts.md §4.4
    docs: troubleshooting(
      `Symptom index, OAuth and login state behind proxies (Executor Cloud: Invalid login state), Recovery command reference (OAuth works on localhost but fails through a tunnel)`,
    ),
    check: 'public-origin',
    patterns: ['Invalid login state'],
    keywords: ['login state', 'cookie', 'https', 'proxy', 'tunnel', 'csrf cookie', 'oauth', 'plain http', 'login fails'],
  },
  {
    id: 'executor/public-origin-empty-var',
    target: 'executor',
    title: 'An empty platform variable stops public-origin detection',
    message: '{variable} is set but empty: the detection chain uses `??`, so it stops there and the public origin becomes "{origin}".',
    severity: 'fail',
    cause: 'getPlatformOrigin takes the first non-nullish candidate; an empty string is not nullish.',
    fix: {
      summary: 'Unset the empty variable or set EXECUTOR_WEB_BASE_URL explicitly.',
      commands: ['unset {variable}', 'export EXECUTOR_WEB_BASE_URL=https://executor.example.com'],
    },
    // Source: executor-facts.md §4.4
    check: 'public-origin',
  },
  {
    id: 'executor/public-origin-generic-url',
    target: 'executor',
    title: 'A generic URL variable became the public origin',
    message:
      'The public origin comes from URL="{value}" (Netlify\'s variable), but this is not a Netlify build: a URL set for something else silently became the origin for OAuth redirects.',
    severity: 'warn',
    cause: 'The full-URL candidates (RENDER_EXTERNAL_URL, DEPLOY_PRIME_URL, URL, CF_PAGES_URL) take precedence over every host variable.',
    fix: {
      summary: 'Set EXECUTOR_WEB_BASE_URL explicitly: it wins over every platform variable.',
      commands: ['export EXECUTOR_WEB_BASE_URL=https://executor.example.com'],
    },
    // Source: executor-facts.md §4.4
    check: 'public-origin',
  },
  {
    id: 'executor/public-origin-fallback',
    target: 'executor',
    title: "Self-host rejects the browser's origin (Invalid origin): no public origin is configured",
    message:
      'Self-host runs here ({why}), but EXECUTOR_WEB_BASE_URL is not set and no platform origin is detected: the server falls back to {fallback}, and a browser reaching it at any other address gets "Invalid origin".',
    severity: 'warn',
    cause:
      'Better Auth rejects requests whose Origin differs from the configured webBaseUrl (HTTP 403, rewritten to INVALID_ORIGIN with a hint); behind a reverse proxy or on a custom domain the instance still thinks it is http://localhost:4788.',
    fix: {
      summary: 'Set EXECUTOR_WEB_BASE_URL to the public URL (no trailing slash) and restart the server.',
      commands: ['export EXECUTOR_WEB_BASE_URL=https://executor.example.com'],
    },
    // Source: executor-troubleshooting.md › Symptom index, Self-host: Invalid origin, Recovery command reference (OAuth works on localhost but fails through a tunnel); executor-facts.md §4.4, §5 (Self-host)
    docs: troubleshooting(
      `Symptom index, Self-host: Invalid origin, Recovery command reference (OAuth works on localhost but fails through a tunnel)`,
    ),
    check: 'public-origin',
    patterns: [
      '[executor] ${varName} is not set and no platform origin was detected; falling back to ${fallback}. OAuth redirects, MCP metadata, and connect links will use this — set ${varName} to your public origin (e.g. https://your-instance.example.com).',
      "This Executor instance is configured for ${webBaseUrl}, but you're connecting from ${requestOrigin}. Set the EXECUTOR_WEB_BASE_URL environment variable to ${requestOrigin} and restart the server, then try again. (Railway, Render, Fly, Vercel, and similar hosts are detected automatically; set it explicitly for a custom domain or other host.)",
      "This Executor instance is configured for ${webBaseUrl}. If you're reaching it at a different address, set EXECUTOR_WEB_BASE_URL to that address and restart the server.",
      'INVALID_ORIGIN',
      'Invalid origin',
    ],
    keywords: ['invalid origin', 'reverse proxy', 'public url', 'custom domain', 'oauth fails through a tunnel'],
  },
  {
    id: 'executor/service-binary-missing',
    target: 'executor',
    title: 'The service runs a binary that no longer exists',
    message: '{unit} starts {binary}, which {problem}: the service cannot start.',
    severity: 'fail',
    cause: 'An npm/bun upgrade, a moved install or a removed checkout left the unit pointing at a dead path.',
    fix: {
      summary: 'Reinstall the service from the executor you use now.',
      commands: ['executor service install', 'executor service status'],
    },
    // Source: executor-facts.md §8 (checks worth adding)
    check: 'service-unit',
    patterns: [...SYSTEMD_LINES.noBinary],
    placeholderValues: {unit: EXECUTOR_UNITS},
  },
  {
    id: 'executor/service-version-drift',
    target: 'executor',
    title: 'The service was installed by another Executor version',
    message: '{unit} was installed by Executor {unitVersion}, but {otherSource} is {otherVersion}.{detail}',
    severity: 'warn',
    cause:
      'The CLI was upgraded (or downgraded) without reinstalling the service; `executor service status` shows this as "Drift:". Running an older version against data a newer one upgraded is a known crash (#966).',
    fix: {summary: 'Reinstall the service with the current CLI (never downgrade).', commands: ['executor -v', 'executor service install']},
    // Source: executor-facts.md §8, §9.1 (9), §9.2 (#966)
    check: 'service-unit',
    patterns: ['Drift:      running ${ownerVersion}, current ${CLI_VERSION} — run `${cliPrefix} service install` to upgrade.'],
  },
  {
    id: 'executor/service-linger-off',
    target: 'executor',
    title: 'Lingering is off: the service only runs while you are logged in',
    message:
      'The systemd user service {unit} is installed but lingering is off for {user}: the daemon only starts when you log in and stops when you log out.',
    severity: 'warn',
    cause:
      'Install enables lingering best-effort (`loginctl enable-linger`) and may have failed; without it, systemd --user services only run during a session: they stop at logout and start at login.',
    fix: {
      summary: "Enable lingering for the service's user.",
      commands: ['loginctl enable-linger {user}', 'loginctl show-user {user} -p Linger --value'],
    },
    // Source: executor-facts.md §5 (service.ts), §8, §9.1 (12)
    check: 'service-unit',
    patterns: ["Lingering is off — the daemon won't start until you log in. Run `loginctl enable-linger`."],
    keywords: ['linger', 'start at boot', 'after logout'],
  },
  {
    id: 'executor/service-port-mismatch',
    target: 'executor',
    title: 'Clients point at the other default port',
    message: 'The service serves port {servicePort}, but {client} points at {clientOrigin}, where no Executor listens.',
    severity: 'warn',
    cause:
      'The CLI daemon defaults to 4788, the service and the desktop app to 4789; a client configured for one while the other runs gets connection refused.',
    fix: {
      summary:
        "Point the client at the service's port (clients can read the live origin from server.json), or reinstall the service on the port clients use.",
      commands: ['executor service status', 'executor install --port {clientPort}'],
    },
    // Source: executor-troubleshooting.md › Daemon port conflicts; executor-facts.md §3.1, §8 (checks worth adding)
    docs: troubleshooting(`Daemon port conflicts`),
    check: 'service-unit',
    keywords: ['4788', '4789', 'wrong port'],
  },
  {
    id: 'executor/service-data-dir-differs',
    target: 'executor',
    title: 'The service and the CLI use different data dirs',
    message:
      "{unit} runs the daemon with EXECUTOR_DATA_DIR={unitDataDir}, but this shell's CLI uses {dataDir}: they read different manifests, tokens and secrets.",
    severity: 'warn',
    cause: 'The unit pins the data dir the installer used; EXECUTOR_DATA_DIR changed since (or is unset now).',
    fix: {
      summary: 'Use the same data dir in both: reinstall the service from a shell with the intended EXECUTOR_DATA_DIR.',
      commands: ['executor service install'],
    },
    // Source: executor-facts.md §1.1, §1.4, §8
    check: 'service-unit',
  },
  {
    id: 'executor/service-unit-invalid',
    target: 'executor',
    title: 'The service definition cannot be read',
    message: '{unit} cannot be used: {reason}.',
    severity: 'fail',
    cause: 'The unit or plist was edited by hand or truncated.',
    fix: {summary: 'Reinstall the service.', commands: ['executor service uninstall', 'executor service install']},
    // Source: executor-facts.md §8
    check: 'service-unit',
    // A User= added to the user unit by hand names a user systemd --user cannot switch to.
    patterns: [...SYSTEMD_LINES.noUser],
    placeholderValues: {unit: EXECUTOR_UNITS},
  },
])
