/**
 * `doctor bundle verify`: re-scans an archive for the secret values known on this machine and for
 * the secret patterns, with the same pipeline that redacts a bundle. Anything that pipeline would
 * still change is a finding: a bundle the doctor wrote passes; a token planted in a repacked one
 * does not. Findings name the file, the rule and the line, never the value.
 */
import {createHash} from 'node:crypto'
import {list as listTar, type ReadEntry} from 'tar'
import {MANIFEST_NAME} from './manifest.js'
import type {Redactor} from './redact/redactor.js'

export interface VerifyHit {
  /** Path inside the archive, or `(archive path)` when the path itself holds it. */
  file: string
  rule: string
  label?: string
  lines: number[]
  count: number
}

export interface VerifyResult {
  files: number
  hits: VerifyHit[]
  /** Differences from manifest.json (a file edited or added after the bundle was written). */
  integrity: string[]
}

/** Entries are scanned in windows this large, overlapping so a value cut at a boundary is still seen. */
const WINDOW = 8 * 1024 * 1024
const OVERLAP = 64 * 1024

export function scanText(file: string, text: string, redactor: Redactor, lineBase = 0): VerifyHit[] {
  const byRule = new Map<string, VerifyHit>()
  for (const hit of redactor.redact(text).hits) {
    const key = `${hit.rule}\u0000${hit.label ?? ''}`
    const entry = byRule.get(key) ?? {file, rule: hit.rule, ...(hit.label ? {label: hit.label} : {}), lines: [], count: 0}
    entry.count++
    if (!entry.lines.includes(hit.line + lineBase)) entry.lines.push(hit.line + lineBase)
    byRule.set(key, entry)
  }
  return [...byRule.values()]
}

/** Scans one file's bytes (in overlapping windows when large) and merges the hits by rule. */
export function scanBytes(file: string, data: Buffer, redactor: Redactor): VerifyHit[] {
  if (data.length <= WINDOW) return scanText(file, data.toString('utf8'), redactor)
  const merged = new Map<string, VerifyHit>()
  let lineBase = 0
  for (let start = 0; start < data.length; start += WINDOW - OVERLAP) {
    const slice = data.subarray(start, Math.min(data.length, start + WINDOW))
    for (const hit of scanText(file, slice.toString('utf8'), redactor, lineBase)) {
      const key = `${hit.rule}\u0000${hit.label ?? ''}`
      const prior = merged.get(key)
      if (!prior) merged.set(key, hit)
      else
        for (const line of hit.lines)
          if (!prior.lines.includes(line)) {
            prior.lines.push(line)
            prior.count++
          }
    }
    const step = data.subarray(start, Math.min(data.length, start + WINDOW - OVERLAP))
    for (const byte of step) if (byte === 0x0a) lineBase++
    if (start + WINDOW >= data.length) break
  }
  return [...merged.values()]
}

export async function verifyArchive(path: string, redactor: Redactor): Promise<VerifyResult> {
  const files = new Map<string, Buffer>()
  const hits: VerifyHit[] = []
  const pending: Array<Promise<void>> = []
  await listTar({
    file: path,
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = entry.path
      hits.push(...scanText('(archive path)', [name, entry.linkpath ?? ''].join('\n'), redactor).map((h) => ({...h, file: `(archive path) ${redactor.clean(name)}`})))
      const chunks: Buffer[] = []
      pending.push(
        new Promise<void>((resolve, reject) => {
          entry.on('data', (chunk: Buffer) => chunks.push(chunk))
          entry.on('end', () => {
            files.set(name, Buffer.concat(chunks))
            resolve()
          })
          entry.on('error', reject)
        }),
      )
    },
  })
  await Promise.all(pending)
  for (const [name, data] of files) hits.push(...scanBytes(redactor.clean(name), data, redactor))
  return {files: files.size, hits, integrity: checkManifest(files)}
}

function checkManifest(files: Map<string, Buffer>): string[] {
  const raw = files.get(MANIFEST_NAME)
  if (!raw) return [`no ${MANIFEST_NAME}: this archive was not written by doctor bundle, or it was repacked without it`]
  let listed: Array<{path: string; sha256: string}>
  try {
    listed = (JSON.parse(raw.toString('utf8')) as {files: Array<{path: string; sha256: string}>}).files
    if (!Array.isArray(listed)) throw new Error('no files list')
  } catch {
    return [`${MANIFEST_NAME} is not valid JSON`]
  }
  const notes: string[] = []
  for (const file of listed) {
    const data = files.get(file.path)
    if (!data) notes.push(`${file.path} is listed in ${MANIFEST_NAME} but missing from the archive`)
    else if (createHash('sha256').update(data).digest('hex') !== file.sha256) notes.push(`${file.path} differs from its sha256 in ${MANIFEST_NAME} (changed after the bundle was written)`)
  }
  for (const name of files.keys()) if (name !== MANIFEST_NAME && !listed.some((f) => f.path === name)) notes.push(`${name} is not listed in ${MANIFEST_NAME} (added after the bundle was written)`)
  return notes
}
