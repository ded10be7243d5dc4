/**
 * Reading the Prometheus text format back in tests: promtool for the verdict (a real parser and
 * linter), and a small reader of sample lines to assert on names, labels and values.
 */
import {spawnSync} from 'node:child_process'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
  /** Anything after the value (a timestamp), which the textfile collector refuses. */
  rest: string
}

/** `promtool check metrics` on `text`: its exit code and what it said (lint problems, parse errors). */
export function promtoolCheckMetrics(text: string): {code: number | null; output: string} {
  const r = spawnSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8', timeout: 20_000})
  return {code: r.status, output: `${r.stdout}${r.stderr}`}
}

const unescape = (v: string) => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))

/** Every sample line (comments skipped), labels unescaped. */
export function samples(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(.*)$/s.exec(line)
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = unescape(pair[2]!)
    out.push({name: m[1]!, labels, value: Number(m[3]), rest: m[4]!})
  }
  return out
}

/** The sample of `name` whose labels include `labels`, or undefined. */
export function find(list: Sample[], name: string, labels: Record<string, string> = {}): Sample | undefined {
  return list.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
}

/** Series identity (name + sorted labels), to find duplicates the collector would reject. */
export function seriesKey(s: Sample): string {
  return `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`
}
