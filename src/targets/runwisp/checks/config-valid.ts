import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import type {CheckContext} from '../../../context.js'
import {loadConfig} from '../config.js'
import {validateConfig, type ConfigIssue} from '../config-rules.js'
import {describeFacts, since} from '../generations.js'
import {loadRunwispState, loadUnits, runwispFacts} from '../state.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'
import {parseRunwispPort, runwispEnv} from '../env.js'

const ISSUE_SYMPTOM: Record<ConfigIssue['kind'], string> = {
  'unknown-key': 'runwisp/config-unknown-key',
  'bad-value': 'runwisp/config-bad-value',
  cron: 'runwisp/cron-invalid',
  notifier: 'runwisp/unknown-notifier',
  'overlap-skip': 'runwisp/overlap-skip',
}

/** `runwisp.toml` as this generation's loader would judge it (runwisp-facts §5), plus the RUNWISP_* variables it validates at start. */
export const runwispConfigValid: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: [
      'runwisp/config-missing',
      'runwisp/config-syntax',
      'runwisp/config-unknown-key',
      'runwisp/config-bad-value',
      'runwisp/cron-invalid',
      'runwisp/unknown-notifier',
      'runwisp/overlap-skip',
      'runwisp/env-invalid',
    ],
    async detect(ctx, _target) {
      const facts = await runwispFacts(ctx)
      const findings: Finding[] = envFindings(ctx, facts)
      const state = await loadRunwispState(ctx)
      const unit = (await loadUnits(ctx)).find((u) => u.config && u.dataDir === state.dataDir)
      const config = await loadConfig(ctx)
      const path = config.candidate.path
      switch (config.kind) {
        case 'missing':
          if (config.explicit)
            findings.push(
              finding('runwisp/config-missing', {
                vars: {path, source: config.candidate.label},
                evidence: {path, source: config.candidate.source},
              }),
            )
          else if (findings.length === 0)
            return skip(
              `no runwisp.toml (looked at ${config.looked.join(', ')}${unit?.config ? `; ${unit.path} uses ${unit.config}` : ''})`,
            )
          return findings
        case 'unreadable':
          throw new Undetermined(`cannot read ${path} (${config.error.code}): ${config.error.message}`, {path})
        case 'too-large':
          throw new Undetermined(
            `${path} is ${config.sizeBytes} bytes; the doctor reads configs up to 4 MiB, and no RunWisp config is anywhere near that`,
            {path, sizeBytes: config.sizeBytes},
          )
        case 'invalid':
          findings.push(
            finding('runwisp/config-syntax', {
              vars: {path, line: config.position?.line ?? '?', column: config.position?.column ?? '?', reason: config.reason},
              evidence: {path, line: config.position?.line ?? null, column: config.position?.column ?? null, reason: config.reason},
            }),
          )
          return findings
        case 'ok':
          break
      }
      for (const issue of validateConfig(config.data, config.positions, facts)) {
        const vars = {
          path,
          line: issue.line ?? '?',
          column: issue.column ?? '?',
          detail: issue.detail,
          key: issue.key,
          task: issue.task ?? '',
          limitKey: issue.detail.includes('parallelism') ? 'parallelism' : 'max_concurrent',
          // ≤0.4 records a skip as end_reason "failed"; 0.5 added "skipped" (runwisp-facts §6.1).
          recordedAs: since(facts, '0.5.0') === 'yes' ? 'skipped' : since(facts, '0.5.0') === 'no' ? 'failed' : 'failed (skipped from 0.5)',
        }
        findings.push(
          finding(ISSUE_SYMPTOM[issue.kind], {
            vars,
            evidence: {path, key: issue.key, line: issue.line, column: issue.column, judgedAs: describeFacts(facts)},
          }),
        )
      }
      return findings
    },
  }),
)

/** runwisp-facts §2.1, §3.3: the RUNWISP_* values RunWisp refuses to start with, in the environment the doctor sees. */
function envFindings(ctx: CheckContext, facts: Awaited<ReturnType<typeof runwispFacts>>): Finding[] {
  const out: Finding[] = []
  const env = ctx.env
  // What RunWisp acts on: an empty (or, for the trimmed ones, blank) value is unset, never "invalid".
  const value = (name: string) => runwispEnv(env, name)
  const bad = (name: string, detail: string) =>
    out.push(
      finding('runwisp/env-invalid', {
        vars: {name, value: JSON.stringify(value(name) ?? ''), detail},
        evidence: {variable: name, value: env[name] ?? null},
      }),
    )
  const port = value('RUNWISP_PORT')
  if (port !== undefined && since(facts, '0.14.0') !== 'no') {
    if (parseRunwispPort(port) === null) bad('RUNWISP_PORT', 'RUNWISP_PORT must be a valid port number')
  }
  const auth = value('RUNWISP_AUTH')
  if (auth !== undefined && since(facts, '0.16.0') !== 'no') {
    const v = auth.toLowerCase()
    if (v !== 'on' && v !== 'off') bad('RUNWISP_AUTH', 'RUNWISP_AUTH must be "on" or "off" when set')
    else if (v === 'off' && value('RUNWISP_PASSWORD'))
      bad('RUNWISP_AUTH', 'RUNWISP_AUTH=off and RUNWISP_PASSWORD are mutually exclusive — unset one of them')
  }
  if (env.RUNWISP_NO_AUTH !== undefined && since(facts, '0.8.0') !== 'no' && since(facts, '0.16.0') !== 'yes') {
    const v = env.RUNWISP_NO_AUTH.toLowerCase()
    if (v !== '1' && v !== 'true') bad('RUNWISP_NO_AUTH', 'RUNWISP_NO_AUTH must be "1" or "true" when set')
    else if (env.RUNWISP_PASSWORD) bad('RUNWISP_NO_AUTH', 'RUNWISP_NO_AUTH and RUNWISP_PASSWORD are mutually exclusive — unset one of them')
  }
  return out
}
