/**
 * The root `doctor` run, shared by the oclif command and the fast path in bin/run.js: one body,
 * whichever parser read the flags. Never imports oclif.
 */
import type {Report} from '../types.js'
import {runCommand, type ReportFlagValues} from './report-run.js'

export type RootFlags = ReportFlagValues

export function runRoot(flags: RootFlags, argv: string[]): Promise<Report> {
  return runCommand(flags, {name: 'doctor', argv, cwd: process.cwd(), env: process.env})
}
