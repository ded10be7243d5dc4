/**
 * The e2e port block of a checkout, computed exactly as `e2e/src/ports.ts` does (executor-facts
 * §3.3): FNV-1a (32-bit, over UTF-16 code units) of the absolute repo root picks one of 400 blocks
 * of 10 ports in 42000–45999; offset 9 is the suite's lock, offsets 0–5 are the claims.
 */

export const BLOCK_BASE = 42000
export const BLOCK_SIZE = 10
export const BLOCK_COUNT = 400
export const LOCK_OFFSET = 9

export interface PortClaim {
  envVar: string
  offset: number
  label: string
}

/** §3.3 "Offsets and env vars". Two claims share offset 5: they belong to different targets. */
export const PORT_CLAIMS: readonly PortClaim[] = [
  {envVar: 'E2E_CLOUD_PORT', offset: 0, label: 'cloud vite dev'},
  {envVar: 'E2E_CLOUD_DB_PORT', offset: 1, label: 'cloud PGlite dev-db'},
  {envVar: 'E2E_WORKOS_EMULATOR_PORT', offset: 2, label: 'WorkOS emulator'},
  {envVar: 'E2E_AUTUMN_EMULATOR_PORT', offset: 3, label: 'Autumn emulator'},
  {envVar: 'E2E_SELFHOST_PORT', offset: 4, label: 'selfhost'},
  {envVar: 'E2E_CLOUDFLARE_PORT', offset: 5, label: 'cloudflare'},
  {envVar: 'E2E_SELFHOST_DOCKER_PORT', offset: 5, label: 'selfhost docker'},
]

/** FNV-1a 32-bit over UTF-16 code units, as `hash()` in e2e/src/ports.ts. */
export function fnv1a(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return h >>> 0
}

/** The preferred block for a repo root (absolute, no trailing slash). */
export function portBlock(repoRoot: string): number {
  return BLOCK_BASE + (fnv1a(repoRoot) % BLOCK_COUNT) * BLOCK_SIZE
}

export interface PinnedClaim extends PortClaim {
  raw: string
  /** `Number(raw) || default`, as `e2ePort()` reads it; null when that is not a usable TCP port. */
  port: number | null
}

/**
 * Claims whose variable is set are pinned: the suite uses them as-is and never probes them.
 * `e2ePort()` reads `Number(env) || portBlock + offset`, so a garbage value silently means the default.
 */
export function pinnedClaims(env: Readonly<Record<string, string | undefined>>, block: number): PinnedClaim[] {
  return PORT_CLAIMS.flatMap((claim) => {
    const raw = env[claim.envVar]
    if (raw === undefined) return []
    const value = Number(raw) || block + claim.offset
    const port = Number.isInteger(value) && value >= 1 && value <= 65535 ? value : null
    return [{...claim, raw, port}]
  })
}
