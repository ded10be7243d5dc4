/**
 * Step 3 of redaction: who and where. The home directory becomes `~`; the user and host names get
 * consistent pseudonyms (`anon-user-1`, `anon-host-1`), so relationships survive (the same host in
 * two files is the same pseudonym: doctor-anchors c.10, sos#1557). The mapping stays in memory; it
 * is never written to the bundle (soscleaner#168).
 */
import {realpathSync} from 'node:fs'
import {hostname, userInfo} from 'node:os'
import type {Literal} from './literals.js'

export interface Identity {
  /** The home directory, and its real path when that differs (a symlinked home). */
  homes: string[]
  users: string[]
  hosts: string[]
}

/**
 * Names that identify nobody and whose presence is diagnostic ("the daemon runs as root"), and
 * names too short to replace without hitting ordinary words.
 */
const EXEMPT_USERS = new Set(['root', 'nobody', 'daemon', 'runner', 'user'])
const EXEMPT_HOSTS = new Set(['localhost', 'localhost.localdomain', 'localdomain'])
const MIN_NAME = 3

export const PSEUDONYM_RULES = {home: 'home-dir', user: 'user-name', host: 'host-name'} as const

/** Pseudonyms already in a text: never replaced again. */
export const PSEUDONYM = /anon-(?:user|host)-\d+/

export function currentIdentity(env: Readonly<Record<string, string | undefined>>, home: string): Identity {
  const homes = new Set<string>()
  for (const candidate of [home, safe(() => realpathSync(home))]) {
    const trimmed = candidate?.replace(/\/+$/, '')
    if (trimmed && trimmed.length >= 2) homes.add(trimmed)
  }
  const users = new Set<string>()
  for (const name of [safe(() => userInfo().username), env.USER, env.LOGNAME, env.SUDO_USER]) {
    if (name && name.length >= MIN_NAME && !EXEMPT_USERS.has(name) && /^[A-Za-z0-9._-]+$/.test(name)) users.add(name)
  }
  const hosts = new Set<string>()
  const full = safe(() => hostname())
  for (const name of [full, full?.split('.')[0]]) {
    if (name && name.length >= MIN_NAME && !EXEMPT_HOSTS.has(name.toLowerCase())) hosts.add(name)
  }
  return {homes: [...homes], users: [...users], hosts: [...hosts]}
}

export function pseudonymLiterals(identity: Identity): Literal[] {
  const literals: Literal[] = identity.homes.map((text) => ({
    text,
    boundary: 'path' as const,
    replacement: '~',
    rule: PSEUDONYM_RULES.home,
  }))
  // The short host name maps to the same pseudonym as the full one: it is the same machine.
  const hostIds = new Map<string, string>()
  for (const host of identity.hosts) {
    const short = host.split('.')[0]!
    const id = hostIds.get(short) ?? `anon-host-${hostIds.size + 1}`
    hostIds.set(short, id)
    literals.push({text: host, boundary: 'word', replacement: id, rule: PSEUDONYM_RULES.host})
  }
  identity.users.forEach((text, i) =>
    literals.push({text, boundary: 'word', replacement: `anon-user-${i + 1}`, rule: PSEUDONYM_RULES.user}),
  )
  return literals
}

function safe<T>(get: () => T): T | undefined {
  try {
    return get()
  } catch {
    return undefined
  }
}
