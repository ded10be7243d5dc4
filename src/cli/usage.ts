/**
 * How an oclif command ends on a usage error (a bad flag, a bad doctor.config.json): exit 2 with
 * the message and what to try, never a stack trace. Every command body runs inside it.
 */
import type {Command} from '@oclif/core'
import {UsageError} from '../engine/doctor.js'

export async function exitOnUsageError<T>(command: Command, body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (error) {
    if (error instanceof UsageError) command.error(error.message, {exit: 2, suggestions: error.suggestions})
    throw error
  }
}
