/**
 * Measurement primitives for the benchmark: whole commands timed over repeated runs (median,
 * p90, peak RSS), and in-process functions timed at several input sizes to get a growth slope.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface CommandStats {
  label: string
  command: string
  runs: number
  medianMs: number
  p90Ms: number
  minMs: number
  /** Median peak resident set size, MB (null when it could not be measured). */
  peakRssMb: number | null
  exitCodes: number[]
  /**
   * With `against`: the median of this command's time over the baseline's in the same round
   * (one baseline run right before each measured run), so a machine whose speed drifts during
   * the bench moves both sides of each ratio alike.
   */
  ratioToBaseline?: number
}

const GNU_TIME = '/usr/bin/time'

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}

/**
 * Runs a command `runs` times after `warmup` unmeasured runs. Wall time is taken around the
 * spawn; peak RSS comes from GNU time's %M (kilobytes) when it is installed.
 */
export function timeCommand(
  label: string,
  argv: string[],
  options: {env?: NodeJS.ProcessEnv; cwd?: string; runs?: number; warmup?: number; against?: string[]} = {},
): CommandStats {
  const runs = options.runs ?? 15
  const warmup = options.warmup ?? 2
  const useTime = existsSync(GNU_TIME)
  const scratch = mkdtempSync(join(tmpdir(), 'doctorkit-bench-'))
  const times: number[] = []
  const ratios: number[] = []
  const rss: number[] = []
  const codes: number[] = []
  const timed = (command: string[], out: string, env: NodeJS.ProcessEnv | undefined, cwd: string | undefined) => {
    const [cmd, ...args] = useTime ? [GNU_TIME, '-f', '%M', '-o', out, ...command] : command
    const started = performance.now()
    const result = spawnSync(cmd!, args, {env: {...process.env, ...env}, cwd, stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000})
    return {result, elapsed: performance.now() - started}
  }
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const out = join(scratch, `time-${i}`)
      const baseline = options.against ? timed(options.against, join(scratch, 'baseline'), undefined, undefined).elapsed : null
      const {result, elapsed} = timed(argv, out, options.env, options.cwd)
      if (i < warmup) continue
      times.push(elapsed)
      if (baseline !== null) ratios.push(elapsed / baseline)
      codes.push(result.status ?? -1)
      if (useTime && existsSync(out)) {
        const kb = Number(readFileSync(out, 'utf8').trim().split('\n').at(-1))
        if (Number.isFinite(kb)) rss.push(kb / 1024)
      }
    }
  } finally {
    rmSync(scratch, {recursive: true, force: true})
  }
  return {
    label,
    command: argv.join(' '),
    runs,
    medianMs: round(median(times)),
    p90Ms: round(percentile(times, 90)),
    minMs: round(Math.min(...times)),
    peakRssMb: rss.length > 0 ? round(median(rss)) : null,
    exitCodes: [...new Set(codes)],
    ...(ratios.length > 0 ? {ratioToBaseline: Number(median(ratios).toFixed(2))} : {}),
  }
}

export interface ScalePoint {
  size: number
  medianMs: number
}

export interface ScaleStats {
  label: string
  unit: string
  points: ScalePoint[]
  /** Least-squares slope, ms per unit of input. */
  slopeMsPerUnit: number
  /** Exponent of a power-law fit (≈1 linear, <1 sublinear, ≈2 quadratic). */
  growthExponent: number
}

/** Times `fn(size)` (median of `runs`) at each size, and fits how the cost grows. */
export async function timeScale(
  label: string,
  unit: string,
  sizes: number[],
  prepare: (size: number) => Promise<() => Promise<unknown>>,
  runs = 5,
): Promise<ScaleStats> {
  const points: ScalePoint[] = []
  for (const size of sizes) {
    const fn = await prepare(size)
    const samples: number[] = []
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      await fn()
      samples.push(performance.now() - started)
    }
    points.push({size, medianMs: round(median(samples))})
  }
  return {label, unit, points, slopeMsPerUnit: slope(points), growthExponent: exponent(points)}
}

function slope(points: ScalePoint[]): number {
  const n = points.length
  const mx = points.reduce((a, p) => a + p.size, 0) / n
  const my = points.reduce((a, p) => a + p.medianMs, 0) / n
  const num = points.reduce((a, p) => a + (p.size - mx) * (p.medianMs - my), 0)
  const den = points.reduce((a, p) => a + (p.size - mx) ** 2, 0)
  return den === 0 ? 0 : Number((num / den).toPrecision(3))
}

function exponent(points: ScalePoint[]): number {
  const usable = points.filter((p) => p.size > 0 && p.medianMs > 0)
  if (usable.length < 2) return 0
  const xs = usable.map((p) => Math.log(p.size))
  const ys = usable.map((p) => Math.log(p.medianMs))
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length
  const my = ys.reduce((a, b) => a + b, 0) / ys.length
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0)
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0)
  return den === 0 ? 0 : Number((num / den).toFixed(2))
}

export const round = (n: number) => Math.round(n * 10) / 10
