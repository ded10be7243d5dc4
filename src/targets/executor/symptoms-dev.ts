/**
 * Executor contributors' failures: a monorepo checkout that was not bootstrapped, stale Vite
 * caches, squatted e2e port blocks, leaked dev servers, a missing Playwright Chromium
 * (executor-troubleshooting.md › Stale Vite caches, Missing bootstrap builds, E2e port collisions;
 * executor-facts.md §3.3, §3.4, §6, §7).
 */
import {defineSymptoms} from '../../catalogue.js'
import {troubleshooting} from './product-docs.js'

const VITE_FIX = {
  summary: "Stop this checkout's dev servers, clear the optimizer caches (and the .tanstack caches beside them), then start again.",
  commands: ['bun run reap --dry-run', 'rm -rf {clear}', 'bun run dev'],
}

export const executorDevSymptoms = defineSymptoms([
  {
    id: 'executor/bootstrap-missing',
    target: 'executor',
    title: 'The checkout was not bootstrapped',
    message: 'The checkout at {root} is missing what `bun run bootstrap` builds: {missing}.{consequence}',
    severity: 'fail',
    cause:
      'A fresh checkout or worktree skipped `bun run bootstrap`: it has no `dist` (gitignored) for packages/core/vite-plugin and packages/react until `bun install` runs the root `prepare` script; bootstrap also installs vitest and Playwright and sets core.hooksPath. Vite configs load under Node, which resolves the `default` export condition, so they need the built `dist` files. "vitest missing after install" means `bun install` itself failed part-way (network, a bun.lock conflict).',
    fix: {
      summary:
        'Run bootstrap from the repository root (it is idempotent); if its `bun install` fails, read that error, and after a bun.lock conflict take either side and run it again.',
      commands: ['cd {root}', 'bun run bootstrap'],
    },
    // Source: executor-troubleshooting.md › Symptom index, Missing bootstrap builds; executor-facts.md §5 (dev), §7.3
    docs: troubleshooting(`Symptom index, Missing bootstrap builds`),
    check: 'bootstrap-build',
    patterns: [
      "Failed to resolve entry for package '@executor-js/vite-plugin'",
      'Failed to resolve entry for package "@executor-js/vite-plugin". The package may have incorrect main/module/exports specified in its package.json.',
      'bootstrap: vitest missing after install — bun install likely failed',
      // Vite's wording for any package; `placeholderValues` keeps it to the one whose entry point
      // the root `prepare` script builds (executor-facts §7.3: packages/core/vite-plugin's dist).
      'Failed to resolve entry for package "${pkg}"',
    ],
    placeholderValues: {pkg: ['@executor-js/vite-plugin']},
    keywords: [
      'bootstrap',
      'vite-plugin',
      'dist missing',
      'fresh worktree',
      'vitest missing',
      'fresh checkout',
      'worktree',
      'resolve entry',
    ],
  },
  {
    id: 'executor/git-hooks-unset',
    target: 'executor',
    title: "The repository's git hooks are not enabled",
    message: "core.hooksPath is {value} in {root}, not .githooks: the checkout's git hooks never run.",
    severity: 'warn',
    cause: "Bootstrap's last step (`git config core.hooksPath .githooks`) did not run in this clone.",
    fix: {
      summary: "Point git at the repository's hooks (or re-run bootstrap).",
      commands: ['git -C {root} config core.hooksPath .githooks'],
    },
    // Source: executor-facts.md §7.3, §9.1 (13)
    check: 'bootstrap-build',
  },
  {
    id: 'executor/bun-lock-broken',
    target: 'executor',
    title: 'bun.lock is broken',
    message: '{path} is broken: {reason}.',
    severity: 'fail',
    cause:
      'A rebase or merge conflict in bun.lock was hand-merged or left unresolved; bun cannot install from it and every Vite cache keyed on it is suspect.',
    fix: {
      summary: 'Take either side of the conflict (never hand-merge bun.lock), then re-run the install.',
      commands: ['git -C {root} checkout --ours -- bun.lock', 'bun install', 'bun run bootstrap'],
    },
    // Source: executor-troubleshooting.md › Missing bootstrap builds (bun.lock conflicts); executor-facts.md §9.1 (13)
    docs: troubleshooting(`Missing bootstrap builds (bun.lock conflicts)`),
    check: 'bootstrap-build',
    keywords: ['bun.lock conflict', 'lockfile conflict'],
  },
  {
    id: 'executor/vite-cache-lockfile-changed',
    target: 'executor',
    title: 'A Vite dep cache was built for another lockfile',
    message:
      'The Vite cache {metadata} records lockfileHash {cached}, but {lockfile} now hashes to {current} (as Vite computes it): a running dev server still serves the old dependencies and the next start re-optimizes.',
    severity: 'warn',
    cause: 'bun.lock or the patches/ directory changed (install, rebase, patch) after the cache was built.',
    fix: VITE_FIX,
    // Source: executor-troubleshooting.md › Stale Vite caches; executor-facts.md §7.2
    docs: troubleshooting(`Stale Vite caches`),
    check: 'vite-cache',
    patterns: ['Re-optimizing dependencies because lockfile has changed', 'Re-optimizing dependencies because vite config has changed'],
  },
  {
    id: 'executor/vite-cache-missing-sources',
    target: 'executor',
    title: 'A Vite dep cache points at sources that are gone',
    message:
      '{count} optimized dependencies in {metadata} point at sources that no longer exist or lie outside this checkout (for example {example}).',
    severity: 'warn',
    cause: 'The cache outlived the files it was built from (reinstall, removed worktree, a cache copied from another checkout).',
    fix: VITE_FIX,
    // Source: executor-troubleshooting.md › Stale Vite caches; executor-facts.md §7.2
    docs: troubleshooting(`Stale Vite caches`),
    check: 'vite-cache',
  },
  {
    id: 'executor/vite-cache-pre-rebase',
    target: 'executor',
    title: 'A Vite dep cache predates the last rebase or checkout',
    message:
      'The Vite cache {metadata} was written {age} ago, before the last "{what}" ({changedAt}): dev servers can serve pre-rebase code while unit tests pass.',
    severity: 'warn',
    cause:
      // Source: executor-facts §7.1, §7.2
      "A rebase or a large dependency change alters workspace source without changing bun.lock or the Vite config, so neither hash Vite's dep optimizer checks notices and it keeps the pre-rebase bundles (RUNNING.md). The page says to clear node_modules/.vite at the root, but the caches live per app: packages/app/node_modules/.vite (apps/local), apps/*/node_modules/.vite and e2e/node_modules/.vite.",
    fix: VITE_FIX,
    // Source: executor-troubleshooting.md › Symptom index (Dev server serves old code while tests pass), Stale Vite caches; executor-facts.md §7.1, §7.2 (Gap)
    docs: troubleshooting(`Symptom index (Dev server serves old code while tests pass), Stale Vite caches`),
    check: 'vite-cache',
    keywords: [
      'old code',
      'pre-rebase',
      'stale cache',
      'serves old code',
      'rebase',
      'vite cache',
      'dev server serves old code',
      'tests pass',
      'optimizer',
    ],
  },
  {
    id: 'executor/vite-cache-corrupt',
    target: 'executor',
    title: "A Vite dep cache's metadata is corrupt",
    message: '{path} cannot be used: {reason}.',
    severity: 'warn',
    cause: 'A dev server was killed while writing its cache, or the disk filled up.',
    fix: VITE_FIX,
    // Source: executor-troubleshooting.md › Stale Vite caches; executor-facts.md §7.2
    docs: troubleshooting(`Stale Vite caches`),
    check: 'vite-cache',
  },
  {
    id: 'executor/e2e-port-squatted',
    target: 'executor',
    title: "A port of this checkout's e2e block is squatted",
    message: "Port {port} ({label}) of this checkout's e2e block {block}–{blockEnd} is held by {owner}.",
    severity: 'warn',
    cause:
      "A leaked dev server from another session (or another checkout whose root hashes to the same block) holds the port; ports in 42000–45999 are also inside Linux's ephemeral range, so outbound connections can squat them. The suite then walks to another block, and vite --strictPort boots fail or tests attach to the wrong server.",
    fix: {
      summary: 'Stop the squatter (reap kills orphaned dev stacks), then check the block again.',
      commands: ['{stop}', 'bun run reap', 'cd {root}/e2e && bun run ports'],
    },
    // Source: executor-troubleshooting.md › E2e and multi-checkout port collisions; executor-facts.md §3.3
    docs: troubleshooting(`E2e and multi-checkout port collisions`),
    check: 'e2e-ports',
    patterns: [
      '[e2e] port block ${block} has squatters — ${ports}; trying next block',
      '[e2e] ${label} hit EADDRINUSE on port(s) ${ports} (attempt ${n}/${max}); re-claiming a fresh block and retrying',
      'e2e: no free port block found — the 42000-45999 range is exhausted?',
    ],
    keywords: ['squatter', 'e2e port', 'EADDRINUSE', 'strictPort', 'port block', 'squatters', 'e2e ports', 'multi-checkout'],
  },
  {
    id: 'executor/e2e-pinned-port-busy',
    target: 'executor',
    title: 'A pinned e2e port is already taken',
    message:
      '{envVar}={raw} pins {label} to port {port}, which is held by {owner}. The suite never probes pinned ports, so the boot fails with EADDRINUSE or tests talk to the wrong server.',
    severity: 'fail',
    cause: "E2E_*_PORT pins a port outside the suite's claim-and-probe logic.",
    fix: {
      summary: 'Stop the process on the pinned port, or unset the pin and let the suite claim a free block.',
      commands: ['{stop}', 'unset {envVar}'],
    },
    // Source: executor-troubleshooting.md › E2e and multi-checkout port collisions; executor-facts.md §3.3
    docs: troubleshooting(`E2e and multi-checkout port collisions`),
    check: 'e2e-ports',
  },
  {
    id: 'executor/e2e-pin-invalid',
    target: 'executor',
    title: 'An E2E_*_PORT pin is not a port',
    message: '{envVar}={raw} is not a usable port{consequence}.',
    severity: 'warn',
    cause:
      'e2e/src/ports.ts reads `Number(value) || portBlock + offset`: a non-numeric pin silently falls back, and an out-of-range one fails at bind time.',
    fix: {summary: 'Set the variable to a port number or unset it.', commands: ['unset {envVar}']},
    // Source: executor-facts.md §3.3
    check: 'e2e-ports',
  },
  {
    id: 'executor/e2e-block-locked',
    target: 'executor',
    title: "Another suite holds this checkout's e2e block",
    message:
      "This checkout's e2e block {block} is locked (port {lockPort}) by {owner}: the suite will skip to another block, so `bun run ports` does not show the ports it will use.",
    severity: 'warn',
    cause:
      'Another checkout whose root hashes to the same block is running its e2e suite (or a process outside any suite holds the lock port).',
    fix: {
      summary: 'Let that suite finish or stop it; pin ports with E2E_*_PORT if both must run at once.',
      commands: ['{stop}', 'cd {root}/e2e && bun run ports'],
    },
    // Source: executor-troubleshooting.md › E2e and multi-checkout port collisions; executor-facts.md §3.3
    docs: troubleshooting(`E2e and multi-checkout port collisions`),
    check: 'e2e-ports',
    patterns: ['[e2e] port block ${block} is locked by another suite; trying next block'],
  },
  {
    id: 'executor/orphan-dev-server',
    target: 'executor',
    title: 'A dev server outlived its checkout',
    message:
      'Dev server pid {pid} ({command}) runs from {checkout}, which no longer exists (told by its {via}); it has been running for {age}.',
    severity: 'warn',
    cause:
      // Source: executor-facts §6
      'The worktree was removed while its vite / dev-db processes were running; they keep squatting ports and serving deleted code. `bun run reap` kills such orphans and keeps live-checkout servers unless --all; long-lived instances recorded in e2e/.dev/*.json are deliberate, not leaks.',
    fix: {
      summary:
        'Stop its process group, as the reaper does. `bun run reap` only sees orphans whose command line names an absolute path; check e2e/.dev/*.json before reaping with --all.',
      commands: ['kill -TERM -- -{pid}', 'bun run reap --dry-run', 'bun run reap'],
    },
    // Source: executor-troubleshooting.md › Stale Vite caches (leaked dev stacks), E2e and multi-checkout port collisions; executor-facts.md §6
    docs: troubleshooting(`Stale Vite caches (leaked dev stacks), E2e and multi-checkout port collisions`),
    check: 'leaked-dev-servers',
    patterns: [
      'KILL  ORPHAN pid=${pid} ${command}',
      'reap: no dev-stack processes found.',
      'Live-checkout servers were kept (another session may own them); --all kills those too.',
      'failed to kill ${pid}: ${error}',
    ],
    keywords: ['leaked dev server', 'orphan', 'reap', 'removed worktree'],
  },
  {
    id: 'executor/dev-instance-stale',
    target: 'executor',
    title: 'A recorded e2e instance lost its runner',
    message: '{path} records the {target} instance, but its runner pid {runnerPid} is dead while its process {pid} ({command}) still runs.',
    severity: 'warn',
    cause:
      'The detached runner died without tearing down its children; the state file now marks a dead instance ("DEAD (stale state file)").',
    fix: {
      summary: 'Tear the instance down with the e2e CLI; it kills the recorded process groups and removes the state file.',
      commands: ['cd {root}/e2e && bun run cli down {target}'],
    },
    // Source: executor-troubleshooting.md › E2e and multi-checkout port collisions; executor-facts.md §3.4
    docs: troubleshooting(`E2e and multi-checkout port collisions`),
    check: 'leaked-dev-servers',
    patterns: ['DEAD (stale state file)'],
  },
  {
    id: 'executor/playwright-chromium-missing',
    target: 'executor',
    title: "Playwright's Chromium is not installed",
    message: '{expected} is not installed in {dir} ({source}): {problem}.',
    severity: 'fail',
    cause:
      "Bootstrap's `bunx playwright install chromium` did not run, was interrupted, or ran for another Playwright version or another PLAYWRIGHT_BROWSERS_PATH.",
    fix: {
      summary: "Install the browser the checkout's Playwright expects (bootstrap does this).",
      commands: ['cd {root}', 'bunx playwright install chromium'],
    },
    // Source: executor-facts.md §7.3
    check: 'playwright-browser',
    patterns: ["Executable doesn't exist at ${path}", 'Please run the following command to download new browsers:'],
    keywords: ['playwright', 'chromium', 'browser not installed'],
  },
])
