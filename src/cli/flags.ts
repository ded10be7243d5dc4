/**
 * Every flag of the commands that run checks, defined once for oclif (help, parsing, the
 * manifest). The run logic lives in modules that never import oclif, so the root run's fast path
 * (bin/run.js) can parse the same flags from oclif.manifest.json without loading oclif at all.
 */
import {Flags} from '@oclif/core'
import {FORMATS} from '../report/format.js'
import {TARGET_IDS} from '../types.js'

/** `--config FILE`: every command that reads doctor.config.json takes it (src/config/load.ts configFor). */
export const configFlag = Flags.string({
  description: 'Config file (default: doctor.config.json, looked for from the working directory up to the repository root).',
})

export const runFlags = {
  target: Flags.string({
    description: `Check this target even if it was not detected (repeatable): ${TARGET_IDS.join(', ')} or one declared in doctor.config.json.`,
    multiple: true,
  }),
  only: Flags.string({description: 'Run only these check ids (repeatable or comma-separated).', multiple: true}),
  skip: Flags.string({description: 'Skip these check ids (repeatable or comma-separated).', multiple: true}),
  json: Flags.boolean({description: 'Print exactly one JSON document (the report) on stdout.'}),
  strict: Flags.boolean({description: 'Exit 1 on warnings too.'}),
  timeout: Flags.string({description: 'Time budget for the whole run ("30s", "1500ms", "2m"). No check outlives it.', default: '30s'}),
  verbose: Flags.boolean({
    char: 'v',
    description: 'Also show passing checks and their evidence, why each skipped check did not apply, and stack traces of crashed checks.',
  }),
  'executor-data-dir': Flags.string({description: 'Executor data dir to check (default: $EXECUTOR_DATA_DIR, else ~/.executor).'}),
  'executor-port': Flags.integer({description: 'Port of the Executor daemon to check, when not the default 4788.', min: 1, max: 65535}),
  'executor-checkout': Flags.string({
    description: 'Executor monorepo checkout to check (default: the one containing the working directory).',
  }),
  'runwisp-data-dir': Flags.string({
    description: 'RunWisp data dir to check (default: $RUNWISP_DATA, else ./.runwisp, ./data or /var/lib/runwisp as root).',
  }),
  'runwisp-config': Flags.string({
    description: 'runwisp.toml to check (default: $RUNWISP_CONFIG, else ./runwisp.toml or /etc/runwisp/runwisp.toml as root).',
  }),
  'runwisp-port': Flags.integer({
    description: 'Port of the RunWisp daemon to check, when not $RUNWISP_PORT or the default 9477.',
    min: 1,
    max: 65535,
  }),
  set: Flags.string({
    description:
      'Point a target elsewhere: <target>.<key>=<value>, for a built-in (executor.dataDir, runwisp.port, …) or a declared target (kv.dataDir, kv.pidFile, kv.ports, …; docs/targets.md). Repeatable.',
    multiple: true,
  }),
}
export const reportFlags = {
  format: Flags.string({
    description:
      "Report format (prometheus: the text format for node_exporter's textfile collector). Default: github when GITHUB_ACTIONS=true, else human. --json is short for --format json.",
    options: [...FORMATS],
  }),
  output: Flags.string({char: 'o', description: 'Write the report to this file instead of stdout (parent directories are created).'}),
  hostname: Flags.string({
    description:
      'The host name the report gives this machine (default: its own), as `doctor report merge` shows it; fleet sweeps pass the inventory name.',
  }),
  config: configFlag,
}
export const fixFlags = {
  fix: Flags.boolean({
    description: 'Repair what is safe (journaled; `doctor undo` reverts). Steps that need consent are asked for on a terminal.',
  }),
  'dry-run': Flags.boolean({description: 'Print the whole fix plan (what, where, why, risk, how to undo) and change nothing.'}),
  yes: Flags.boolean({char: 'y', description: 'With --fix: approve the steps that need confirmation, without asking.'}),
}
