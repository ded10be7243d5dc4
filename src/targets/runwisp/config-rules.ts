/**
 * What each RunWisp generation accepts in `runwisp.toml` (runwisp-facts §5.1): renamed keys and
 * values, cron syntax, notifier references, and the `parallelism = 1` + `on_overlap = "skip"` trap
 * the troubleshooting page explains. The top level is known whole (§5.1 lists its sections, and
 * unknown keys are rejected at load); inside a section only documented rules are enforced — an
 * unknown key that is not a documented rename is left alone rather than guessed at.
 */
import {validateCron, parseSize} from './formats.js'
import {since, type RunwispFacts, type Tristate} from './generations.js'
import {isTable, positionOf, type KeyPath, type KeyPositions, type TomlTable} from './config.js'

export type IssueKind = 'unknown-key' | 'bad-value' | 'cron' | 'notifier' | 'overlap-skip'

export interface ConfigIssue {
  kind: IssueKind
  /** Dotted key as RunWisp names it (`tasks.backup.parallelism`). */
  key: string
  line: number | null
  column: number | null
  /** What is wrong and what the generation expects. */
  detail: string
  /** For overlap-skip and notifier issues: the task or route concerned. */
  task?: string
}

interface Rename {
  /** Key written in the file. */
  key: string
  /** The other spelling. */
  other: string
  /** Version where `other` replaced `key` (so `key` is wrong from it on, and `other` wrong before it). */
  version: string
}

/** Task keys renamed across versions (runwisp-facts §0, §5.1). */
const TASK_RENAMES: Rename[] = [
  {key: 'parallelism', other: 'max_concurrent', version: '0.5.0'},
  {key: 'queue_max', other: 'max_queued', version: '0.16.0'},
  {key: 'api_trigger', other: 'manual_trigger', version: '0.16.0'},
  {key: 'notify_on_failure', other: 'notify', version: '1.0.0'},
  {key: 'notify_on_success', other: 'notify', version: '1.0.0'},
  {key: 'exit_codes', other: 'failures', version: '1.0.0'},
  {key: 'treat_missed_as_failure', other: 'failures', version: '1.0.0'},
]

/** Keys that were never RunWisp's but that people write: the loader's "did you mean". */
const MISSPELLED: Record<string, string> = {schedule: 'cron', command: 'run', cmd: 'run', concurrency: 'max_concurrent'}

/**
 * The top-level sections of runwisp.toml and the versions that read them (runwisp-facts §5.1, §0).
 * Anything else at the top level — a section or a bare key — is rejected at load.
 */
const SECTIONS: Record<string, {from?: string; before?: string}> = {
  tasks: {},
  services: {},
  compose: {from: '0.7.0'},
  defaults: {},
  daemon: {},
  storage: {},
  notify: {},
  notifiers: {from: '0.16.0'},
  route: {from: '0.16.0'},
  notifier: {from: '0.4.0', before: '0.16.0'},
  notification_route: {from: '0.4.0', before: '0.16.0'},
  scheduler: {before: '1.0.0'},
}

/** Settings people write into runwisp.toml that RunWisp takes from flags and the environment only (runwisp-facts §1.1, §2.1). */
const FLAG_ONLY: Record<string, string> = {
  port: 'the port is set with --port / -p or RUNWISP_PORT (0.14+), not in runwisp.toml',
  host: 'the listen address is set with --host or RUNWISP_HOST (0.14+), not in runwisp.toml',
  data: 'the data dir is set with --data or RUNWISP_DATA (0.14+), not in runwisp.toml',
  data_dir: 'the data dir is set with --data or RUNWISP_DATA (0.14+), not in runwisp.toml',
}

const TASK_NAME = /^[a-zA-Z0-9._-]+$/
const TASK_NAME_WITH_COLON = /^[a-zA-Z0-9._:-]+$/

export function validateConfig(data: TomlTable, positions: KeyPositions, facts: RunwispFacts): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const at = (path: KeyPath) => positionOf(positions, path)
  const push = (kind: IssueKind, path: KeyPath, detail: string, task?: string) => {
    const p = at(path)
    issues.push({kind, key: path.map(String).join('.'), line: p?.line ?? null, column: p?.column ?? null, detail, ...(task ? {task} : {})})
  }
  const v16 = since(facts, '0.16.0')
  const v10 = since(facts, '1.0.0')

  // Notifier blocks: [[notifier]] (0.4–0.15) vs [notifiers.<id>] (0.16+); routes likewise.
  const notifierIds = new Set<string>()
  if (isTable(data.notifiers)) for (const id of Object.keys(data.notifiers)) notifierIds.add(id)
  if (Array.isArray(data.notifier)) for (const n of data.notifier) if (isTable(n) && typeof n.id === 'string') notifierIds.add(n.id)
  if (data.notifier !== undefined) {
    if (v16 === 'yes')
      push('unknown-key', ['notifier'], '[[notifier]] blocks became [notifiers.<id>] tables in 0.16.0; this version rejects [[notifier]]')
    else if (since(facts, '0.4.0') === 'no')
      push('unknown-key', ['notifier'], 'notifications arrived in 0.4.0; this version has no [[notifier]]')
  }
  if (data.notifiers !== undefined && v16 === 'no')
    push('unknown-key', ['notifiers'], '[notifiers.<id>] is the 0.16+ form; this version reads [[notifier]] blocks with an id')
  if (data.notification_route !== undefined && v16 === 'yes')
    push(
      'unknown-key',
      ['notification_route'],
      '[[notification_route]] became [[route]] in 0.16.0; this version rejects [[notification_route]]',
    )
  if (data.route !== undefined && v16 === 'no')
    push('unknown-key', ['route'], '[[route]] is the 0.16+ form; this version reads [[notification_route]]')
  if (data.scheduler !== undefined && v10 === 'yes')
    push('unknown-key', ['scheduler'], '[scheduler] is rejected from 1.0.0: move timezone to [daemon] timezone')
  topLevelIssues(data, facts, push)

  const checkRefs = (refs: unknown, path: KeyPath, where: string, task?: string) => {
    if (!Array.isArray(refs)) return
    refs.forEach((ref, i) => {
      if (typeof ref !== 'string') return
      const id = ref.split(':')[0]!
      if (id === 'inapp' || notifierIds.has(id)) return
      const known = notifierIds.size > 0 ? `defined: ${[...notifierIds].map((n) => `"${n}"`).join(', ')}` : 'no notifier is defined'
      push('notifier', [...path, i], `${where} names notifier "${id}", but no notifier has that id (${known})`, task)
    })
  }

  for (const routeKey of ['route', 'notification_route'] as const) {
    const routes = data[routeKey]
    if (!Array.isArray(routes)) continue
    routes.forEach((route, i) => {
      if (!isTable(route)) return
      const base: KeyPath = [routeKey, i]
      for (const refKey of ['notifiers', 'notify']) checkRefs(route[refKey], [...base, refKey], `[[${routeKey}]] #${i + 1}`)
      if (routeKey === 'route' && route.notify !== undefined && v16 === 'yes')
        push('unknown-key', [...base, 'notify'], "a route's notify = [...] became notifiers = [...] in 0.16.0")
      const match = route.match
      if (isTable(match)) {
        if (match.kind !== undefined && since(facts, '0.14.0') === 'yes')
          push('unknown-key', [...base, 'match', 'kind'], 'match.kind became the array match.kinds in 0.14.0')
        const kinds = Array.isArray(match.kinds) ? match.kinds : Array.isArray(match.kind) ? match.kind : []
        if (kinds.includes('notify.delivery_failed') && v16 === 'yes') {
          push(
            'bad-value',
            [...base, 'match'],
            'notify.delivery_failed is in-app only and bypasses routing; a route matching it is rejected at load (0.16.4+)',
          )
        }
      }
    })
  }
  if (isTable(data.notify)) checkRefs(data.notify.global_notifiers, ['notify', 'global_notifiers'], '[notify] global_notifiers')

  if (isTable(data.storage)) {
    for (const key of ['min_free_space', 'max_size']) {
      const value = data.storage[key]
      if (value === undefined) continue
      const size = parseSize(value)
      if (!size.ok) push('bad-value', ['storage', key], size.reason)
    }
  }

  for (const section of ['tasks', 'services'] as const) {
    const table = data[section]
    if (table === undefined) continue
    if (!isTable(table)) {
      push('bad-value', [section], `[${section}] must be a table of named ${section}`)
      continue
    }
    for (const [name, entry] of Object.entries(table)) {
      if (!isTable(entry)) continue
      validateTask(section, name, entry, facts, push, checkRefs)
    }
  }
  return issues
}

type Push = (kind: IssueKind, path: KeyPath, detail: string, task?: string) => void

/** Top-level keys no RunWisp reads, sections this generation does not read yet, and flag-only settings written as keys. */
function topLevelIssues(data: TomlTable, facts: RunwispFacts, push: Push): void {
  const readable = (name: string) => {
    const range = SECTIONS[name]!
    return (!range.from || since(facts, range.from) !== 'no') && (!range.before || since(facts, range.before) !== 'yes')
  }
  for (const [key, value] of Object.entries(data)) {
    const range = SECTIONS[key]
    if (range) {
      // The generation-specific forms of notifiers, routes and [scheduler] have their own messages above.
      if (key === 'compose' && !readable(key)) push('unknown-key', [key], `[compose] arrived in ${range.from}; this version rejects it`)
      continue
    }
    const what = isTable(value) || (Array.isArray(value) && value.every(isTable)) ? `section [${key}]` : `key "${key}"`
    const hint = FLAG_ONLY[key]
      ? `: ${FLAG_ONLY[key]}${key === 'port' ? portNote(value) : ''}`
      : nearest(key, Object.keys(SECTIONS).filter(readable))
    push('unknown-key', [key], `unknown top-level ${what}${hint}`)
  }
  if (isTable(data.daemon)) {
    for (const key of Object.keys(data.daemon)) {
      if (FLAG_ONLY[key])
        push(
          'unknown-key',
          ['daemon', key],
          `unknown key "${key}" in [daemon]: ${FLAG_ONLY[key]}${key === 'port' ? portNote(data.daemon[key]) : ''}`,
        )
    }
  }
}

/** A port value that could not be one anyway (`-1`, `1.5e300`, `"http"`) is said so too. */
function portNote(value: unknown): string {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
    ? ''
    : ` (and ${typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value))} is no valid port number: 1–65535)`
}

/** The loader's "did you mean": the closest section name this version reads, within two edits. */
function nearest(key: string, names: string[]): string {
  let best: {name: string; d: number} | null = null
  for (const name of names) {
    const d = editDistance(key.toLowerCase(), name)
    if (d <= 2 && (!best || d < best.d)) best = {name, d}
  }
  return best ? ` (did you mean '${best.name}'?)` : ` (RunWisp reads ${names.map((n) => `[${n}]`).join(', ')})`
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}
type CheckRefs = (refs: unknown, path: KeyPath, where: string, task?: string) => void

function validateTask(
  section: 'tasks' | 'services',
  name: string,
  task: TomlTable,
  facts: RunwispFacts,
  push: Push,
  checkRefs: CheckRefs,
): void {
  const base: KeyPath = [section, name]
  const label = `${section}.${name}`
  const v16 = since(facts, '0.16.0')
  const colonOk = since(facts, '0.8.0') !== 'no'
  if (name.length > 100 || !(colonOk ? TASK_NAME_WITH_COLON : TASK_NAME).test(name)) {
    push('bad-value', base, `task names must match ${colonOk ? '^[a-zA-Z0-9._:-]+$' : '^[a-zA-Z0-9._-]+$'} and be at most 100 characters`)
  }
  const reported = new Set<string>()
  for (const r of TASK_RENAMES) {
    const old = since(facts, r.version)
    if (task[r.key] !== undefined && old === 'yes')
      push('unknown-key', [...base, r.key], `unknown key "${r.key}": renamed in ${r.version} (did you mean '${r.other}'?)`)
    if (task[r.other] !== undefined && old === 'no' && !reported.has(r.other)) {
      reported.add(r.other)
      push('unknown-key', [...base, r.other], `"${r.other}" is the ${r.version}+ name; this version reads "${r.key}"`)
    }
  }
  for (const [wrong, right] of Object.entries(MISSPELLED)) {
    if (task[wrong] !== undefined && task[right] === undefined)
      push('unknown-key', [...base, wrong], `unknown key "${wrong}" (did you mean '${right}'?)`)
  }

  const overlap = task.on_overlap
  if (overlap !== undefined) {
    if (section === 'services' && since(facts, '1.0.0') === 'yes')
      push('bad-value', [...base, 'on_overlap'], 'on_overlap is rejected on services from 1.0.0')
    else checkEnum(overlap, [...base, 'on_overlap'], v16, {both: ['queue', 'skip'], before: 'terminate', after: 'kill'}, push)
  }
  if (task.log_on_full !== undefined)
    checkEnum(task.log_on_full, [...base, 'log_on_full'], v16, {both: ['drop_old', 'drop_new'], before: 'kill_task', after: 'kill'}, push)
  if (task.log_max_size !== undefined) {
    const size = parseSize(task.log_max_size)
    if (!size.ok) push('bad-value', [...base, 'log_max_size'], size.reason)
  }
  if (task.catch_up !== undefined) {
    const v10 = since(facts, '1.0.0')
    const isInt = typeof task.catch_up === 'number' && Number.isInteger(task.catch_up)
    const isWord = typeof task.catch_up === 'string' && ['latest', 'all', 'skip'].includes(task.catch_up)
    if (v10 === 'yes' && !isInt)
      push('bad-value', [...base, 'catch_up'], `catch_up is an integer since 1.0.0 (got ${JSON.stringify(task.catch_up)})`)
    else if (v10 === 'no' && !isWord)
      push('bad-value', [...base, 'catch_up'], `catch_up is "latest", "all" or "skip" before 1.0.0 (got ${JSON.stringify(task.catch_up)})`)
    else if (v10 === 'unknown' && !isInt && !isWord)
      push(
        'bad-value',
        [...base, 'catch_up'],
        `catch_up must be an integer (1.0+) or "latest"/"all"/"skip" (got ${JSON.stringify(task.catch_up)})`,
      )
  }
  const limitKey = task.max_concurrent !== undefined ? 'max_concurrent' : task.parallelism !== undefined ? 'parallelism' : null
  const limit = limitKey ? task[limitKey] : undefined
  if (limitKey && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1024)) {
    push('bad-value', [...base, limitKey], `${limitKey} must be an integer from 1 to 1024 (got ${JSON.stringify(limit)})`)
  }
  if (section === 'tasks' && limit === 1 && overlap === 'skip') {
    push('overlap-skip', [...base, 'on_overlap'], `${label} has ${limitKey} = 1 and on_overlap = "skip"`, name)
  }
  if (task.cron !== undefined) {
    if (typeof task.cron !== 'string') push('cron', [...base, 'cron'], `cron must be a string (got ${JSON.stringify(task.cron)})`, name)
    else {
      const verdict = validateCron(task.cron, {seconds: since(facts, '0.9.0'), sundayAsSeven: since(facts, '0.14.0')})
      if (!verdict.ok) push('cron', [...base, 'cron'], `cron "${task.cron}" is invalid: ${verdict.reason}`, name)
      else if (verdict.impossible)
        push(
          'cron',
          [...base, 'cron'],
          `cron "${task.cron}" can never fire: ${verdict.impossible} (RunWisp 1.5+ rejects it at load; older versions load it and never run the task)`,
          name,
        )
    }
  }
  for (const key of ['notify_on_failure', 'notify_on_success', 'notify']) checkRefs(task[key], [...base, key], `${label}.${key}`, name)
}

function checkEnum(
  value: unknown,
  path: KeyPath,
  v16: Tristate,
  values: {both: string[]; before: string; after: string},
  push: Push,
): void {
  const key = String(path.at(-1))
  const allowed =
    v16 === 'yes'
      ? [...values.both, values.after]
      : v16 === 'no'
        ? [...values.both, values.before]
        : [...values.both, values.before, values.after]
  if (typeof value === 'string' && allowed.includes(value)) return
  let detail = `${key} = ${JSON.stringify(value)} is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`
  if (value === values.before && v16 === 'yes') detail = `${key} = "${values.before}" was renamed "${values.after}" in 0.16.0`
  if (value === values.after && v16 === 'no')
    detail = `${key} = "${values.after}" is the 0.16+ spelling; this version calls it "${values.before}"`
  push('bad-value', path, detail)
}

/** Version ranges the config's own spelling implies (runwisp-facts §0, §5.1), used to tell the generation. */
export interface ConfigClue {
  from: string | null
  /** Exclusive upper bound. */
  before: string | null
  why: string
}

export function configClues(data: TomlTable): ConfigClue[] {
  const clues: ConfigClue[] = []
  const add = (from: string | null, before: string | null, why: string) => clues.push({from, before, why})
  const tasks = [
    ...Object.values(isTable(data.tasks) ? data.tasks : {}),
    ...Object.values(isTable(data.services) ? data.services : {}),
  ].filter(isTable)
  const anyTask = (test: (t: TomlTable) => boolean) => tasks.some(test)
  if (anyTask((t) => t.parallelism !== undefined)) add(null, '0.5.0', 'runwisp.toml uses parallelism (renamed max_concurrent in 0.5.0)')
  if (anyTask((t) => t.max_concurrent !== undefined)) add('0.5.0', null, 'runwisp.toml uses max_concurrent (0.5.0+)')
  if (data.notifier !== undefined || data.notification_route !== undefined)
    add('0.4.0', '0.16.0', 'runwisp.toml uses [[notifier]]/[[notification_route]] (0.4–0.15)')
  if (data.notifiers !== undefined || data.route !== undefined) add('0.16.0', null, 'runwisp.toml uses [notifiers.<id>]/[[route]] (0.16+)')
  if (
    anyTask(
      (t) => t.on_overlap === 'terminate' || t.log_on_full === 'kill_task' || t.queue_max !== undefined || t.api_trigger !== undefined,
    )
  ) {
    add(null, '0.16.0', 'runwisp.toml uses a pre-0.16 spelling (terminate, kill_task, queue_max or api_trigger)')
  }
  if (anyTask((t) => t.on_overlap === 'kill' || t.log_on_full === 'kill' || t.max_queued !== undefined || t.manual_trigger !== undefined)) {
    add('0.16.0', null, 'runwisp.toml uses a 0.16+ spelling (kill, max_queued or manual_trigger)')
  }
  if (
    anyTask(
      (t) => t.failures !== undefined || (t.notify !== undefined && t.notify_on_failure === undefined) || typeof t.catch_up === 'number',
    )
  ) {
    add('1.0.0', null, 'runwisp.toml uses a 1.0+ key (notify, failures or an integer catch_up)')
  }
  if (data.scheduler !== undefined) add(null, '1.0.0', 'runwisp.toml has [scheduler] (rejected from 1.0.0)')
  return clues
}
