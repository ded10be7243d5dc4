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
import {MIN_KNOWN_LENGTH, type KnownSecret} from './redact/known.js'
import {isSecretEnvName, isSecretKey} from './redact/names.js'
import {isNonSecretValue} from './redact/placeholder.js'
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

function parseJson(text: string | null): unknown {
  if (text === null) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function addAuth(set: SecretSet, auth: unknown, where: string): void {
  if (!isObject(auth)) return
  for (const field of AUTH_FIELDS) set.add(auth[field], `${where} auth.${field}`)
}

export async function discoverKnownSecrets(ctx: CheckContext, executor: ExecutorLocations, runwisp: RunwispLocations, profiles: readonly TargetProfile[] = []): Promise<KnownSecret[]> {
  const set = new SecretSet()

  // The environment this command runs in.
  for (const [name, value] of Object.entries(ctx.env)) {
    if (isSecretEnvName(name)) set.add(value, `environment variable ${name}`)
    const credentials = value ? /:\/\/[^\s:/@]+:([^\s/@]+)@/.exec(value) : null
    if (credentials) set.add(credentials[1], `password in the URL of environment variable ${name}`)
  }

  // Executor (executor-facts §1.4, §2.1, §2.3, §2.4).
  const bearer = parseJson(await readSecretText(executor.paths.bearer))
  if (isObject(bearer)) set.add(bearer.token, executor.paths.bearer)
  const manifest = parseJson(await readSecretText(executor.paths.manifest))
  if (isObject(manifest) && isObject(manifest.connection)) addAuth(set, manifest.connection.auth, `${executor.paths.manifest} connection`)
  const connections = parseJson(await readSecretText(executor.paths.connections, 1024 * 1024))
  if (isObject(connections) && Array.isArray(connections.profiles)) {
    for (const profile of connections.profiles) {
      if (isObject(profile) && isObject(profile.connection)) addAuth(set, profile.connection.auth, `${executor.paths.connections} profile ${String(profile.name)}`)
    }
  }
  const backups = await ctx.files.readdir(executor.xdgDir)
  const stores = [...executor.fileSecretsStores, ...(backups.ok ? backups.names.filter((n) => n.startsWith('auth.json.v1-v2-')).map((n) => resolve(executor.xdgDir, n)) : [])]
  for (const store of stores) {
    const values = parseJson(await readSecretText(store, 4 * 1024 * 1024))
    if (isObject(values)) for (const [id, value] of Object.entries(values)) set.add(value, `${store} item ${id}`)
  }
  for (const service of executor.serviceFiles) {
    const text = await readSecretText(service.path, 256 * 1024)
    if (text) for (const [name, value] of unitEnvironment(text)) if (isSecretEnvName(name)) set.add(value, `${service.path} Environment ${name}`)
  }

  // Declared targets: what their profiles say is secret (doctor.config.json `secrets[].values`, `env`).
  for (const profile of profiles) for (const learned of await declaredSecretValues(ctx, profile)) set.add(learned.value, learned.foundIn)

  // RunWisp (runwisp-facts §1.2, §3.3, §5.1, §8).
  for (const data of runwisp.dataDirs) {
    const password = await readSecretText(resolve(data.path, 'password'))
    if (password !== null) set.add(password.trim(), resolve(data.path, 'password'))
  }
  for (const path of [...runwisp.passwordDropIns, ...runwisp.serviceFiles.map((s) => s.path)]) {
    const text = await readSecretText(path, 256 * 1024)
    if (text) for (const [name, value] of unitEnvironment(text)) if (isSecretEnvName(name)) set.add(value, `${path} Environment ${name}`)
  }
  for (const path of runwisp.envFiles) {
    const text = await readSecretText(path, 256 * 1024)
    if (text) for (const [name, value] of envFileAssignments(text)) if (isSecretEnvName(name)) set.add(value, `${path} ${name}`)
  }
  for (const config of runwisp.configs) {
    const text = await readSecretText(config.path, 1024 * 1024)
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
      for (const m of text.matchAll(/^\s*([A-Za-z0-9_.-]+)\s*:\s*["']?([^"'\n#]+?)["']?\s*$/gm)) if (isSecretKey(m[1]!)) set.add(m[2], `${config.path} ${m[1]}`)
    }
  }

  // The products' running daemons may hold other values than this shell (a service started with
  // another RUNWISP_PASSWORD): their environment is read where the kernel allows it.
  if (ctx.platform === 'linux') {
    for (const proc of await ctx.processes.list()) {
      if (!/^(?:executor|runwisp)(?:\.exe)?$/.test(proc.comm)) continue
      const environ = await ctx.processes.environ(proc.pid)
      if (!environ) continue
      for (const [name, value] of Object.entries(environ)) if (isSecretEnvName(name)) set.add(value, `environment of ${proc.comm} (pid ${proc.pid}) ${name}`)
    }
  }
  return set.list()
}

/** The known secrets of this machine, found where the bundle finds them: what every output is redacted of. */
export async function knownSecretsOf(ctx: CheckContext, profiles: readonly TargetProfile[] = []): Promise<KnownSecret[]> {
  return discoverKnownSecrets(ctx, executorLocations(ctx), await runwispLocations(ctx), profiles)
}
