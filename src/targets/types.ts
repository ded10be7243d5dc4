import type {CheckContext} from '../context.js'
import type {TargetId, TargetReport} from '../types.js'
import type {TargetProfile} from './profile.js'

/**
 * A target as found on this machine: what the report's `targets` entry says about it, and for a
 * declared target the profile its checks read (never serialised: the engine drops it from the report).
 */
export interface DetectedTarget extends TargetReport {
  profile?: TargetProfile
}

/** A product the doctor knows. Everything product-specific hangs off its folder in src/targets/. */
export interface TargetDefinition {
  id: TargetId
  name: string
  /** Set for a target declared in doctor.config.json: its facts, read by the generic checks. */
  profile?: TargetProfile
  /** Looks for the product (data dir, config, port) without changing anything. */
  detect(ctx: CheckContext): Promise<DetectedTarget>
}
