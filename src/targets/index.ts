import type {TargetId} from '../types.js'
import {executorTarget} from './executor/target.js'
import './executor/messages.js'
import {runwispTarget} from './runwisp/target.js'
import type {TargetDefinition} from './types.js'

/** Every product the doctor knows, in report order. */
export const targets: readonly TargetDefinition[] = [executorTarget, runwispTarget]

export function targetById(id: TargetId): TargetDefinition | undefined {
  return targets.find((t) => t.id === id)
}
