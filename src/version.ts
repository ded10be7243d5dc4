import {readFileSync} from 'node:fs'

let cached: string | undefined

/** doctorkit's own version, from the nearest package.json (works from src/ under tsx and from dist/). */
export function toolVersion(): string {
  if (cached) return cached
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {name?: string; version?: string}
      if (pkg.name === 'doctorkit' && pkg.version) return (cached = pkg.version)
    } catch {
      // try the next candidate
    }
  }
  return (cached = '0.0.0')
}
