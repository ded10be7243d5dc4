import {readFileSync} from 'node:fs'
import {gunzipSync} from 'node:zlib'
import {list as listTar, type ReadEntry} from 'tar'

/** Every file of a .tar.gz, by path. */
export async function readArchive(file: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  await listTar({
    file,
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = []
      entry.on('data', (c: Buffer) => chunks.push(c))
      entry.on('end', () => files.set(entry.path, Buffer.concat(chunks)))
    },
  })
  return files
}

/** The whole decompressed tar stream (headers included), to search for anything that leaked. */
export function rawTar(file: string): string {
  return gunzipSync(readFileSync(file)).toString('latin1')
}
