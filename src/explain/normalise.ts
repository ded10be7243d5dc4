/**
 * Turns what a user pastes (a terminal screen, a log excerpt, a CI annotation) into the lines the
 * product printed: ANSI colours and terminal escapes removed, and the prefixes that loggers, shells
 * and CLIs put in front of a message stripped: timestamps, log levels, `Error:`, the `ERROR` badge,
 * journald and Go `slog` framing, JSON log lines, and `caused by:` chains (Executor 1.5.35 joins causes with
 * `\ncaused by: `, executor-facts §5).
 */
import {stripPrefixes} from './prefix.js'

/** Anything beyond this is not a pasted error; explain reads the start, and the command says it cut the text. */
export const MAX_INPUT_CHARS = 64 * 1024

// CSI (colours, cursor moves), OSC (titles, hyperlinks, ended by BEL or ST) and lone two-byte escapes.
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]|\u009B[0-?]*[ -/]*[@-~]/g
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g

/** `key=value` framing of Go's slog and logfmt: the message is in `msg=`, the error in `err=`. */
const LOGFMT_FIELD = /\b(msg|message|err|error)=("(?:[^"\\]|\\.)*"|\S+)/g

export interface NormalisedText {
  /** The message lines, prefixes stripped, empty lines dropped. */
  lines: string[]
  /** The lines joined by newlines. Literal whitespace in a pattern spans them (wrapped and multi-line messages); placeholders do not. */
  flat: string
  /** True when the input was longer than `MAX_INPUT_CHARS` and only its start was read. */
  truncated: boolean
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '')
}

/** Unifies typography a terminal, a browser or a doc page may have changed. */
function unifyTypography(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/\u00A0|\u2007|\u202F/g, ' ')
    .replace(/\r\n?/g, '\n')
}

function unwrapLogfmt(line: string): string {
  if (!/\b(?:level|time|msg)=/.test(line)) return line
  const parts: string[] = []
  for (const match of line.matchAll(LOGFMT_FIELD)) {
    const raw = match[2] ?? ''
    parts.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw)
  }
  return parts.length > 0 ? parts.join(': ') : line
}

/** A JSON log line (pino, bunyan, Effect's JSON logger, docker's json-file): its message and error fields are what was said. */
function unwrapJsonLine(line: string): string {
  const trimmed = line.trim()
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return line
  let record: unknown
  try {
    record = JSON.parse(trimmed)
  } catch {
    return line
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line
  const fields = record as Record<string, unknown>
  const said = ['msg', 'message', 'log', 'err', 'error']
    .map((k) => fields[k])
    .map((v) =>
      typeof v === 'string'
        ? v
        : typeof v === 'object' && v !== null && typeof (v as {message?: unknown}).message === 'string'
          ? (v as {message: string}).message
          : null,
    )
    .filter((v): v is string => v !== null && v.trim() !== '')
  return said.length > 0 ? said.join(': ') : line
}

export function normalise(input: string): NormalisedText {
  const truncated = input.length > MAX_INPUT_CHARS
  const text = unifyTypography(stripAnsi(truncated ? input.slice(0, MAX_INPUT_CHARS) : input))
  const lines: string[] = []
  for (const raw of text.split('\n')) {
    // A "caused by:" in the middle of a line starts another message of the chain.
    for (const piece of raw.split(/\s+caused by:\s+/i)) {
      const line = stripPrefixes(unwrapLogfmt(unwrapJsonLine(stripPrefixes(piece))))
      if (line !== '') lines.push(line)
    }
  }
  return {lines, flat: lines.join('\n'), truncated}
}
