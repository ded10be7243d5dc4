import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** Builds `<home>/.executor` with the given state files, as Executor writes them (executor-facts §2). */
export function executorHome(home: string) {
  const dataDir = join(home, '.executor')
  const control = join(dataDir, 'server-control')
  mkdirSync(control, {recursive: true})
  return {
    dataDir,
    manifestPath: join(control, 'server.json'),
    manifest(fields: {pid: number; port?: number; startedAt?: string; version?: string | null; executablePath?: string | null} | string) {
      const text =
        typeof fields === 'string'
          ? fields
          : JSON.stringify(
              {
                version: 1,
                kind: 'cli-daemon',
                pid: fields.pid,
                startedAt: fields.startedAt ?? new Date().toISOString(),
                dataDir,
                scopeDir: null,
                connection: {kind: 'http', origin: `http://localhost:${fields.port ?? 4788}`},
                owner: {
                  client: 'cli',
                  version: fields.version === undefined ? '1.5.9' : fields.version,
                  executablePath: fields.executablePath ?? null,
                },
              },
              null,
              2,
            ) + '\n'
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
