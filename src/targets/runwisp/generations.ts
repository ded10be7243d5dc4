/**
 * RunWisp's generations, each judged by its own rules (runwisp-facts §0–§3, appendix).
 *
 * - `0.3-0.4`: `./data/` holds a plaintext `password` file and a plain `daemon.pid`; TCP only;
 *   CHAP at `POST /api/auth`; port 9477 (8080 before 0.4). 0.1–0.2 are judged with it.
 * - `0.5-0.15`: no password on disk; `<data>/runwisp.sock` (0.5); `./.runwisp/` (0.6);
 *   `/api/instance` identifies a daemon (0.11); root defaults and `RUNWISP_*` env (0.14).
 * - `0.16+` (0.16 and 1.x): `daemon.pid` is held with `flock` for the daemon's life;
 *   `GET /api/daemon/identity`; renamed config keys and values.
 *
 * A fact that changed *inside* a generation (e.g. 6-field cron in 0.9) is asked with `since()`,
 * which answers `unknown` when only the generation is known: checks then accept both forms.
 */

export type RunwispGeneration = '0.3-0.4' | '0.5-0.15' | '0.16+'
export const GENERATIONS: readonly RunwispGeneration[] = ['0.3-0.4', '0.5-0.15', '0.16+']

/** The first and last minor version of each generation. */
const RANGES: Record<RunwispGeneration, [string, string | null]> = {
  '0.3-0.4': ['0.1.0', '0.4.999'],
  '0.5-0.15': ['0.5.0', '0.15.999'],
  '0.16+': ['0.16.0', null],
}

/** What the doctor knows about the installed RunWisp: the generation, and the exact version when something said it. */
export interface RunwispFacts {
  generation: RunwispGeneration | null
  version: string | null
}

/** Compares dotted versions numerically ("v1.5.1" and "1.5.1-rc1" count as 1.5.1); missing parts are 0. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[-+]/)[0]!
      .split('.')
      .map((x) => parseInt(x, 10) || 0)
  const pa = parts(a)
  const pb = parts(b)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}

export function isVersion(text: string): boolean {
  return /^v?\d+\.\d+(\.\d+)?([-+][\w.-]+)?$/.test(text.trim())
}

export function generationOfVersion(version: string): RunwispGeneration {
  if (compareVersions(version, '0.5.0') < 0) return '0.3-0.4'
  if (compareVersions(version, '0.16.0') < 0) return '0.5-0.15'
  return '0.16+'
}

export type Tristate = 'yes' | 'no' | 'unknown'

/** Whether the installed RunWisp is at least `version`: exact when the version is known, else from the generation's range. */
export function since(facts: RunwispFacts, version: string): Tristate {
  if (facts.version) return compareVersions(facts.version, version) >= 0 ? 'yes' : 'no'
  if (!facts.generation) return 'unknown'
  const [lo, hi] = RANGES[facts.generation]
  if (compareVersions(lo, version) >= 0) return 'yes'
  if (hi !== null && compareVersions(hi, version) < 0) return 'no'
  return 'unknown'
}

/** Paths of the unauthenticated identity endpoint (runwisp-facts §2.4): `/api/instance` 0.11–0.15, `/api/daemon/identity` 0.16+. */
export function identityPaths(facts: RunwispFacts): string[] {
  const paths: string[] = []
  if (since(facts, '0.16.0') !== 'no') paths.push('/api/daemon/identity')
  if (since(facts, '0.11.0') !== 'no' && since(facts, '0.16.0') !== 'yes') paths.push('/api/instance')
  return paths
}

/** `GET /api/daemon` (0.16+) or `/api/info` (≤0.15): version, timezone; needs auth or the socket. */
export function infoPath(facts: RunwispFacts): string {
  return since(facts, '0.16.0') === 'yes' ? '/api/daemon' : '/api/info'
}

/** 0.5+: the local CLI talks to `<data>/runwisp.sock`; before, only TCP. */
export const hasSocket = (facts: RunwispFacts): Tristate => since(facts, '0.5.0')
/** ≤0.4: the password lives in `<data>/password` (runwisp-facts §1.2). */
export const hasPasswordFile = (facts: RunwispFacts): Tristate => invert(since(facts, '0.5.0'))
/** 0.16+: `daemon.pid` is held with an exclusive flock for the daemon's whole life (§1.2, §1.6). */
export const pidFileLocked = (facts: RunwispFacts): Tristate => since(facts, '0.16.0')

export function invert(t: Tristate): Tristate {
  return t === 'unknown' ? t : t === 'yes' ? 'no' : 'yes'
}

/** Human label for a generation and, when known, the version inside it. */
export function describeFacts(facts: RunwispFacts): string {
  if (!facts.generation) return 'an unknown generation'
  return facts.version ? `${facts.version} (generation ${facts.generation})` : `generation ${facts.generation}`
}
