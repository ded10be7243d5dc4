/**
 * Reading one host's JSON report for `doctor report merge`. Reports come from many machines and
 * doctorkit versions, through Ansible's fetch or a hand-made copy, so nothing is assumed: the file
 * must be a regular file of bounded size (a FIFO is never opened for reading, it would block),
 * UTF-8 JSON, a doctorkit report of a schema version this build reads, and every field the merge
 * uses must have its documented type. Each problem is said with the field's path.
 */
import {constants, promises as fsp, type Stats} from 'node:fs'
import {basename, dirname, resolve} from 'node:path'
import {jsonSyntaxProblem} from '../config/json-position.js'
import {STATUSES, type Status} from '../types.js'
import {toolVersion as ownVersion} from '../version.js'

/** Far above any real report (a few hundred KiB with every finding), far below what could hurt. */
export const MAX_REPORT_BYTES = 16 * 1024 * 1024
/** The report schema versions this build reads. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1]
/** Problems listed per file before "and N more". */
const MAX_PROBLEMS = 5

export interface HostFinding {
  symptom: string
  severity: 'warn' | 'fail'
  message: string
  fixSummary: string | null
  suppressed: boolean
}

export interface HostResult {
  check: string
  target: string
  status: Status
  reason: string | null
  findings: HostFinding[]
}

/** What the merge needs of one report, checked. */
export interface HostReport {
  host: string
  /** `report`: its own `host` field; `directory`: the name of the directory the file is in. */
  hostFrom: 'report' | 'directory'
  /** As the user named it. */
  file: string
  toolVersion: string
  startedAt: string
  targets: Array<{id: string; generation: string | null}>
  results: HostResult[]
}

export type ReadOutcome = {ok: true; report: HostReport} | {ok: false; file: string; problem: string}

const kind = (s: Stats) =>
  s.isDirectory()
    ? 'a directory'
    : s.isFIFO()
      ? 'a FIFO (named pipe)'
      : s.isSocket()
        ? 'a socket'
        : s.isCharacterDevice()
          ? 'a character device'
          : s.isBlockDevice()
            ? 'a block device'
            : 'not a regular file'

const size = (n: number) =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${n} bytes`

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return String(value)
}

/** Reads and checks one report file; never throws for what the file holds. */
export async function readHostReport(shown: string, cwd: string): Promise<ReadOutcome> {
  const path = resolve(cwd, shown)
  const fail = (problem: string): ReadOutcome => ({ok: false, file: shown, problem})
  let bytes: Buffer
  try {
    const read = await readBounded(path)
    if ('problem' in read) return fail(read.problem)
    bytes = read.bytes
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why: Record<string, string> = {
      ENOENT: 'does not exist',
      EACCES: 'cannot be read: permission denied',
      EPERM: 'cannot be read: operation not permitted',
      ELOOP: 'is a symlink loop',
      ENOTDIR: 'does not exist (a part of its path is not a directory)',
      ENXIO: 'is a device or socket that cannot be opened for reading',
    }
    return fail(why[code ?? ''] ?? `cannot be read: ${(error as Error).message}`)
  }
  const text = decode(bytes)
  if (typeof text !== 'string') return fail(text.problem)
  if (text.trim() === '') return fail('is empty, not a doctorkit report')
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    // By position only: V8's message quotes the file's bytes.
    return fail(`is not JSON: ${jsonSyntaxProblem(text)}`)
  }
  const problems: string[] = []
  const report = checkReport(raw, problems)
  if (!report || problems.length > 0) {
    const listed = problems.slice(0, MAX_PROBLEMS).join('; ')
    return fail(problems.length > MAX_PROBLEMS ? `${listed}; and ${problems.length - MAX_PROBLEMS} more problems` : listed)
  }
  const own = report.host
  if (own !== undefined) return {ok: true, report: {...report.body, host: own, hostFrom: 'report', file: shown}}
  // Ansible's fetch lays files out as <dest>/<inventory_hostname>/…: the directory names the host.
  const dir = basename(dirname(path))
  if (!dir || dir === '/') return fail('has no "host" field, and its directory has no name that could stand for the host')
  return {ok: true, report: {...report.body, host: dir, hostFrom: 'directory', file: shown}}
}

/** Opens without blocking (a FIFO would wait for a writer), then reads at most MAX_REPORT_BYTES + 1. */
async function readBounded(path: string): Promise<{bytes: Buffer} | {problem: string}> {
  const handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) {
      const hint = stat.isDirectory() ? '; pass the report files in it (for example DIR/*/doctor.json)' : ''
      return {problem: `is ${kind(stat)}, not a report file${hint}`}
    }
    if (stat.size > MAX_REPORT_BYTES)
      return {problem: `is ${size(stat.size)}; a doctorkit report is at most ${size(MAX_REPORT_BYTES)} (is this the right file?)`}
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1024 * 1024, MAX_REPORT_BYTES + 1 - total))
      const {bytesRead} = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
      // The file grew while being read (or its size was not what stat said).
      if (total > MAX_REPORT_BYTES)
        return {problem: `is more than ${size(MAX_REPORT_BYTES)}; a doctorkit report is at most that (is this the right file?)`}
    }
    return {bytes: Buffer.concat(chunks)}
  } finally {
    await handle.close()
  }
}

function decode(bytes: Buffer): string | {problem: string} {
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return {
      problem:
        'is UTF-16 text (as a PowerShell redirect writes it); write the report with `doctor --json --output FILE`, which writes UTF-8',
    }
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return {problem: 'is UTF-16 text; write the report with `doctor --json --output FILE`, which writes UTF-8'}
  try {
    return new TextDecoder('utf-8', {fatal: true, ignoreBOM: false}).decode(bytes)
  } catch {
    return {problem: 'is not UTF-8 text, so not a doctorkit report (a binary file?)'}
  }
}

type Obj = Record<string, unknown>
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Checks the fields the merge reads; pushes a problem per bad field and returns what it could take. */
function checkReport(
  raw: unknown,
  problems: string[],
): {host: string | undefined; body: Omit<HostReport, 'host' | 'hostFrom' | 'file'>} | null {
  if (!isObject(raw)) {
    problems.push(`is JSON but not a doctorkit report: it holds ${describe(raw)}, not an object`)
    return null
  }
  const tool = raw.tool
  const toolName = isObject(tool) ? tool.name : undefined
  const toolVersion = isObject(tool) && typeof tool.version === 'string' ? tool.version : null
  if (raw.schemaVersion === undefined && toolName !== 'doctorkit') {
    problems.push('is JSON but not a doctorkit report: it has no "schemaVersion" nor "tool": {"name": "doctorkit"}')
    return null
  }
  if (toolName !== 'doctorkit') {
    problems.push(
      isObject(tool)
        ? `tool.name is ${describe(toolName)}, not "doctorkit": another program wrote this`
        : `"tool" is ${tool === undefined ? 'missing' : describe(tool)}; a doctorkit report names the tool that wrote it`,
    )
    return null
  }
  if (typeof raw.schemaVersion !== 'number') {
    problems.push(`"schemaVersion" is ${raw.schemaVersion === undefined ? 'missing' : describe(raw.schemaVersion)}, not a number`)
    return null
  }
  if (!READABLE_SCHEMA_VERSIONS.includes(raw.schemaVersion)) {
    const by = toolVersion ? ` (written by doctorkit ${toolVersion})` : ''
    const newer = raw.schemaVersion > Math.max(...READABLE_SCHEMA_VERSIONS)
    const advice = newer
      ? `merge with doctorkit ${toolVersion ?? 'as new as the one that wrote it'} or newer`
      : 'run the doctor on that host again with this doctorkit'
    problems.push(
      `has report schema version ${raw.schemaVersion}${by}; this doctorkit (${ownVersion()}) reads schema version ${READABLE_SCHEMA_VERSIONS.join(', ')}: ${advice}`,
    )
    return null
  }
  if (toolVersion === null)
    problems.push(`tool.version is ${isObject(tool) && tool.version !== undefined ? describe(tool.version) : 'missing'}, not a string`)

  let host: string | undefined
  if (raw.host !== undefined) {
    if (typeof raw.host !== 'string' || !/^[^\s\p{Cc}]{1,253}$/u.test(raw.host))
      problems.push(`"host" is ${describe(raw.host)}, not a host name`)
    else host = raw.host
  }
  const startedAt = typeof raw.startedAt === 'string' && !Number.isNaN(Date.parse(raw.startedAt)) ? raw.startedAt : null
  if (startedAt === null)
    problems.push(`"startedAt" is ${raw.startedAt === undefined ? 'missing' : describe(raw.startedAt)}, not an ISO date-time`)

  const targets: HostReport['targets'] = []
  if (!Array.isArray(raw.targets))
    problems.push(`"targets" is ${raw.targets === undefined ? 'missing' : describe(raw.targets)}, not an array`)
  else {
    raw.targets.forEach((t: unknown, i) => {
      const at = `targets[${i}]`
      if (!isObject(t)) return void problems.push(`${at} is ${describe(t)}, not an object`)
      if (typeof t.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(t.id))
        return void problems.push(`${at}.id is ${t.id === undefined ? 'missing' : describe(t.id)}, not a target id`)
      if (t.generation !== undefined && t.generation !== null && typeof t.generation !== 'string')
        return void problems.push(`${at}.generation is ${describe(t.generation)}, not a string or null`)
      // Targets that were neither detected nor forced were not checked: they are not the host's.
      if (t.detected === true || t.forced === true)
        targets.push({id: t.id, generation: (t.generation as string | null | undefined) ?? null})
    })
  }

  const results: HostResult[] = []
  if (!Array.isArray(raw.checks)) problems.push(`"checks" is ${raw.checks === undefined ? 'missing' : describe(raw.checks)}, not an array`)
  else
    raw.checks.forEach((c: unknown, i) => {
      const result = checkResult(c, `checks[${i}]`, problems)
      if (result) results.push(result)
    })
  if (problems.length > 0) return null
  return {host, body: {toolVersion: toolVersion!, startedAt: startedAt!, targets, results}}
}

function checkResult(c: unknown, at: string, problems: string[]): HostResult | null {
  if (!isObject(c)) {
    problems.push(`${at} is ${describe(c)}, not an object`)
    return null
  }
  const before = problems.length
  const field = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(c[key])) problems.push(`${at}.${key} is ${c[key] === undefined ? 'missing' : describe(c[key])}, not ${what}`)
  }
  field('id', (v) => typeof v === 'string' && /^[a-z][a-z0-9-]*$/.test(v), 'a check id')
  field('target', (v) => typeof v === 'string' && /^[a-z][a-z0-9-]*$/.test(v), 'a target id')
  field('status', (v) => typeof v === 'string' && (STATUSES as readonly string[]).includes(v), `one of ${STATUSES.join(', ')}`)
  field('reason', (v) => v === undefined || typeof v === 'string', 'a string')
  field('findings', Array.isArray, 'an array')
  const findings: HostFinding[] = []
  if (Array.isArray(c.findings)) {
    c.findings.forEach((f: unknown, j) => {
      const fat = `${at}.findings[${j}]`
      if (!isObject(f)) return void problems.push(`${fat} is ${describe(f)}, not an object`)
      if (typeof f.symptom !== 'string' || !/^[a-z][a-z0-9-]*\/[a-z0-9-]+$/.test(f.symptom))
        return void problems.push(`${fat}.symptom is ${f.symptom === undefined ? 'missing' : describe(f.symptom)}, not a symptom id`)
      if (f.severity !== 'warn' && f.severity !== 'fail')
        return void problems.push(`${fat}.severity is ${f.severity === undefined ? 'missing' : describe(f.severity)}, not warn or fail`)
      if (typeof f.message !== 'string')
        return void problems.push(`${fat}.message is ${f.message === undefined ? 'missing' : describe(f.message)}, not a string`)
      const summary = isObject(f.fix) && typeof f.fix.summary === 'string' ? f.fix.summary : null
      findings.push({
        symptom: f.symptom,
        severity: f.severity,
        message: f.message,
        fixSummary: summary,
        suppressed: f.suppressed !== undefined,
      })
    })
  }
  if (problems.length > before) return null
  return {
    check: c.id as string,
    target: c.target as string,
    status: c.status as Status,
    reason: (c.reason as string | undefined) ?? null,
    findings,
  }
}
