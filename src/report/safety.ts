/**
 * Output safety: the one step every output goes through before it is rendered — the human report,
 * `--json`, JUnit, GitHub annotations and step summary, Prometheus, `--dry-run` / `--fix` plans,
 * `report merge` and the bundle's `report.md`. Machine-sourced text (a squatter's argv, a log line,
 * a config key) gets:
 *   1. the bundle's redaction of known values (raw, JSON-escaped, URL-encoded, base64) and of
 *      secret patterns, including the values of flags whose names say secret (`--auth-token X`);
 *   2. its terminal controls neutralised: C0 and C1 controls (ESC, BEL, CSI, OSC and so OSC 52
 *      clipboard writes) and bidi overrides become visible escapes (`\x1b`), so printing a report
 *      can never retitle, clear or write to the clipboard of the terminal reading it.
 * Pseudonyms are the bundle's alone: a person reading their own report wants their own paths.
 */
import type {KnownSecret} from '../bundle/redact/known.js'
import {NO_IDENTITY} from '../bundle/redact/pseudonyms.js'
import {Redactor} from '../bundle/redact/redactor.js'

/**
 * C0 except tab and line feed (a line break is the renderers' business: each format folds or
 * escapes it), DEL, C1, and the bidi embeddings/overrides/isolates that reorder what a terminal shows.
 */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g

function visible(c: string): string {
  const code = c.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
}

/** Terminal controls shown as escapes (`\x1b]0;…\x07`), never sent. Line feeds and tabs stay. */
export function neutraliseControls(text: string): string {
  return text.replace(CONTROL, visible)
}

/** One line of terminal-safe text: line breaks folded to spaces, every other control neutralised. */
export function oneLine(text: string): string {
  return neutraliseControls(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '))
}

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

export class OutputSafety {
  private readonly redactor: Redactor
  /** The same strings recur (docs links, titles): each is cleaned once per output. */
  private readonly done = new Map<string, string>()

  /** `secrets`: the values the doctor can read on this machine (none: patterns and controls only). */
  constructor(secrets: readonly KnownSecret[] = []) {
    this.redactor = new Redactor(secrets, NO_IDENTITY)
  }

  /** One string, safe to show: redacted, controls neutralised. */
  text(text: string): string {
    let safe = this.done.get(text)
    if (safe === undefined) {
      safe = neutraliseControls(this.redactor.clean(text))
      this.done.set(text, safe)
    }
    return safe
  }

  /**
   * A copy of a report, plan or fleet view with every string (keys included) made safe. Only
   * plain data is copied; anything else (a Date, a class instance) is kept as it is.
   */
  value<T>(value: T): T {
    return this.walk(value) as T
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value)
    if (typeof value !== 'object' || value === null) return value
    if (Array.isArray(value)) return value.map((v) => this.walk(v))
    if (!isPlainObject(value)) return value
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[this.text(k)] = this.walk(v)
    return out
  }
}
