/**
 * A target declared in doctor.config.json, made from its profile: its symptoms join the catalogue
 * and its detection reads only the declared facts. It is present when its data dir or pid file
 * exists, a process matching its `process` runs, or something listens on its health port
 * (issue 14 §2); `--target <id>` forces it like a built-in.
 */
import type {CheckContext} from '../../context.js'
import type {TargetProfile} from '../profile.js'
import type {DetectedTarget, TargetDefinition} from '../types.js'
import {daemonProcesses} from './identity.js'
import {observePort} from './ports.js'
import {registerDeclaredSymptoms} from './symptoms.js'

/** The targets a config declares, in declaration order (after the built-ins in the report). */
export function declaredTargets(profiles: readonly TargetProfile[]): TargetDefinition[] {
  return profiles.map(declaredTarget)
}

export function declaredTarget(profile: TargetProfile): TargetDefinition {
  registerDeclaredSymptoms(profile)
  return {
    id: profile.id,
    name: profile.name,
    profile,
    async detect(ctx: CheckContext): Promise<DetectedTarget> {
      const reasons: string[] = []
      if (profile.dataDir && (await ctx.files.lstat(profile.dataDir.path)).ok) reasons.push(`data dir ${profile.dataDir.path} exists`)
      if (profile.pidFile && (await ctx.files.lstat(profile.pidFile.path)).ok) reasons.push(`pid file ${profile.pidFile.path} exists`)
      for (const path of profile.detect?.paths ?? []) if ((await ctx.files.lstat(path)).ok) reasons.push(`${path} exists`)
      for (const name of profile.detect?.env ?? []) if (ctx.env[name] !== undefined) reasons.push(`${name} is set`)
      const running = await runningProcess(ctx, profile)
      if (running) reasons.push(running)
      // The socket table is read once per run anyway; a connection attempt would cost a round trip.
      if (reasons.length === 0 && profile.health) {
        const holders = await observePort(ctx, profile, profile.health.port)
        if (holders.length > 0) reasons.push(`something listens on its health port ${profile.health.port}`)
      }
      return {
        id: profile.id,
        detected: reasons.length > 0,
        forced: false,
        generation: null,
        generationReason: `declared in ${profile.source.configPath}`,
        dataDir: profile.dataDir?.path ?? null,
        reasons,
        profile,
      }
    },
  }
}

/** A running process that is the daemon, as a detection reason. */
async function runningProcess(ctx: CheckContext, profile: TargetProfile): Promise<string | null> {
  const [daemon] = await daemonProcesses(ctx, profile, {first: true})
  return daemon ? `pid ${daemon.proc.pid} is ${profile.name} (${daemon.why})` : null
}
