import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {Finding} from '../../../types.js'
import {fingerprint, manifestToken, readBearer} from '../config.js'
import {checkRecordedPid} from '../identity.js'
import {loadExecutorState, manifestGeneration, manifestOf, requireReadableDataDir} from '../state.js'
import {executorGeneration} from '../target.js'
import {withDocumentedPlans} from '../../../fix/documented.js'

/**
 * `server-control/auth.json` (the local bearer, §2.3) against the running server's copy in
 * server.json. Only this file is the bearer: the top-level `<dataDir>/auth.json` and the XDG
 * `executor/auth.json` are the file-secrets store (§1.4) and are never compared here.
 * 1.5.9 has no auth.json and no bearer at all; it is judged by its own rules (nothing to drift).
 */
export const executorTokenDrift: TargetCheck = withDocumentedPlans({
  symptoms: ['executor/token-drift', 'executor/auth-json-missing', 'executor/auth-json-invalid'],
  async detect(ctx, target) {
    const state = await loadExecutorState(ctx)
    requireReadableDataDir(state)
    const generation = manifestGeneration(state)?.generation ?? executorGeneration(target)
    if (generation === 'legacy')
      return skip('Executor 1.5.9 and earlier have no server-control/auth.json and no bearer token: nothing can drift')
    if (state.dataDirState.kind !== 'dir') return skip(`no data dir at ${state.dataDir}`)
    const authPath = state.paths.bearer
    const bearer = await readBearer(ctx, authPath)
    const manifest = manifestOf(state)
    const running = manifest ? manifestToken(manifest) : null
    const findings: Finding[] = []
    if (bearer.kind === 'unreadable') throw new Undetermined(`cannot read ${authPath} (${bearer.reason})`, {path: authPath})
    if (bearer.kind === 'symlink')
      return skip(`${authPath} is a symlink; the doctor does not read secrets through links (symlinked-secret reports it)`)
    if (bearer.kind === 'invalid') {
      findings.push(
        finding('executor/auth-json-invalid', {vars: {authPath, reason: bearer.reason}, evidence: {path: authPath, reason: bearer.reason}}),
      )
      return findings
    }
    if (bearer.kind === 'missing') {
      // Missing is only a hazard when a token is already in use (a fresh install mints its first).
      if (!running || !manifest) return findings
      findings.push(
        finding('executor/auth-json-missing', {
          vars: {
            authPath,
            dataDir: state.dataDir,
            evidenceText: `${state.paths.manifest} shows a server (pid ${manifest.pid}) that uses a bearer token`,
          },
          evidence: {
            path: authPath,
            manifest: state.paths.manifest,
            manifestPid: manifest.pid,
            manifestTokenFingerprint: fingerprint(running),
          },
        }),
      )
      return findings
    }
    if (!manifest || !running) return findings
    const pid = await checkRecordedPid(ctx, manifest.pid, Date.parse(manifest.startedAt) || null, manifest.owner.executablePath)
    if (pid.state === 'unknown') throw new Undetermined(`cannot tell whether pid ${manifest.pid} of server.json runs: ${pid.reason}`)
    if (pid.state !== 'alive') return findings // a stale manifest's token is no server's (stale-manifest reports it)
    if (bearer.token === running) return findings
    findings.push(
      finding('executor/token-drift', {
        vars: {
          authPath,
          authFingerprint: fingerprint(bearer.token),
          manifestFingerprint: fingerprint(running),
          kind: manifest.kind,
          origin: manifest.connection.origin,
          pid: manifest.pid,
        },
        evidence: {
          authPath,
          manifest: state.paths.manifest,
          authFingerprint: fingerprint(bearer.token),
          manifestFingerprint: fingerprint(running),
          authWrittenAt: new Date(bearer.mtimeMs).toISOString(),
          serverStartedAt: manifest.startedAt,
          rotatedAfterStart: bearer.mtimeMs > (Date.parse(manifest.startedAt) || 0),
        },
      }),
    )
    return findings
  },
})
