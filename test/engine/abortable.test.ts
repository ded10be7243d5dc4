/**
 * Waiting on a signal: every caller still waiting when it fires is told its reason, in the order
 * they started waiting, and the callers share one 'abort' listener (a run makes hundreds of probe
 * calls; a listener each was ~3 ms of a healthy run). Real timers, a real AbortController.
 */
import assert from 'node:assert/strict'
import {getEventListeners} from 'node:events'
import {abortable, Deadline, inOrder, NEVER} from '../../src/probes/abort.js'

describe('engine: waiting on a deadline', () => {
  it('one listener for a thousand callers; the settled ones are left alone, the rest reject in order with the reason', async () => {
    const controller = new AbortController()
    const never = new Promise<number>(() => undefined)
    const order: number[] = []
    const waits = Array.from({length: 1000}, (_, i) =>
      abortable(i % 2 === 0 ? Promise.resolve(i) : never, controller.signal).then(
        (value) => ({value}),
        (reason: unknown) => (order.push(i), {reason}),
      ),
    )
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
    await new Promise((resolve) => setImmediate(resolve))
    const reason = new Deadline('the check ran out of time', 'check')
    controller.abort(reason)
    const settled = await Promise.all(waits)
    settled.forEach((r, i) => assert.deepEqual(r, i % 2 === 0 ? {value: i} : {reason}))
    assert.deepEqual(
      order,
      Array.from({length: 500}, (_, i) => 2 * i + 1),
    )
    // A signal that has fired answers at once, and NEVER hands back the work itself.
    await assert.rejects(abortable(Promise.resolve(1), controller.signal), (e: unknown) => e === reason)
    const work = Promise.resolve(7)
    assert.equal(abortable(work, NEVER), work)
  })

  it('inOrder starts every call at once, answers in order, and a call after an early stop rejects unnoticed', async () => {
    const startedAt: number[] = []
    const calls = inOrder([30, 1, 10], (ms) => {
      startedAt.push(ms)
      return new Promise<number>((resolve, reject) => setTimeout(() => (ms === 10 ? reject(new Error('late')) : resolve(ms)), ms))
    })
    assert.deepEqual(startedAt, [30, 1, 10], 'all started before the first answer is asked for')
    const seen: number[] = []
    for await (const [item, answer] of calls) {
      seen.push(answer)
      if (item === 1) break
    }
    assert.deepEqual(seen, [30, 1])
    // The rejected third call is handled: an unhandled rejection would fail the run here.
    await new Promise((resolve) => setTimeout(resolve, 30))
  })
})
