/**
 * Cancellation for probes and checks. Every check runs with an AbortSignal that fires at its own
 * deadline or when the run's budget runs out, whichever comes first; probes stop their work (or
 * at least stop making the check wait) when it fires. The reason is always a `Deadline`, so code
 * that catches errors can tell "stopped because time ran out" from a real failure.
 */

import {setMaxListeners} from 'node:events'

/** Why work was stopped: a check's own deadline, the run's budget (`--timeout`), or the run's end. */
export class Deadline extends Error {
  constructor(
    message: string,
    readonly scope: 'check' | 'run',
  ) {
    super(message)
    this.name = 'Deadline'
  }
}

export function isDeadline(error: unknown): error is Deadline {
  return error instanceof Deadline
}

/** A signal that never fires: for work that runs outside any run (tests, library helpers). */
export const NEVER: AbortSignal = unlimited(new AbortController().signal)

/** Every pending probe call listens to its signal: far more than the default 10 listeners, by design. */
function unlimited(signal: AbortSignal): AbortSignal {
  try {
    setMaxListeners(0, signal)
  } catch {
    // a runtime whose EventTarget has no listener limit (Bun) has nothing to lift
  }
  return signal
}

/** Throws the signal's reason when it has fired. */
export function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason
}

/**
 * `work`, or a rejection with the signal's reason as soon as it fires. The work itself is not
 * stopped (it may be shared with other checks); only this caller stops waiting for it.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined)
    return Promise.reject(signal.reason)
  }
  if (signal === NEVER) return work
  return new Promise<T>((resolve, reject) => {
    const waiting = waitersOf(signal)
    waiting.add(reject)
    work.then(
      (value) => {
        waiting.delete(reject)
        resolve(value)
      },
      (error: unknown) => {
        waiting.delete(reject)
        reject(error)
      },
    )
  })
}

/**
 * The callers still waiting on a signal, with one 'abort' listener per signal for all of them: a
 * healthy run makes hundreds of probe calls, and an EventTarget listener added and removed for
 * each cost ~3 ms of it beside the real Executor daemon (2-core machine). They are told in the
 * order they started waiting.
 */
const waiters = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>()

function waitersOf(signal: AbortSignal): Set<(reason: unknown) => void> {
  let waiting = waiters.get(signal)
  if (!waiting) {
    const set = new Set<(reason: unknown) => void>()
    waiting = set
    waiters.set(signal, set)
    signal.addEventListener(
      'abort',
      () => {
        for (const reject of [...set]) reject(signal.reason)
        set.clear()
      },
      {once: true},
    )
  }
  return waiting
}

/**
 * A controller that also fires when `parent` fires (with the parent's reason). `dispose` detaches
 * it from the parent, so thousands of short-lived children do not pile up listeners.
 */
export function childController(parent: AbortSignal): {controller: AbortController; dispose(): void} {
  const controller = new AbortController()
  // Each listener is removed when its call settles.
  unlimited(controller.signal)
  if (parent.aborted) {
    controller.abort(parent.reason)
    return {controller, dispose: () => undefined}
  }
  const onAbort = () => controller.abort(parent.reason)
  parent.addEventListener('abort', onAbort, {once: true})
  return {controller, dispose: () => parent.removeEventListener('abort', onAbort)}
}

/**
 * Probes that answer from memory or by a batched sync read settle as microtasks: a check judging
 * 20,000 of them would never give the event loop a turn, so its deadline timer could not fire
 * and it would run past `--timeout`. Past STARVED_MS without a turn, a probe's answer waits for
 * one (a timer, so that the deadline timers that expired meanwhile fire first).
 */
const STARVED_MS = 20
let turnScheduled = false
let waitingSince = 0

function starved(): boolean {
  const now = performance.now()
  if (!turnScheduled) {
    turnScheduled = true
    waitingSince = now
    setImmediate(() => void (turnScheduled = false))
    return false
  }
  return now - waitingSince > STARVED_MS
}

function afterATurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), 0))
}

/**
 * The same probe, seen by one check: each call first checks the signal, and a call still pending
 * when it fires rejects with its reason. What the probe memoises stays shared and keeps its own
 * bounds; this only makes a check that ran out of time stop at its next probe call.
 */
export function withSignal<T extends object>(probe: T, signal: AbortSignal): T {
  return new Proxy(probe, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (signal.aborted) return Promise.reject(signal.reason)
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args)
        if (!(result instanceof Promise)) return result
        return abortable(starved() ? result.then(afterATurn) : result, signal)
      }
    },
  })
}

/** `pending`, marked handled: a caller that stops before awaiting it (an early return, a deadline) leaves no unhandled rejection. */
export function started<R>(pending: Promise<R>): Promise<R> {
  pending.catch(() => undefined)
  return pending
}

/**
 * Starts one call per item at once and hands back each item with its answer, in the items' order:
 * for a loop that may stop at the first hit (the first data dir that exists), whose round trips
 * then overlap instead of adding up. Calls the loop never reaches may reject without an unhandled
 * rejection.
 */
export function inOrder<T, R>(items: readonly T[], call: (item: T) => Promise<R>): AsyncIterable<[T, R]> {
  const answers = items.map((item) => started(call(item)))
  return {
    async *[Symbol.asyncIterator]() {
      for (const [i, item] of items.entries()) yield [item, await answers[i]!]
    },
  }
}

/** Lets the event loop run (I/O callbacks, timers, other checks) before a synchronous loop goes on. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * The clock of a synchronous loop over /proc or a batch of files: true once `sliceMs` has passed
 * since the loop started or last yielded (it then starts again), so the loop can `await
 * yieldToLoop()` and let concurrent checks and deadlines run.
 */
export function timeSlice(sliceMs = 8): () => boolean {
  let since = performance.now()
  return () => {
    const now = performance.now()
    if (now - since <= sliceMs) return false
    since = now
    return true
  }
}
