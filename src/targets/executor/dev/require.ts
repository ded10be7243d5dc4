import {skip, type Skip} from '../../../check.js'
import type {CheckContext} from '../../../context.js'
import {detectCheckout, type Checkout} from './checkout.js'

/** The checkout a dev check is about, or the skip it must return when there is none. */
export async function requireCheckout(ctx: CheckContext): Promise<Checkout | Skip> {
  const detection = await detectCheckout(ctx)
  return detection.found ? detection.checkout : skip(detection.reason)
}

export const isCheckout = (value: Checkout | Skip): value is Checkout => 'root' in value

/** "3 h 12 min", "45 s": ages for messages. */
export function humanAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 120) return `${s} s`
  const min = Math.round(s / 60)
  if (min < 120) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 48) return `${h} h ${min % 60} min`
  return `${Math.floor(h / 24)} days`
}
