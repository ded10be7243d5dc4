import {isAbsolute, resolve} from 'node:path'
import {Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import type {Finding} from '../../../types.js'
import {displayUrl, envSource, isLoopbackOrigin, manifestToken, parseConnections, readBearer, sameServer} from '../config.js'
import {normalizeOrigin} from '../formats.js'
import {checkRecordedPid} from '../identity.js'
import {CLI_DAEMON_PORT} from '../paths.js'
import {loadExecutorState, manifestOf} from '../state.js'
import {executorGeneration} from '../target.js'
import {withDocumentedPlans} from '../../../fix/documented.js'

/** The token a local server actually accepts right now, and where that was read. */
async function localServerToken(ctx: CheckContext): Promise<{token: string; against: string} | null> {
  const state = await loadExecutorState(ctx)
  const manifest = manifestOf(state)
  const token = manifest ? manifestToken(manifest) : null
  if (manifest && token) {
    const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
    if (pid.state === 'alive') return {token, against: `the token of the running server at ${manifest.connection.origin} (server.json)`}
  }
  const bearer = await readBearer(ctx, state.paths.bearer)
  if (bearer.kind === 'ok') return {token: bearer.token, against: `the local server token in ${state.paths.bearer}`}
  return null
}

const removeFrom = (file: string | null) => (file ? `# remove the line at ${file}` : '# and remove it from wherever you export it')

export const executorAuthEnv: TargetCheck = withDocumentedPlans({
  symptoms: [
    'executor/env-token-set',
    'executor/env-token-mismatch',
    'executor/env-web-base-url',
    'executor/env-relative-data-dir',
    'executor/default-profile-overrides',
    'executor/default-profile-alias',
    'executor/default-profile-missing',
    'executor/connections-invalid',
  ],
  async detect(ctx, target) {
    const state = await loadExecutorState(ctx)
    const findings: Finding[] = []

    // 1. A bearer credential in the environment (§4.3): API_KEY wins over AUTH_TOKEN.
    const apiKey = ctx.env.EXECUTOR_API_KEY
    const authToken = ctx.env.EXECUTOR_AUTH_TOKEN
    const variable = apiKey !== undefined ? 'EXECUTOR_API_KEY' : authToken !== undefined ? 'EXECUTOR_AUTH_TOKEN' : null
    // 1.5.9 has no bearer auth at all: the variables mean nothing to it (its own rules, §10).
    if (variable && executorGeneration(target) !== 'legacy') {
      const value = (apiKey ?? authToken)!
      const source = await envSource(ctx, variable)
      const both = apiKey !== undefined && authToken !== undefined
      const detail = [
        value === '' ? ' It is set to an empty string, which still counts as set.' : '',
        both
          ? ` Both EXECUTOR_API_KEY and EXECUTOR_AUTH_TOKEN are set; EXECUTOR_API_KEY wins${apiKey === authToken ? '' : ' and they differ'}.`
          : '',
      ].join('')
      const local = await localServerToken(ctx)
      const evidence = {variable, set: true, source: source.text, assignedAt: source.file, bothSet: both}
      if (local && local.token !== value) {
        findings.push(
          finding('executor/env-token-mismatch', {
            vars: {variable, source: source.text, against: local.against, detail, removeFrom: removeFrom(source.file)},
            evidence: {...evidence, comparedWith: local.against},
          }),
        )
      } else {
        const matches = local ? " It matches the local server's token, so requests succeed while a daemon runs." : ''
        findings.push(
          finding('executor/env-token-set', {
            vars: {variable, source: source.text, detail: matches + detail, removeFrom: removeFrom(source.file)},
            evidence,
          }),
        )
      }
    }

    // 2. A global EXECUTOR_WEB_BASE_URL that spawned daemons inherit.
    const webBase = ctx.env.EXECUTOR_WEB_BASE_URL
    if (webBase !== undefined && webBase.trim() !== '') {
      const manifest = manifestOf(state)
      const own = new Set([`http://localhost:${CLI_DAEMON_PORT}`, ...(manifest ? [manifest.connection.origin] : [])])
      const normalized = normalizeOrigin(webBase)
      if (!normalized || ![...own].some((o) => sameServer(o, normalized))) {
        const source = await envSource(ctx, 'EXECUTOR_WEB_BASE_URL')
        findings.push(
          finding('executor/env-web-base-url', {
            vars: {value: displayUrl(webBase), source: source.text, removeFrom: removeFrom(source.file)},
            evidence: {variable: 'EXECUTOR_WEB_BASE_URL', value: displayUrl(webBase), source: source.text, assignedAt: source.file},
          }),
        )
      }
    }

    // 3. A relative EXECUTOR_DATA_DIR (§1.1): not resolve()d by daemon-state.ts / server-profile.ts.
    const rawDataDir = ctx.env.EXECUTOR_DATA_DIR
    if (rawDataDir !== undefined && rawDataDir.trim() !== '' && !isAbsolute(rawDataDir) && !ctx.options.targetOptions.executor?.dataDir) {
      const source = await envSource(ctx, 'EXECUTOR_DATA_DIR')
      findings.push(
        finding('executor/env-relative-data-dir', {
          vars: {raw: rawDataDir, source: source.text, absolute: resolve(ctx.cwd, rawDataDir)},
          evidence: {raw: rawDataDir, resolvedFromHere: resolve(ctx.cwd, rawDataDir), source: source.text},
        }),
      )
    }

    // 4. The default profile, which beats the local daemon for every command without --base-url.
    const path = state.paths.connections
    const read = await ctx.files.read(path, 4 * 1024 * 1024)
    if (!read.ok) {
      if (read.code === 'EACCES') throw new Undetermined(`cannot read ${path} (EACCES)`, {path})
      if (read.code !== 'ENOENT' && read.code !== 'ENOTDIR' && read.code !== 'ELOOP') {
        findings.push(finding('executor/connections-invalid', {vars: {path, reason: read.message}, evidence: {path, error: read.code}}))
      }
      return findings
    }
    const parsed = parseConnections(read.text)
    if (!parsed.ok) {
      findings.push(finding('executor/connections-invalid', {vars: {path, reason: parsed.reason}, evidence: {path, reason: parsed.reason}}))
      return findings
    }
    const name = parsed.value.defaultProfile
    if (name === null) return findings
    const profile = parsed.value.profiles.find((p) => p.name === name)
    if (!profile) {
      findings.push(
        finding('executor/default-profile-missing', {
          vars: {path, profile: name},
          evidence: {path, defaultProfile: name, profiles: parsed.value.profiles.map((p) => p.name)},
        }),
      )
      return findings
    }
    const manifest = manifestOf(state)
    if (!manifest || !profile.origin) return findings
    const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
    if (pid.state !== 'alive') return findings // no local daemon to override
    const localOrigin = manifest.connection.origin
    const evidence = {
      path,
      defaultProfile: name,
      profileOrigin: profile.origin,
      profileAuth: profile.authKind,
      localOrigin,
      localPid: manifest.pid,
    }
    if (profile.origin === localOrigin) return findings
    if (sameServer(profile.origin, localOrigin)) {
      // Same server, other spelling: harmless with stored auth (not auto-startable), a refusal without.
      if (profile.authKind === null && isLoopbackOrigin(profile.origin))
        findings.push(
          finding('executor/default-profile-alias', {vars: {path, profile: name, origin: profile.origin, localOrigin}, evidence}),
        )
      return findings
    }
    findings.push(
      finding('executor/default-profile-overrides', {
        vars: {path, profile: name, origin: displayUrl(profile.origin), localOrigin},
        evidence,
      }),
    )
    return findings
  },
})
