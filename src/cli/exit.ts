/**
 * The last step of a checks run: the report is out, so the process ends. Checks and probes stop
 * at their signals, but some work cannot be cancelled (a filesystem call already in the kernel, a
 * library that ignores the signal); it must not hold the process once the report is written.
 */

/**
 * How long after the report is written the process may still take to end by itself (closing
 * sockets, finishing an fs call in flight) before it is ended. Small against any --timeout, long
 * enough that a run which ends cleanly is never cut.
 */
export const EXIT_GRACE_MS = 250

/** Ends the process `graceMs` from now unless it has ended by itself; never keeps it alive. */
export function endSoon(graceMs = EXIT_GRACE_MS): void {
  setTimeout(() => process.exit(), graceMs).unref()
}
