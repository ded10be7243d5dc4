/**
 * Runs one check in a child process as uid/gid 65534 (nobody), so "permission denied" holds
 * even though the tests run as root. The check's result comes back as JSON on stdout.
 */
import {execFile} from 'node:child_process'
import {chmodSync, statSync} from 'node:fs'
import {join} from 'node:path'
import type {CheckResult} from '../../src/types.js'
import {REPO, TSX} from '../helpers/processes.js'

/** Dirs nobody must be able to traverse (temp dirs are created 0700). */
export function openForNobody(dirs: string[]): void {
  for (const dir of dirs) {
    const mode = statSync(dir).mode & 0o777
    if ((mode & 0o005) !== 0o005) chmodSync(dir, mode | 0o005)
  }
}

export function runAsNobody(
  checkId: string,
  init: {cwd: string; home: string; env?: Record<string, string>},
  open: string[] = [],
): Promise<CheckResult> {
  openForNobody([init.home, ...open])
  const script = join(REPO, 'test', 'executor-dev', 'run-one-check.ts')
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', TSX, script, checkId, JSON.stringify(init)],
      {cwd: '/', env: {PATH: process.env.PATH, HOME: '/nonexistent', TSX_DISABLE_CACHE: '1'}, timeout: 30_000},
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as CheckResult)
        } catch {
          reject(new Error(`check ${checkId} as nobody failed: ${error?.message ?? ''}\n${stdout}\n${stderr}`))
        }
      },
    )
  })
}
