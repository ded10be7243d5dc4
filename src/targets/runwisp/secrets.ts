/**
 * The files RunWisp treats as secrets, per generation (runwisp-facts §1.2, §1.3, §3.3, §8.1): the
 * ones `checkSecretFileTarget` guards (password up to 0.4, daemon.pid always) and the other
 * owner-only files (daemon.log, the socket, a service's password drop-in).
 */
import type {CheckContext} from '../../context.js'
import {hasPasswordFile, type RunwispFacts} from './generations.js'
import {loadUnits, type RunwispState} from './state.js'

export interface SecretPath {
  path: string
  /** Written through the symlink-refusing, owner-checking writer. */
  guarded: boolean
  /** What a looser mode exposes: `fail` for a password, `warn` for the rest. */
  exposure: 'fail' | 'warn'
  kind: 'password' | 'pid' | 'log' | 'socket' | 'drop-in' | 'leftover-password'
}

export async function secretPaths(ctx: CheckContext, state: RunwispState, facts: RunwispFacts): Promise<SecretPath[]> {
  const p = state.paths
  const password = hasPasswordFile(facts)
  const list: SecretPath[] = [
    {path: p.pidFile, guarded: true, exposure: 'warn', kind: 'pid'},
    {path: p.log, guarded: false, exposure: 'warn', kind: 'log'},
    {path: state.socket.path, guarded: false, exposure: 'warn', kind: 'socket'},
  ]
  if (password === 'yes' || password === 'unknown') list.unshift({path: p.password, guarded: true, exposure: 'fail', kind: 'password'})
  else list.unshift({path: p.password, guarded: false, exposure: 'fail', kind: 'leftover-password'})
  for (const unit of await loadUnits(ctx)) {
    for (const dropIn of unit.dropIns)
      if (isPasswordDropIn(dropIn)) list.push({path: dropIn, guarded: false, exposure: 'fail', kind: 'drop-in'})
  }
  return list
}

/** runwisp-facts §8.1: `runwisp service install` keeps RUNWISP_PASSWORD in `<unit>.d/password.conf` (0600). */
export function isPasswordDropIn(path: string): boolean {
  return /password\.conf$/.test(path)
}
