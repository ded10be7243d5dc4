/**
 * What systemd itself writes to the journal about a service, as catalogue patterns (systemd's
 * wording, `journalctl -u <unit>`): each names the unit first, so an entry that uses them also
 * declares its product's unit names (`placeholderValues: {unit: …}`), and the same line about any
 * other unit is another program's.
 */
export const SYSTEMD_LINES = {
  /** The main process ended with an exit status (`status=1/FAILURE`, `status=217/USER`, …). */
  exited: [
    '${unit}: Main process exited, code=${how}, status=${detail}',
    "${unit}: Failed with result '${result}'.",
    'Failed to start ${unit} - ${description}.',
  ],
  /** systemd stopped restarting it (StartLimitBurst within StartLimitIntervalSec). */
  startLimit: [
    '${unit}: Start request repeated too quickly.',
    "${unit}: Failed with result 'start-limit-hit'.",
    '${unit}: Scheduled restart job, restart counter is at ${count}.',
  ],
  /** User= names no user on this host (status 217/USER). */
  noUser: [
    '${unit}: Failed to determine user credentials: ${error}',
    '${unit}: Failed at step USER spawning ${path}: ${error}',
    '${unit}: Main process exited, code=exited, status=217/USER',
  ],
  /** ExecStart= names a binary that is not there or not executable (status 203/EXEC). */
  noBinary: [
    '${unit}: Failed to execute ${path}: ${error}',
    '${unit}: Failed at step EXEC spawning ${path}: ${error}',
    '${unit}: Main process exited, code=exited, status=203/EXEC',
  ],
} as const

/** RunWisp's units: the system unit, a user unit (`runwisp-<fingerprint>.service`) and the cron failsafe (runwisp-facts §8.1). */
export const RUNWISP_UNITS = [/^runwisp(?:-[\w.@-]+)?\.service$/]
/** Executor's systemd user unit (executor-facts §8). */
export const EXECUTOR_UNITS = [/^sh\.executor\.daemon\.service$/]
