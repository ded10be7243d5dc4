/**
 * A temp Executor checkout whose e2e port block (42000–45999, executor-facts §3.3) is free, for the
 * tests of e2e-ports and preflight. That range lies inside Linux's ephemeral ports (32768–60999 by
 * default): every outbound connection a test makes takes one as its local port, and it stays taken
 * in TIME_WAIT for a minute. A block found free can so become "busy" a moment later, by the
 * check's own correct rule (an outbound socket on a block port makes the suite's bind fail). So the
 * block found is also put in `ip_local_reserved_ports`, which keeps the kernel from handing its
 * ports out, until `releaseBlocks()`; where that file is not writable the test runs without it.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {bindProbe, connectProbe} from '../../src/probes/ports.js'
import {BLOCK_SIZE, LOCK_OFFSET, PORT_CLAIMS, portBlock} from '../../src/targets/executor/dev/ports.js'

/** Offsets of the block the suite claims (0–5) and its lock (9), as the check reads them. */
const BLOCK_OFFSETS = [...new Set(PORT_CLAIMS.map((c) => c.offset)), LOCK_OFFSET]

const RESERVED = '/proc/sys/net/ipv4/ip_local_reserved_ports'
/** Ports this process reserved (the kernel merges adjacent ranges when it prints them, so ports, not strings). */
const reserved = new Set<number>()

export async function blockIsFree(block: number): Promise<boolean> {
  for (const offset of BLOCK_OFFSETS) {
    if ((await connectProbe('127.0.0.1', block + offset)) === 'accepted') return false
    if ((await bindProbe('0.0.0.0', block + offset)) !== 'free') return false
  }
  return true
}

/** A checkout made by `make` (a fresh path each call) whose block is free now, and reserved. */
export async function freeBlockCheckout(make: () => string, attempts = 8): Promise<{root: string; block: number}> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const root = make()
    const block = portBlock(root)
    if (await blockIsFree(block)) {
      reserve(block)
      return {root, block}
    }
  }
  throw new Error(
    `no free e2e block for a temp checkout in ${attempts} attempts: the machine is busy (see: ss -tanp 'sport >= :42000 and sport <= :45999')`,
  )
}

function reserve(block: number): void {
  const ports = Array.from({length: BLOCK_SIZE}, (_, i) => block + i)
  if (update((now) => ports.forEach((p) => now.add(p)))) ports.forEach((p) => reserved.add(p))
}

/** Gives the reserved blocks back to the kernel's ephemeral pool. */
export function releaseBlocks(): void {
  if (reserved.size === 0) return
  update((now) => reserved.forEach((p) => now.delete(p)))
  reserved.clear()
}

/** Read, change, write the reserved list; false where it cannot be written (not root, a read-only /proc/sys). */
function update(change: (ports: Set<number>) => void): boolean {
  try {
    const ports = new Set<number>()
    for (const range of readFileSync(RESERVED, 'utf8').trim().split(',').filter(Boolean)) {
      const [from, to = from] = range.split('-').map(Number)
      for (let p = from!; p <= to!; p++) ports.add(p)
    }
    change(ports)
    writeFileSync(RESERVED, `${ranges([...ports].sort((x, y) => x - y)).join(',')}\n`)
    return true
  } catch {
    return false
  }
}

function ranges(sorted: number[]): string[] {
  const out: string[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return out
}
