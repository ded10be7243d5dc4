import type {CheckContext} from '../context.js'
import type {TargetId, TargetReport} from '../types.js'

/** A target as found on this machine: what the report's `targets` entry says about it. */
export type DetectedTarget = TargetReport

/** A product the doctor knows. Everything product-specific hangs off its folder in src/targets/. */
export interface TargetDefinition {
  id: TargetId
  name: string
  /** Looks for the product (data dir, config, port) without changing anything. */
  detect(ctx: CheckContext): Promise<DetectedTarget>
}
