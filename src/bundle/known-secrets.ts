/**
 * Known-secret discovery: every secret value the doctor can read on this machine (the issue's
 * list: Executor's bearer token, server.json / server-connections.json auth fields, file-secrets
 * values, RunWisp's password file and drop-in, RUNWISP_PASSWORD, EXECUTOR_AUTH_TOKEN,
 * EXECUTOR_API_KEY and any secret-looking variable, webhook URLs and credentials in runwisp.toml),
 * plus the environment of the products' running daemons. Values are held in memory only; the
 * bundle names where each was found, never the value.
 */
import {resolve, dirname} from 'node:path'
import type {CheckContext} from '../context.js'
import {inOrder, started} from '../probes/abort.js'
import type {ProcessBrief} from '../probes/processes.js'
import {MIN_KNOWN_LENGTH, type KnownSecret} from './redact/known.js'
import {isSecretEnvName, isSecretKey} from './redact/names.js'
import {isNonSecretValue} from './redact/placeholder.js'
import {readSecretJson, type JsonPath, type JsonString, type JsonStrings} from './json-strings.js'
import {readSecretText} from './read.js'
import type {TargetProfile} from '../targets/profile.js'
import {declaredSecretValues} from './sources/declared.js'
import {executorLocations, type ExecutorLocations} from './sources/executor.js'
import {envFileAssignments, runwispConfigSecrets, runwispLocations, unitEnvironment, type RunwispLocations} from './sources/runwisp.js'

class SecretSet {
  private readonly byValue = new Map<string, Set<string>>()

  add(value: unknown, foundIn: string): void {
    if (typeof value !== 'string') return
    for (const candidate of new Set([value, value.trim()])) {
      if (candidate.length < MIN_KNOWN_LENGTH || isNonSecretValue(candidate)) continue
      const where = this.byValue.get(candidate) ?? new Set<string>()
      where.add(foundIn)
      this.byValue.set(candidate, where)
    }
  }

  /** Labels follow discovery order, so the same machine labels the same secret the same way. */
  list(): KnownSecret[] {
    return [...this.byValue].map(([value, where], i) => ({value, label: `secret-${i + 1}`, foundIn: [...where]}))
  }
}

/** server.json `connection.auth` and profile auth (executor-facts §2.1, §2.4): bearer, basic, oauth. */
const AUTH_FIELDS = ['token', 'password', 'accessToken', 'refreshToken'] as const

const isAuthField = (key: string | number | undefined): boolean =>
  typeof key === 'string' && (AUTH_FIELDS as readonly string[]).includes(key)

/**
 * The values of a secret file found where the product reads them. A file that does not parse (cut
 * mid-token, a value unquoted) has no reliable shape: there every value under a secret-looking
 * key counts, wherever it sits.
 */
function pick(file: JsonStrings | null, where: (path: JsonPath) => boolean): JsonString[] {
  if (!file) return []
  return file.strings.filter((s) => {
    if (where(s.path)) return true
    const last = s.path[s.path.length - 1]
    return file.malformed && typeof last === 'string' && (isAuthField(last) || isSecretKey(last))
  })
}

export async function discoverKnownSecrets(
  ctx: CheckContext,
  executor: ExecutorLocations,
  runwisp: RunwispLocations,
  profiles: readonly TargetProfile[] = [],
): Promise<KnownSecret[]> {
  const set = new SecretSet()

  // The environment this command runs in.
  for (const [name, value] of Object.entries(ctx.env)) {
    if (isSecretEnvName(name)) set.add(value, `environment variable ${name}`)
    const credentials = value ? /:\/\/[^\s:/@]+:([^\s/@]+)@/.exec(value) : null
    if (credentials) set.add(credentials[1], `password in the URL of environment variable ${name}`)
  }

  // Every read starts here at once (a dozen files one after another were ~5 ms of a healthy run);
  // the values are added below in discovery order, so the same machine labels them the same way.
  const files = executor.paths
  const bearerRead = started(readSecretJson(files.bearer))
  const manifestRead = started(readSecretJson(files.manifest))
  const connectionsRead = started(readSecretJson(files.connections))
  const backupsRead = started(ctx.files.readdir(executor.xdgDir))
  const serviceReads = inOrder(executor.serviceFiles, (service) => readSecretText(service.path, 256 * 1024))
  const declaredReads = inOrder(profiles, (profile) => declaredSecretValues(ctx, profile))
  const passwordReads = inOrder(runwisp.dataDirs, (data) => readSecretText(resolve(data.path, 'password')))
  const unitReads = inOrder([...runwisp.passwordDropIns, ...runwisp.serviceFiles.map((s) => s.path)], (path) =>
    readSecretText(path, 256 * 1024),
  )
  const envFileReads = inOrder(runwisp.envFiles, (path) => readSecretText(path, 256 * 1024))
  const configReads = inOrder(runwisp.configs, (config) => readSecretText(config.path, 1024 * 1024))
  const daemonEnvironments = started(productDaemonEnvironments(ctx))

  // Executor (executor-facts §1.4, §2.1, §2.3, §2.4). Streamed, whatever their size: Executor
  // reads the whole file, so a token behind 64 KiB of padding is in use all the same.
  for (const s of pick(await bearerRead, (p) => p.length === 1 && p[0] === 'token')) set.add(s.value, files.bearer)
  for (const s of pick(await manifestRead, (p) => p.length === 3 && p[0] === 'connection' && p[1] === 'auth' && isAuthField(p[2])))
    set.add(s.value, `${files.manifest} connection auth.${String(s.path[2])}`)
  const connections = await connectionsRead
  const profileNames = new Map(
    (connections?.strings ?? [])
      .filter((s) => s.path.length === 3 && s.path[0] === 'profiles' && s.path[2] === 'name')
      .map((s) => [s.path[1], s.value]),
  )
  for (const s of pick(
    connections,
    (p) => p.length === 5 && p[0] === 'profiles' && p[2] === 'connection' && p[3] === 'auth' && isAuthField(p[4]),
  )) {
    set.add(s.value, `${files.connections} profile ${String(profileNames.get(s.path[1]) ?? s.path[1])} auth.${String(s.path[4])}`)
  }
  const backups = await backupsRead
  const stores = [
    ...executor.fileSecretsStores,
    ...(backups.ok ? backups.names.filter((n) => n.startsWith('auth.json.v1-v2-')).map((n) => resolve(executor.xdgDir, n)) : []),
  ]
  for await (const [store, read] of inOrder(stores, (store) => readSecretJson(store))) {
    // A file-secrets store maps item ids to values (§1.4 item 2): every top-level string is one.
    for (const s of pick(read, (p) => p.length === 1)) set.add(s.value, `${store} item ${String(s.path[0])}`)
  }
  for await (const [service, text] of serviceReads) {
    if (text)
      for (const [name, value] of unitEnvironment(text)) if (isSecretEnvName(name)) set.add(value, `${service.path} Environment ${name}`)
  }

  // Declared targets: what their profiles say is secret (doctor.config.json `secrets[].values`, `env`).
  for await (const [, learned] of declaredReads) for (const {value, foundIn} of learned) set.add(value, foundIn)

  // RunWisp (runwisp-facts §1.2, §3.3, §5.1, §8).
  for await (const [data, password] of passwordReads) {
    if (password !== null) set.add(password.trim(), resolve(data.path, 'password'))
  }
  for await (const [path, text] of unitReads) {
    if (text) for (const [name, value] of unitEnvironment(text)) if (isSecretEnvName(name)) set.add(value, `${path} Environment ${name}`)
  }
  for await (const [path, text] of envFileReads) {
    if (text) for (const [name, value] of envFileAssignments(text)) if (isSecretEnvName(name)) set.add(value, `${path} ${name}`)
  }
  for await (const [config, text] of configReads) {
    if (text === null) continue
    const found = runwispConfigSecrets(text)
    for (const {value, key} of found.values) set.add(value, `${config.path} ${key}`)
    for (const name of found.envRefs) set.add(ctx.env[name], `environment variable ${name} (referenced by ${config.path})`)
    for (const ref of found.fileRefs) {
      const path = resolve(dirname(config.path), ref)
      const value = await readSecretText(path)
      if (value !== null) set.add(value.trim(), `${path} (referenced by ${config.path})`)
    }
    // Keys that look secret in a YAML config of the 0.1 era.
    if (config.path.endsWith('.yaml')) {
      for (const m of text.matchAll(/^\s*([A-Za-z0-9_.-]+)\s*:\s*["']?([^"'\n#]+?)["']?\s*$/gm))
        if (isSecretKey(m[1]!)) set.add(m[2], `${config.path} ${m[1]}`)
    }
  }

  // The products' running daemons may hold other values than this shell (a service started with
  // another RUNWISP_PASSWORD): their environment is read where the kernel allows it.
  for (const {proc, environ} of await daemonEnvironments)
    for (const [name, value] of Object.entries(environ))
      if (isSecretEnvName(name)) set.add(value, `environment of ${proc.comm} (pid ${proc.pid}) ${name}`)
  return set.list()
}

/** The environments of the running Executor and RunWisp processes, where the kernel lets them be read (Linux). */
async function productDaemonEnvironments(ctx: CheckContext): Promise<Array<{proc: ProcessBrief; environ: Record<string, string>}>> {
  if (ctx.platform !== 'linux') return []
  const daemons = (await ctx.processes.listBrief()).filter((proc) => /^(?:executor|runwisp)(?:\.exe)?$/.test(proc.comm))
  const environs = await Promise.all(daemons.map((proc) => ctx.processes.environ(proc.pid)))
  return daemons.flatMap((proc, i) => (environs[i] ? [{proc, environ: environs[i]}] : []))
}

/** The known secrets of this machine, found where the bundle finds them: what every output is redacted of. */
export async function knownSecretsOf(ctx: CheckContext, profiles: readonly TargetProfile[] = []): Promise<KnownSecret[]> {
  return discoverKnownSecrets(ctx, executorLocations(ctx), await runwispLocations(ctx), profiles)
}
