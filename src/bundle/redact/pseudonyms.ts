/**
 * Step 3 of redaction: who and where. The home directory becomes `~`; the user and host names get
 * consistent pseudonyms (`anon-user-1`, `anon-host-1`), so relationships survive (the same host in
 * two files is the same pseudonym: doctor-anchors c.10, sos#1557). The mapping stays in memory; it
 * is never written to the bundle (soscleaner#168).
 *
 * Not only the running user: root bundling another user's data dir (`--runwisp-data-dir
 * /home/alice/.runwisp`) reads files that name that user and their home, so every person's account
 * of this machine is pseudonymised (`/home/alice` → `~anon-user-2`), and so is every host-name field
 * whatever its length (`"hostname": "h7"`), while a host name of one or two characters is replaced
 * elsewhere only where a host name sits (`root@h7`, `//h7/`, `h7:4788`, a syslog line's host
 * column) or, made of letters and digits, as a token of its own: as a plain substring or word it
 * would hit `a`, `db` or `1` all over the bundle.
 */
import {readFileSync, realpathSync} from 'node:fs'
import {hostname, userInfo} from 'node:os'
import {lineIndex, type Literal, type LiteralHit} from './literals.js'

export interface Identity {
  /** The home directory, and its real path when that differs (a symlinked home): shown as `~`. */
  homes: string[]
  users: string[]
  hosts: string[]
  /** The other people's accounts of this machine: each name and home gets its own pseudonym. */
  accounts?: Account[]
  /**
   * Whether host-name fields are pseudonymised whatever they hold (default true). Off for the
   * output-safety step, where a person reads their own report and pseudonyms are not wanted.
   */
  hostFields?: boolean
}

export interface Account {
  name: string
  /** The home from /etc/passwd, and its real path when that differs. */
  homes: string[]
}

/** No one's identity: known values and patterns only (the output-safety step). */
export const NO_IDENTITY: Identity = {homes: [], users: [], hosts: [], hostFields: false}

/**
 * Names that identify nobody and whose presence is diagnostic ("the daemon runs as root"), and
 * names too short to replace without hitting ordinary words.
 */
const EXEMPT_USERS = new Set(['root', 'nobody', 'daemon', 'runner', 'user'])
const EXEMPT_HOSTS = new Set(['localhost', 'localhost.localdomain', 'localdomain'])
const MIN_NAME = 3
const NAME = /^[A-Za-z0-9._-]+$/

export const PSEUDONYM_RULES = {home: 'home-dir', user: 'user-name', host: 'host-name'} as const

/** Pseudonyms already in a text: never replaced again. */
export const PSEUDONYM = /anon-(?:user|host)-\d+/

/** The first uid of a person's account where /etc/login.defs does not say (shadow-utils' default). */
const DEFAULT_UID_MIN = 1000
/** The overflow uid (nobody) ends the range of people's accounts. */
const OVERFLOW_UID = 65534
/** Accounts considered at most: each is one more search per redacted text (a directory of 100k users is not this file's job). */
const MAX_ACCOUNTS = 4096

/**
 * People's accounts in an /etc/passwd text: uids from `uidMin` (login.defs UID_MIN) up to, not
 * including, the overflow uid, and any account whose home is under /home or /Users. System
 * accounts (`postgres`, `runwisp`) name a service, not a person, and are diagnostic: they stay.
 */
export function peopleAccounts(passwd: string, uidMin = DEFAULT_UID_MIN): Account[] {
  const out: Account[] = []
  for (const line of passwd.split('\n')) {
    if (out.length >= MAX_ACCOUNTS) break
    const [name, , uidText, , , home] = line.split(':')
    if (!name || !uidText || !/^\d+$/.test(uidText) || !NAME.test(name) || EXEMPT_USERS.has(name)) continue
    const uid = Number(uidText)
    const trimmed = home?.replace(/\/+$/, '') ?? ''
    const personal = /^\/(?:home|Users)\/[^/]/.test(trimmed)
    if (!personal && (uid < uidMin || uid >= OVERFLOW_UID)) continue
    const homes = personal || (trimmed.startsWith('/') && trimmed.split('/').length > 2) ? [trimmed] : []
    out.push({name, homes})
  }
  return out
}

/**
 * The home /etc/passwd gives `uid`: read from the file, not os.userInfo(), because Bun's
 * userInfo() answers $HOME, and a bundle written under Bun must pseudonymise what node's verify does.
 */
function passwdHomeOf(uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined
  const passwd = safe(() => readFileSync('/etc/passwd', 'utf8')) ?? ''
  for (const line of passwd.split('\n')) {
    const fields = line.split(':')
    if (fields[2] === String(uid) && fields[5]?.startsWith('/')) return fields[5]
  }
  return undefined
}

function uidMinOfThisMachine(): number {
  const m = /^\s*UID_MIN\s+(\d+)/m.exec(safe(() => readFileSync('/etc/login.defs', 'utf8')) ?? '')
  return m ? Number(m[1]) : DEFAULT_UID_MIN
}

export function currentIdentity(env: Readonly<Record<string, string | undefined>>, home: string): Identity {
  const homes = new Set<string>()
  // The running account's own home as well as HOME: root bundling with HOME elsewhere still has
  // /root in PATH and in file paths.
  const ownHome = passwdHomeOf(process.getuid?.()) ?? safe(() => userInfo().homedir)
  for (const candidate of [home, safe(() => realpathSync(home)), ownHome, ownHome && safe(() => realpathSync(ownHome))]) {
    const trimmed = candidate?.replace(/\/+$/, '')
    if (trimmed && trimmed.length >= 2) homes.add(trimmed)
  }
  const users = new Set<string>()
  for (const name of [safe(() => userInfo().username), env.USER, env.LOGNAME, env.SUDO_USER]) {
    if (name && name.length >= MIN_NAME && !EXEMPT_USERS.has(name) && NAME.test(name)) users.add(name)
  }
  const hosts = new Set<string>()
  const full = safe(() => hostname())
  for (const name of [full, full?.split('.')[0]]) {
    if (name && !EXEMPT_HOSTS.has(name.toLowerCase())) hosts.add(name)
  }
  const passwd = safe(() => readFileSync('/etc/passwd', 'utf8')) ?? ''
  const accounts = peopleAccounts(passwd, uidMinOfThisMachine()).map((a) => ({
    name: a.name,
    homes: [...new Set(a.homes.flatMap((h) => [h, safe(() => realpathSync(h))]).filter((h): h is string => !!h && h.length >= 2))],
  }))
  return {homes: [...homes], users: [...users], hosts: [...hosts], accounts, hostFields: true}
}

/** Host ids: the short name maps to the same pseudonym as the full one (it is the same machine). */
export class HostIds {
  private readonly ids = new Map<string, string>()

  constructor(hosts: readonly string[]) {
    for (const host of hosts) this.idOf(host)
  }

  idOf(host: string): string {
    const key = host.toLowerCase().split('.')[0]!
    let id = this.ids.get(key)
    if (!id) {
      id = `anon-host-${this.ids.size + 1}`
      this.ids.set(key, id)
    }
    return id
  }

  knows(host: string): boolean {
    return this.ids.has(host.toLowerCase().split('.')[0]!)
  }
}

export function pseudonymLiterals(identity: Identity, hostIds = new HostIds(identity.hosts)): Literal[] {
  const literals: Literal[] = identity.homes.map((text) => ({
    text,
    boundary: 'path' as const,
    replacement: '~',
    rule: PSEUDONYM_RULES.home,
  }))
  for (const host of identity.hosts) {
    if (host.length < MIN_NAME) continue
    literals.push({text: host, boundary: 'word', replacement: hostIds.idOf(host), rule: PSEUDONYM_RULES.host})
  }
  const userIds = new Map<string, string>()
  const userId = (name: string) => {
    let id = userIds.get(name)
    if (!id) userIds.set(name, (id = `anon-user-${userIds.size + 1}`))
    return id
  }
  for (const name of identity.users) userId(name)
  for (const account of identity.accounts ?? []) {
    const id = userId(account.name)
    for (const text of account.homes)
      if (!identity.homes.includes(text)) literals.push({text, boundary: 'path', replacement: `~${id}`, rule: PSEUDONYM_RULES.home})
  }
  for (const [text, id] of userIds) {
    // A name too short to be replaced as a word still has its home replaced (above).
    if (text.length >= MIN_NAME) literals.push({text, boundary: 'word', replacement: id, rule: PSEUDONYM_RULES.user})
  }
  return literals
}

/** Keys whose value names a machine: pseudonymised whatever it is (but a loopback name or an address). */
const HOSTNAME_KEY = /^(?:host[_-]?name|node[_-]?name)$/i
/**
 * `hostname: x`, `"hostname": "x"`, `hostname = "x"`, `HOSTNAME=x`, `Host: x:4788`: a key of its
 * own (not `virtual_host`), an optional closing quote, `:` or `=`, an optional opening quote, the value.
 */
const HOST_FIELD =
  /(?<![A-Za-z0-9_-])(host(?:[_-]?name)?|node[_-]?name)(["']?[ \t]*[:=][ \t]*["']?)([A-Za-z0-9][A-Za-z0-9._-]{0,252})(?![A-Za-z0-9._-])/gi
const NOT_A_NAME = /^(?:localhost(?:\.localdomain)?|localdomain|[\d.]+|null|none|nil|true|false|undefined|unknown)$/i

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Where a host name sits in machine text: after `@` (`root@h7:~#`, `user@h7`), as a URL's host
 * (`//h7`), before a port (`h7:4788`), and in the host column of a syslog or journal line. A name
 * of letters and digits (`h7`, `n1`) is also distinctive as a token of its own between spaces,
 * quotes or punctuation (`"h7 is down."`); one of letters alone (`db`) or digits alone (`42`) is
 * an ordinary word or number there.
 */
function hostPositions(names: readonly string[]): RegExp | null {
  if (names.length === 0) return null
  const alt = names.map(escapeRegExp).join('|')
  const mixed = names.filter((n) => /[A-Za-z]/.test(n) && /\d/.test(n)).map(escapeRegExp)
  const stamp = String.raw`(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)`
  const token = mixed.length > 0 ? String.raw`|(?<=^|[\s"'(\[,;=])(?:${mixed.join('|')})(?=$|[\s"'),;\]:!?]|\.(?![A-Za-z0-9]))` : ''
  return new RegExp(
    String.raw`(?<=@|//)(?:${alt})(?![A-Za-z0-9._-])|(?<=^${stamp} )(?:${alt})(?= )|(?<=^|[\s(\[=,])(?:${alt})(?=:\d)${token}`,
    'gm',
  )
}

/**
 * The host-name pass: host-name fields (any value: another machine's name there identifies it as
 * well), `host` fields that hold one of this machine's names, and this machine's short names where
 * a host name sits. New names get new ids from `hostIds`, so one name is one pseudonym bundle-wide.
 */
export class HostFields {
  private readonly positions: RegExp | null

  constructor(
    private readonly hostIds: HostIds,
    hosts: readonly string[],
  ) {
    this.positions = hostPositions(hosts.filter((h) => h.length < MIN_NAME))
  }

  replace(text: string): {text: string; hits: LiteralHit[]} {
    const hits: LiteralHit[] = []
    // Replacements keep every line break, so a line found in either pass is the original's.
    const hitIn = (of: string) => {
      let lineOf: ((i: number) => number) | undefined
      return (index: number) => hits.push({rule: PSEUDONYM_RULES.host, line: (lineOf ??= lineIndex(of))(index)})
    }
    const fieldHit = hitIn(text)
    let out = text.replace(HOST_FIELD, (all, key: string, sep: string, value: string, offset: number) => {
      const ours = this.hostIds.knows(value)
      if (!ours && (NOT_A_NAME.test(value) || PSEUDONYM.test(value) || !HOSTNAME_KEY.test(key))) return all
      fieldHit(offset)
      return `${key}${sep}${this.hostIds.idOf(value)}`
    })
    if (this.positions) {
      const positionHit = hitIn(out)
      out = out.replace(this.positions, (name: string, offset: number) => {
        positionHit(offset)
        return this.hostIds.idOf(name)
      })
    }
    return {text: out, hits}
  }
}

function safe<T>(get: () => T): T | undefined {
  try {
    return get()
  } catch {
    return undefined
  }
}
