import {delimiter, dirname, join, resolve} from 'node:path'
import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import type {Finding} from '../../../types.js'
import {isLoopbackOrigin, parseConnections} from '../config.js'
import {compareVersions, normalizeOrigin} from '../formats.js'
import {checkRecordedPid} from '../identity.js'
import {CLI_DAEMON_PORT, SERVICE_PORT} from '../paths.js'
import {lingerState, parseLaunchdPlist, parseSystemdUnit, serviceUnitPath, userName, type ServiceDefinition} from '../service-unit.js'
import {loadExecutorState, manifestOf, observePort, portOf} from '../state.js'
import {withDocumentedPlans} from '../../../fix/documented.js'

/** MCP client configs that commonly hold an Executor URL (`<origin>/mcp`). */
const MCP_CONFIGS = [
  '~/.cursor/mcp.json',
  '~/.claude.json',
  '~/.codeium/windsurf/mcp_config.json',
  '~/.config/Claude/claude_desktop_config.json',
  '~/Library/Application Support/Claude/claude_desktop_config.json',
  './.mcp.json',
  './.cursor/mcp.json',
  './.vscode/mcp.json',
]

/** The version of the `executor` first on PATH, when its npm package says it (the installer's binary does not). */
async function cliVersion(ctx: CheckContext): Promise<{version: string; path: string} | null> {
  for (const dir of (ctx.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'executor')
    const stat = await ctx.files.stat(candidate)
    if (!stat.ok || !stat.stat.isFile()) continue
    const real = (await ctx.files.realpath(candidate)) ?? candidate
    let current = dirname(real)
    for (let depth = 0; depth < 4; depth++) {
      const pkg = await ctx.files.read(join(current, 'package.json'), 256 * 1024)
      if (pkg.ok) {
        try {
          const json = JSON.parse(pkg.text) as {name?: string; version?: string}
          if ((json.name === 'executor' || json.name?.startsWith('executor-')) && json.version)
            return {version: json.version, path: candidate}
        } catch {
          // not a package.json we can use: keep looking up
        }
      }
      current = dirname(current)
    }
    return null
  }
  return null
}

/** Loopback Executor URLs clients are configured with: profiles and MCP client configs. */
async function clientOrigins(ctx: CheckContext, connectionsPath: string): Promise<Array<{client: string; origin: string}>> {
  const out: Array<{client: string; origin: string}> = []
  const connections = await ctx.files.read(connectionsPath, 4 * 1024 * 1024)
  if (connections.ok) {
    const parsed = parseConnections(connections.text)
    if (parsed.ok)
      for (const p of parsed.value.profiles)
        if (p.origin && isLoopbackOrigin(p.origin)) out.push({client: `profile "${p.name}" in ${connectionsPath}`, origin: p.origin})
  }
  for (const rel of MCP_CONFIGS) {
    const path = rel.startsWith('~/') ? join(ctx.home, rel.slice(2)) : resolve(ctx.cwd, rel)
    const read = await ctx.files.read(path, 16 * 1024 * 1024)
    if (!read.ok) continue
    for (const m of read.text.matchAll(/https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]):(\d+)\/mcp\b/g)) {
      const origin = normalizeOrigin(m[0].replace(/\/mcp$/, ''))
      if (origin && !out.some((o) => o.origin === origin && o.client.includes(path)))
        out.push({client: `the MCP client config ${path}`, origin})
    }
  }
  return out
}

export const executorServiceUnit: TargetCheck = withDocumentedPlans({
  symptoms: [
    'executor/service-binary-missing',
    'executor/service-version-drift',
    'executor/service-linger-off',
    'executor/service-port-mismatch',
    'executor/service-data-dir-differs',
    'executor/service-unit-invalid',
  ],
  async detect(ctx, _target) {
    const where = serviceUnitPath(ctx)
    if (!where) return skip(`the ${ctx.platform} service (Task Scheduler) is not inspected by this check`)
    // systemd and launchd follow a linked unit (home-manager, stow); the doctor only reads it.
    const read = await ctx.files.read(where.path, 1024 * 1024, {follow: true})
    if (!read.ok) {
      if (read.code === 'ENOENT' || read.code === 'ENOTDIR') return skip(`no Executor service is installed (no ${where.path})`)
      if (read.code === 'EACCES' || read.code === 'OTHER') throw new Undetermined(`cannot read ${where.path} (${read.code})`)
      return [
        finding('executor/service-unit-invalid', {
          vars: {unit: where.path, reason: read.message},
          evidence: {path: where.path, error: read.code},
        }),
      ]
    }
    const parsed = where.manager === 'launchd' ? parseLaunchdPlist(where.path, read.text) : parseSystemdUnit(where.path, read.text)
    if (!parsed.ok)
      return [
        finding('executor/service-unit-invalid', {
          vars: {unit: where.path, reason: parsed.reason},
          evidence: {path: where.path, reason: parsed.reason},
        }),
      ]
    const unit: ServiceDefinition = parsed.value
    const logs = {stdout: unit.stdoutLog, stderr: unit.stderrLog}
    const base = {unit: unit.path, manager: unit.manager, binary: unit.program[0]!, port: unit.port, logs}
    const findings: Finding[] = []

    // 1. The binary it starts.
    const binary = unit.program[0]!
    const stat = await ctx.files.stat(binary)
    const problem = !stat.ok
      ? stat.code === 'ENOENT' || stat.code === 'ENOTDIR'
        ? 'no longer exists'
        : `cannot be checked (${stat.code})`
      : !stat.stat.isFile()
        ? 'is not a file'
        : (stat.stat.mode & 0o111) === 0
          ? 'is not executable'
          : null
    if (problem) findings.push(finding('executor/service-binary-missing', {vars: {unit: unit.path, binary, problem}, evidence: base}))

    // 2. Version drift: the unit's EXECUTOR_SERVICE_VERSION against the running service and the CLI on PATH.
    const state = await loadExecutorState(ctx)
    const unitVersion = unit.env.EXECUTOR_SERVICE_VERSION
    if (unitVersion) {
      const manifest = manifestOf(state)
      const comparisons: Array<{source: string; version: string}> = []
      if (manifest && manifest.kind === 'cli-daemon' && manifest.owner.version && portOf(manifest.connection.origin) === unit.port) {
        const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
        if (pid.state === 'alive')
          comparisons.push({source: `the running service (server.json, pid ${manifest.pid})`, version: manifest.owner.version})
      }
      const cli = await cliVersion(ctx)
      if (cli) comparisons.push({source: `the executor on PATH (${cli.path})`, version: cli.version})
      const drift = comparisons.find((c) => compareVersions(c.version, unitVersion) !== 0)
      if (drift) {
        const detail =
          compareVersions(drift.version, unitVersion) < 0 ? ' The service is newer than that: do not downgrade (a known crash, #966).' : ''
        findings.push(
          finding('executor/service-version-drift', {
            vars: {unit: unit.path, unitVersion, otherSource: drift.source, otherVersion: drift.version, detail},
            evidence: {...base, unitVersion, compared: comparisons.map((c) => `${c.source}: ${c.version}`)},
          }),
        )
      }
    }

    // 3. Lingering (Linux): without it the user service only runs inside a login session.
    if (unit.manager === 'systemd --user') {
      const user = await userName(ctx)
      if (user) {
        const linger = await lingerState(ctx, user)
        if (linger.state === 'off')
          findings.push(
            finding('executor/service-linger-off', {vars: {unit: unit.path, user}, evidence: {...base, user, lingerFile: linger.file}}),
          )
      }
    }

    // 4. Clients on the other default port, where nothing Executor listens.
    const otherPorts = new Set([CLI_DAEMON_PORT, SERVICE_PORT].filter((p) => p !== unit.port))
    for (const ref of await clientOrigins(ctx, state.paths.connections)) {
      const port = portOf(ref.origin)
      if (!otherPorts.has(port)) continue
      const owners = await observePort(ctx, port, manifestOf(state)?.owner.executablePath)
      if (owners.some((o) => o.identity?.verdict === 'executor')) continue
      findings.push(
        finding('executor/service-port-mismatch', {
          vars: {servicePort: unit.port, client: ref.client, clientOrigin: ref.origin, clientPort: port},
          evidence: {...base, client: ref.client, clientOrigin: ref.origin},
        }),
      )
    }

    // 5. The data dir the unit pins against the one this shell's CLI uses.
    const unitDataDir = unit.env.EXECUTOR_DATA_DIR
    if (unitDataDir && resolve(unitDataDir) !== resolve(state.dataDir)) {
      findings.push(
        finding('executor/service-data-dir-differs', {
          vars: {unit: unit.path, unitDataDir, dataDir: state.dataDir},
          evidence: {...base, unitDataDir, cliDataDir: state.dataDir, cliDataDirSource: state.resolution.source},
        }),
      )
    }
    return findings
  },
})
