/**
 * Temp files alive right now, removed on SIGINT/SIGTERM/SIGHUP and on any exit: a Ctrl-C or a
 * kill in the middle of a write never leaves a partial output beside the real one.
 */
import {unlinkSync} from 'node:fs'

const live = new Set<string>()
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
const SIGNAL_EXIT: Record<string, number> = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129}

function removeLive(): void {
  for (const path of live) {
    try {
      unlinkSync(path)
    } catch {
      // already gone
    }
  }
  live.clear()
}

const onSignal = (signal: NodeJS.Signals) => {
  removeLive()
  process.exit(SIGNAL_EXIT[signal] ?? 1)
}
// A file-size limit (ulimit -f) would otherwise kill the process with the temp file in place;
// ignored, the write fails with EFBIG and is cleaned up like a full disk.
const onXfsz = () => {}

export function trackTemp(path: string): void {
  if (live.size === 0) {
    for (const s of SIGNALS) process.on(s, onSignal)
    process.on('exit', removeLive)
    if (process.platform !== 'win32') process.on('SIGXFSZ', onXfsz)
  }
  live.add(path)
}

export function untrackTemp(path: string): void {
  if (!live.delete(path)) return
  if (live.size === 0) {
    for (const s of SIGNALS) process.off(s, onSignal)
    process.off('exit', removeLive)
    if (process.platform !== 'win32') process.off('SIGXFSZ', onXfsz)
  }
}
