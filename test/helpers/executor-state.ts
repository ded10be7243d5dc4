import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export interface ManifestFields {
  pid: number
  port?: number
  startedAt?: string
  version?: string | null
  executablePath?: string | null
}

/**
 * The text of `server-control/server.json` as the CLI daemon writes it (executor-facts §2): pretty
 * JSON and a newline. `connection` defaults to the whole one Executor 1.5.9 writes.
 */
export function manifestText(dataDir: string, fields: ManifestFields, connection?: Record<string, string>): string {
  const origin = `http://localhost:${fields.port ?? 4788}`
  const manifest = {
    version: 1,
    kind: 'cli-daemon',
    pid: fields.pid,
    startedAt: fields.startedAt ?? new Date().toISOString(),
    dataDir,
    scopeDir: null,
    connection: connection ?? {kind: 'http', key: `http:${origin}`, origin, apiBaseUrl: `${origin}/api`, displayName: 'CLI daemon'},
    owner: {client: 'cli', version: fields.version === undefined ? '1.5.9' : fields.version, executablePath: fields.executablePath ?? null},
  }
  return JSON.stringify(manifest, null, 2) + '\n'
}

/** Builds `<home>/.executor` with the given state files, as Executor writes them (executor-facts §2). */
export function executorHome(home: string) {
  const dataDir = join(home, '.executor')
  const control = join(dataDir, 'server-control')
  mkdirSync(control, {recursive: true})
  return {
    dataDir,
    manifestPath: join(control, 'server.json'),
    manifest(fields: ManifestFields | string) {
      // The checks read only the connection's kind and origin; these tests write no more of it.
      const text =
        typeof fields === 'string'
          ? fields
          : manifestText(dataDir, fields, {kind: 'http', origin: `http://localhost:${fields.port ?? 4788}`})
      writeFileSync(join(control, 'server.json'), text)
      return join(control, 'server.json')
    },
    record(pid: number, port = 4788, startedAt = new Date().toISOString()) {
      const path = join(dataDir, `daemon-localhost-${port}.json`)
      writeFileSync(path, JSON.stringify({version: 1, hostname: 'localhost', port, pid, startedAt, scopeDir: null}, null, 2) + '\n')
      return path
    },
    pointer(pid: number, port = 4788, startedAt = new Date().toISOString()) {
      const path = join(dataDir, 'daemon-active-localhost-0123456789abcdef01234567.json')
      writeFileSync(
        path,
        JSON.stringify(
          {
            version: 1,
            hostname: 'localhost',
            port,
            pid,
            startedAt,
            scopeId: `cwd:${home}`,
            scopeDir: null,
            token: '00000000-0000-4000-8000-000000000000',
          },
          null,
          2,
        ) + '\n',
      )
      return path
    },
    startLock(content: string) {
      const path = join(dataDir, 'daemon-active-localhost-0123456789abcdef01234567.json.lock')
      writeFileSync(path, content)
      return path
    },
    legacyLock(content: string) {
      const path = join(control, 'startup.lock')
      writeFileSync(path, content)
      return path
    },
    errorLog(lines: string[]) {
      mkdirSync(join(dataDir, 'logs'), {recursive: true})
      const path = join(dataDir, 'logs', 'daemon.error.log')
      writeFileSync(path, lines.join('\n') + '\n')
      return path
    },
  }
}
