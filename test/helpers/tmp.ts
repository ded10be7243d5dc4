import {mkdtempSync, rmSync, mkdirSync, writeFileSync, chmodSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

/** A fresh temp dir per test, removed after it (mocha `afterEach`). */
export function tmpDirs() {
  const made: string[] = []
  return {
    make(prefix = 'doctorkit-'): string {
      const dir = mkdtempSync(join(tmpdir(), prefix))
      made.push(dir)
      return dir
    },
    cleanup(): void {
      for (const dir of made.splice(0)) {
        try {
          chmodTree(dir)
          rmSync(dir, {recursive: true, force: true})
        } catch {
          // best effort: a test may have left a mode that even root's rm respects (none today)
        }
      }
    },
  }
}

function chmodTree(dir: string): void {
  try {
    chmodSync(dir, 0o755)
  } catch {
    // ignore
  }
}

/** Writes files from a `{relative path: contents}` table, creating directories as needed. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, contents] of Object.entries(files)) {
    const path = join(root, rel)
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, contents)
  }
}
