/**
 * Step 1 of redaction: the secret values the doctor actually read on this machine, replaced
 * wherever they appear and in the forms they travel in: raw, JSON-escaped, URL-encoded and base64
 * (inside a `Basic` header, a data URL or any other base64 blob, at any byte alignment).
 */
import type {Literal} from './literals.js'
import {placeholder} from './placeholder.js'
import type {SplitForm} from './split.js'

export interface KnownSecret {
  value: string
  /** Stable label in the bundle, `secret-<n>`: the same value gets the same label everywhere. */
  label: string
  /** Where the value was found (kinds and paths, never the value), for the manifest. */
  foundIn: string[]
}

/** Shorter values match too much ordinary text to be searched for (they are still redacted by the field they sit in). */
export const MIN_KNOWN_LENGTH = 4
/** Below this, a value only counts as a whole word, not inside a longer token. */
const ANYWHERE_LENGTH = 12
/** Base64 fragments shorter than this could occur by chance. */
const MIN_FRAGMENT = 8

const BASE64_CHAR = /[A-Za-z0-9+/=_-]/

export const KNOWN_RULES = {
  raw: 'known-value',
  encoded: 'known-value-encoded',
  base64: 'known-value-base64',
} as const

/**
 * The base64 text that encodes `bytes` whatever its offset inside a longer encoded blob: for each
 * of the three alignments, the characters determined by the value's bits alone.
 */
export function base64Fragments(bytes: Buffer): string[] {
  const out = new Set<string>()
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes])
      .toString('base64')
      .replace(/=+$/, '')
    const first = Math.ceil((pad * 8) / 6)
    const last = Math.floor(((pad + bytes.length) * 8) / 6)
    const fragment = encoded.slice(first, last)
    if (fragment.length >= MIN_FRAGMENT) {
      out.add(fragment)
      out.add(fragment.replace(/\+/g, '-').replace(/\//g, '_'))
    }
  }
  return [...out]
}

/** Every form of `value` the bundle must not contain. */
export function secretForms(value: string): Array<{text: string; rule: string}> {
  const forms: Array<{text: string; rule: string}> = [{text: value, rule: KNOWN_RULES.raw}]
  const encoded = new Set<string>()
  encoded.add(JSON.stringify(value).slice(1, -1))
  const component = encodeURIComponent(value)
  encoded.add(component)
  encoded.add(component.replace(/%20/g, '+'))
  encoded.add(component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))
  try {
    encoded.add(encodeURI(value))
  } catch {
    // lone surrogates: no URI form to look for
  }
  encoded.delete(value)
  for (const text of encoded) forms.push({text, rule: KNOWN_RULES.encoded})
  for (const text of base64Fragments(Buffer.from(value, 'utf8'))) forms.push({text, rule: KNOWN_RULES.base64})
  return forms
}

export function knownLiterals(secrets: readonly KnownSecret[]): Literal[] {
  const literals: Literal[] = []
  for (const secret of secrets) {
    if (secret.value.length < MIN_KNOWN_LENGTH) continue
    for (const form of secretForms(secret.value)) {
      literals.push({
        text: form.text,
        // A base64 fragment sits inside a longer blob by nature, and is never ordinary text.
        boundary: form.rule === KNOWN_RULES.base64 || form.text.length >= ANYWHERE_LENGTH ? 'none' : 'word',
        replacement: placeholder(secret.label),
        rule: form.rule,
        label: secret.label,
        ...(form.rule === KNOWN_RULES.base64 ? {expand: BASE64_CHAR} : {}),
      })
    }
  }
  return literals
}

/** The forms searched for in pieces (split.ts): every form; a base64 fragment or a URL only whole across a line break. */
export function splitForms(secrets: readonly KnownSecret[]): SplitForm[] {
  const forms: SplitForm[] = []
  for (const secret of secrets) {
    if (secret.value.length < MIN_KNOWN_LENGTH) continue
    for (const form of secretForms(secret.value))
      forms.push({
        text: form.text,
        replacement: placeholder(secret.label),
        label: secret.label,
        // A URL's pieces are its scheme and host (`https://hooks.slack.com/`), shared with every other URL there.
        pieces: form.rule !== KNOWN_RULES.base64 && !/:\/\/|%3A%2F%2F/i.test(form.text),
      })
  }
  return forms
}
