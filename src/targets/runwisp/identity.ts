/**
 * "Is this process RunWisp?" — decided from the process (its name or executable), or from the
 * daemon's own identity endpoint cross-checked against the process holding the port; never from
 * "something answers 200". Which data dir a daemon serves is `daemon-facts.ts`'s question.
 */
import {basename} from 'node:path'
import type {CheckContext} from '../../context.js'
import type {ProcessInfo} from '../../probes/processes.js'
import type {Evidence} from '../../types.js'
import {recordedPid, type RecordedPidOf, type RecordedPidRule} from '../recorded-pid.js'

export type Identity = {verdict: 'runwisp' | 'foreign'; why: string}

/**
 * runwisp-facts §1.6: 0.13–0.16 counted a pid as the daemon when `/proc/<pid>/comm` contains
 * "runwisp" (case-insensitive); the doctor uses the same rule, plus the executable's name.
 */
export function processIdentity(proc: Pick<ProcessInfo, 'comm' | 'exe'>): Identity {
  if (/runwisp/i.test(proc.comm)) return {verdict: 'runwisp', why: `its process name is "${proc.comm}"`}
  if (proc.exe && /^runwisp(\.exe)?$/i.test(basename(proc.exe))) return {verdict: 'runwisp', why: `its executable is ${proc.exe}`}
  return {verdict: 'foreign', why: `its process name is "${proc.comm}" and its executable ${proc.exe ?? 'unknown'}, not RunWisp's`}
}

/** Subcommands that never serve (runwisp-facts §5.5): a `runwisp status` is RunWisp but not a daemon. */
const ONE_SHOT = new Set([
  'validate',
  'import',
  'promote',
  'list',
  'run',
  'exec',
  'status',
  'logs',
  'stop',
  'restart',
  'pause',
  'resume',
  'reload',
  'password',
  'openapi',
  'schema',
  'service',
  'takeover',
  'demo',
  'tui',
  'start',
  'version',
  'help',
])

/** A RunWisp process that serves a daemon: `runwisp daemon …`, bare `runwisp` (TUI host) or `station`. */
export function isDaemonProcess(proc: ProcessInfo): boolean {
  if (processIdentity(proc).verdict !== 'runwisp' || proc.state === 'Z') return false
  const sub = subcommand(proc.argv)
  return sub === null || sub === 'daemon' || sub === 'station'
}

function subcommand(argv: readonly string[]): string | null {
  // Skip the executable and any interpreter arguments (a dev build run through an interpreter).
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-') || arg.includes('/') || arg.endsWith('.ts') || arg.endsWith('.js')) continue
    if (ONE_SHOT.has(arg) || arg === 'daemon' || arg === 'station') return arg
    return null
  }
  return null
}

/** A command line with password values masked: `runwisp --password x` must not end up in a report. */
export function redactCommand(cmdline: string): string {
  return cmdline.replace(/(--password[= ]|RUNWISP_PASSWORD=)\S+/g, '$1<redacted>')
}

export function processEvidence(proc: ProcessInfo): Evidence {
  const command = redactCommand(proc.cmdline)
  return {
    pid: proc.pid,
    command: command.length > 300 ? `${command.slice(0, 300)}…` : command,
    executable: proc.exe,
    uid: proc.uid,
    processStartedAt: new Date(proc.startedAtMs).toISOString(),
  }
}

export type RecordedPid = RecordedPidOf<Identity>

/**
 * Whether the pid written in `daemon.pid` (at `writtenAtMs`, its mtime) is still the RunWisp that
 * wrote it (src/targets/recorded-pid.ts, one order for every target).
 */
export function checkRecordedPid(ctx: CheckContext, pid: number, writtenAtMs: number | null): Promise<RecordedPid> {
  return recordedPid(ctx, pid, writtenAtMs, runwispPidRule)
}

/** RunWisp's identity rule for a recorded pid (its process name or executable), with password values masked in messages. */
export const runwispPidRule: RecordedPidRule<Identity> = {
  identify(proc) {
    const identity = processIdentity(proc)
    return Promise.resolve(identity.verdict === 'foreign' ? {foreign: true, why: identity.why} : {foreign: false, identity})
  },
  command: (proc) => redactCommand(proc.cmdline),
}

export interface Account {
  name: string
  uid: number
  gid: number
}

/** Users and groups from /etc/passwd and /etc/group (read once per run). */
export function accounts(ctx: CheckContext): Promise<{users: Account[]; groups: Array<{name: string; gid: number; members: string[]}>}> {
  return ctx.memo('runwisp:accounts', async () => {
    const [passwd, group] = await Promise.all([ctx.files.read('/etc/passwd'), ctx.files.read('/etc/group')])
    const users = passwd.ok
      ? passwd.text.split('\n').flatMap((line) => {
          const [name, , uid, gid] = line.split(':')
          return name && uid !== undefined && gid !== undefined && /^\d+$/.test(uid) ? [{name, uid: Number(uid), gid: Number(gid)}] : []
        })
      : []
    const groups = group.ok
      ? group.text.split('\n').flatMap((line) => {
          const [name, , gid, members] = line.split(':')
          return name && gid !== undefined && /^\d+$/.test(gid)
            ? [{name, gid: Number(gid), members: (members ?? '').split(',').filter(Boolean)}]
            : []
        })
      : []
    return {users, groups}
  })
}

/** A `User=` value (name or numeric uid) as an account; null when no such user exists. */
export async function lookupUser(ctx: CheckContext, nameOrUid: string | number): Promise<Account | null> {
  const {users} = await accounts(ctx)
  const text = String(nameOrUid)
  const byName = users.find((u) => u.name === text)
  if (byName) return byName
  if (/^\d+$/.test(text)) return users.find((u) => u.uid === Number(text)) ?? {name: text, uid: Number(text), gid: Number(text)}
  return null
}

export async function userName(ctx: CheckContext, uid: number): Promise<string> {
  return (await accounts(ctx)).users.find((u) => u.uid === uid)?.name ?? String(uid)
}

export async function groupName(ctx: CheckContext, gid: number): Promise<string> {
  return (await accounts(ctx)).groups.find((g) => g.gid === gid)?.name ?? String(gid)
}

/** Group ids of an account: its primary group and every group listing it as a member. */
export async function groupsOf(ctx: CheckContext, account: Account): Promise<Set<number>> {
  const {groups} = await accounts(ctx)
  return new Set([account.gid, ...groups.filter((g) => g.members.includes(account.name)).map((g) => g.gid)])
}
