/**
 * The fuzz suite's material: every file the doctor reads, for both targets (where the products
 * keep them: executor-facts §1.3, §2, §8; runwisp-facts §1.1, §1.4, §5), each turned into each
 * bad form for real — empty, cut in half, wrong types, a sparse 1 GiB file, binary junk, a FIFO,
 * a link to /dev/zero or /dev/urandom, a directory, a symlink loop, byte-order marks, nesting
 * 200,000 levels deep.
 */
import {randomBytes} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {mkdirSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

export type FileKind = 'json' | 'jsonl' | 'toml' | 'text' | 'pid' | 'unit'

export interface FuzzFile {
  /** What it is, for test names and messages. */
  id: string
  /** Relative to the fuzz root (`home/`, `work/`, `state/`). */
  path: string
  kind: FileKind
  /** A well-formed version: truncation and BOMs start from it. */
  valid: string
  /** Files that gate everything else (a bad one ends the run early): valid in the "secondary" layout. */
  role: 'primary' | 'secondary' | 'config' | 'journal'
}

const EXECUTOR = 'home/.executor'
const RUNWISP = 'work/.runwisp'
export const RUN_ID = '20260101-000000Z-abcdef'

export function fuzzFiles(root: string): FuzzFile[] {
  const dataDir = join(root, EXECUTOR)
  const record = JSON.stringify({
    version: 1,
    hostname: '127.0.0.1',
    port: 4788,
    pid: 999_999,
    startedAt: '2026-01-01T00:00:00.000Z',
    scopeDir: null,
  })
  return [
    {
      id: 'Executor server.json',
      path: `${EXECUTOR}/server-control/server.json`,
      kind: 'json',
      role: 'primary',
      valid: JSON.stringify({
        version: 1,
        kind: 'cli-daemon',
        pid: 999_999,
        startedAt: '2026-01-01T00:00:00.000Z',
        dataDir,
        scopeDir: null,
        connection: {kind: 'http', origin: 'http://localhost:1'},
        owner: {client: 'cli', version: '1.5.35', executablePath: null},
        auth: {kind: 'bearer', token: 'fuzz-token-aaaaaaaaaaaaaaaaaaaaaaaa'},
      }),
    },
    {
      id: 'Executor auth.json (bearer)',
      path: `${EXECUTOR}/server-control/auth.json`,
      kind: 'json',
      role: 'secondary',
      valid: JSON.stringify({token: 'fuzz-token-aaaaaaaaaaaaaaaaaaaaaaaa'}),
    },
    {id: 'Executor daemon record', path: `${EXECUTOR}/daemon-127.0.0.1-4788.json`, kind: 'json', role: 'secondary', valid: record},
    {
      id: 'Executor daemon pointer',
      path: `${EXECUTOR}/daemon-active-127.0.0.1-0123456789abcdef01234567.json`,
      kind: 'json',
      role: 'secondary',
      valid: JSON.stringify({...JSON.parse(record), scopeId: 'cwd:/x', token: '00000000-0000-4000-8000-000000000000'}),
    },
    {
      id: 'Executor start lock',
      path: `${EXECUTOR}/daemon-active-127.0.0.1-0123456789abcdef01234567.json.lock`,
      kind: 'text',
      role: 'secondary',
      valid: '999999\n',
    },
    {
      id: 'Executor legacy startup.lock',
      path: `${EXECUTOR}/server-control/startup.lock`,
      kind: 'json',
      role: 'secondary',
      valid: JSON.stringify({pid: 999_999, startedAt: '2026-01-01T00:00:00.000Z'}),
    },
    {
      id: 'Executor server-connections.json',
      path: `${EXECUTOR}/server-connections.json`,
      kind: 'json',
      role: 'secondary',
      valid: JSON.stringify({
        version: 1,
        profiles: [{name: 'local', origin: 'http://localhost:1', auth: {kind: 'bearer', token: 'fuzz-profile-token-bbbbbbbbbbbbbbbb'}}],
      }),
    },
    {
      id: 'Executor file-secrets auth.json',
      path: `${EXECUTOR}/auth.json`,
      kind: 'json',
      role: 'secondary',
      valid: JSON.stringify({'github-token': 'fuzz-secret-cccccccccccccccccccc'}),
    },
    {
      id: 'Executor daemon.error.log',
      path: `${EXECUTOR}/logs/daemon.error.log`,
      kind: 'text',
      role: 'secondary',
      valid: '2026-01-01T00:00:00Z error: listen EADDRINUSE: address already in use 127.0.0.1:4788\n',
    },
    {
      id: 'Executor daemon.log',
      path: `${EXECUTOR}/logs/daemon.log`,
      kind: 'text',
      role: 'secondary',
      valid: '2026-01-01T00:00:00Z listening on http://127.0.0.1:4788\n',
    },
    {
      id: 'Executor systemd user unit',
      path: 'home/.config/systemd/user/sh.executor.daemon.service',
      kind: 'unit',
      role: 'secondary',
      valid:
        '[Unit]\nDescription=Executor\n[Service]\nExecStart=/usr/bin/executor daemon run --port 4788\nEnvironment=EXECUTOR_AUTH_TOKEN=fuzz-unit-token-dddddddddddddddd\n[Install]\nWantedBy=default.target\n',
    },
    {
      id: 'runwisp.toml',
      path: 'work/runwisp.toml',
      kind: 'toml',
      role: 'primary',
      valid:
        '[tasks.backup]\ncron = "0 3 * * *"\nrun = "true"\n[notifiers.ops]\ntype = "slack"\nurl = "https://hooks.slack.com/services/T000/B000/fuzzfuzzfuzzfuzz"\n',
    },
    {id: 'RunWisp password', path: `${RUNWISP}/password`, kind: 'text', role: 'secondary', valid: 'fuzz-password-eeeeeeeeeeee\n'},
    {id: 'RunWisp daemon.pid (and its lock)', path: `${RUNWISP}/daemon.pid`, kind: 'pid', role: 'secondary', valid: '999999\n'},
    {
      id: 'RunWisp daemon.log',
      path: `${RUNWISP}/daemon.log`,
      kind: 'text',
      role: 'secondary',
      valid: 'time=2026-01-01T00:00:00Z level=INFO msg="listening" addr=127.0.0.1:9477\n',
    },
    {
      id: 'RunWisp run log',
      path: `${RUNWISP}/logs/backup/run-0001.log`,
      kind: 'text',
      role: 'secondary',
      valid: 'starting backup\nexit 0\n',
    },
    {id: 'RunWisp database', path: `${RUNWISP}/runwisp.db`, kind: 'text', role: 'secondary', valid: 'SQLite format 3\u0000'},
    {
      id: 'doctor.config.json',
      path: 'work/doctor.config.json',
      kind: 'json',
      role: 'config',
      valid: JSON.stringify({checks: {'clock-skew': {skip: true}}}),
    },
    {
      id: 'journal',
      path: `state/doctorkit/runs/${RUN_ID}/journal.jsonl`,
      kind: 'jsonl',
      role: 'journal',
      valid:
        JSON.stringify({
          type: 'run',
          runId: RUN_ID,
          startedAt: '2026-01-01T00:00:00.000Z',
          pid: 999_999,
          command: 'doctor --fix',
          tool: 'doctorkit 0.1.0',
        }) + '\n',
    },
  ]
}

const WRONG_TYPES: Record<FileKind, string> = {
  json: JSON.stringify({
    version: '1',
    kind: 7,
    pid: 'abc',
    port: [4788],
    startedAt: 12,
    dataDir: {},
    connection: 'x',
    owner: null,
    auth: [1],
    token: 5,
    profiles: {a: 1},
    hostname: false,
    scopeDir: 3,
  }),
  jsonl:
    [
      'null',
      '42',
      '"text"',
      '[1,2]',
      '{"type":5}',
      '{"type":"intent","seq":"x","step":null}',
      '{"type":"result","seq":1,"status":7}',
      '{"type":"run","runId":{}}',
    ].join('\n') + '\n',
  toml: 'tasks = 5\nnotifiers = "x"\n[daemon]\nport = "ninety"\nshutdown_timeout = []\n[[route]]\nnotifiers = 3\n',
  text: '{"not": "a log"}\n-1\n',
  pid: '-1\n',
  unit: '[Service]\nExecStart=\nEnvironment=\nEnvironment="=\n[[[\n',
}

const DEPTH = 200_000

function deep(kind: FileKind): string {
  if (kind === 'toml') return `a = ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}\n`
  if (kind === 'jsonl') return `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}\n`
  if (kind === 'json') return `{"a":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`
  return `${'['.repeat(DEPTH)}\n`
}

export type VariantId =
  | 'empty'
  | 'truncated'
  | 'wrong-types'
  | 'huge'
  | 'binary'
  | 'fifo'
  | 'device-link'
  | 'directory'
  | 'symlink-loop'
  | 'bom-utf8'
  | 'bom-utf16'
  | 'deep-nesting'

export const VARIANTS: VariantId[] = [
  'empty',
  'truncated',
  'wrong-types',
  'huge',
  'binary',
  'fifo',
  'device-link',
  'directory',
  'symlink-loop',
  'bom-utf8',
  'bom-utf16',
  'deep-nesting',
]

/**
 * Puts `variant` of each file in place under `root`. FIFOs are made by one mkfifo for all of them
 * (a spawn per file would be the slowest part of the suite).
 */
export function plant(root: string, files: readonly FuzzFile[], variant: VariantId): void {
  const fifos: string[] = []
  files.forEach((file, index) => {
    const path = join(root, file.path)
    mkdirSync(dirname(path), {recursive: true})
    switch (variant) {
      case 'empty':
        return writeFileSync(path, '')
      case 'truncated':
        return writeFileSync(path, file.valid.slice(0, Math.max(1, Math.ceil(file.valid.length / 2))))
      case 'wrong-types':
        return writeFileSync(path, WRONG_TYPES[file.kind])
      case 'huge':
        // Sparse: costs no disk, and a reader that loads it whole needs 1 GiB.
        writeFileSync(path, file.valid)
        return truncateSync(path, 1024 ** 3)
      case 'binary': {
        const junk = randomBytes(4096)
        junk[100] = 0
        return writeFileSync(path, junk)
      }
      case 'fifo':
        return void fifos.push(path)
      case 'device-link':
        return symlinkSync(index % 2 === 0 ? '/dev/zero' : '/dev/urandom', path)
      case 'directory':
        return mkdirSync(path, {recursive: true})
      case 'symlink-loop':
        symlinkSync(`${path}.loop`, path)
        return symlinkSync(path, `${path}.loop`)
      case 'bom-utf8':
        return writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(file.valid)]))
      case 'bom-utf16':
        return writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file.valid, 'utf16le')]))
      case 'deep-nesting':
        return writeFileSync(path, deep(file.kind))
    }
  })
  if (fifos.length > 0) execFileSync('mkfifo', fifos)
}

/** Valid versions of `files` (the layout's well-formed part). */
export function plantValid(root: string, files: readonly FuzzFile[]): void {
  for (const file of files) {
    const path = join(root, file.path)
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, file.valid)
  }
}
