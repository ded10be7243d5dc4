/**
 * A report with one result of every kind and text that tests escaping: XML specials, quotes,
 * CR/LF, tabs, an ANSI escape (a control character XML 1.0 forbids), a lone surrogate, `%`, `:`
 * and `,`. Findings come from the real catalogue so their fix and docs are the real ones.
 */
import {finding} from '../../src/catalogue.js'
import {summarize} from '../../src/engine/doctor.js'
import '../../src/targets/index.js'
import type {CheckResult, Report} from '../../src/types.js'

export const NASTY = 'a <b> & "c" \'d\' 100% done: x, y\r\nnext\tline \u001b[31mred\u001b[0m \uD800 end'

export function sampleReport(overrides: Partial<Report> = {}): Report {
  const squat = finding('executor/port-squatter', {
    vars: {port: 4788, pid: 4242, command: `node squat.js --label ${NASTY}`},
    evidence: {port: 4788, owner: {pid: 4242, command: `node squat.js ${NASTY}`}},
  })
  const stale = finding('executor/stale-record', {
    vars: {path: '/data/daemon-localhost-4788.json', pid: 77},
    evidence: {path: '/data/daemon-localhost-4788.json', pid: 77},
  })
  const checks: CheckResult[] = [
    {id: 'daemon-health', target: 'executor', title: 'Check the daemon answers as Executor', status: 'pass', durationMs: 12, findings: []},
    {
      id: 'port-squatter',
      target: 'executor',
      title: 'Check nothing else holds the daemon ports',
      status: 'fail',
      durationMs: 30,
      findings: [squat],
    },
    {
      id: 'stale-manifest',
      target: 'executor',
      title: 'Check daemon manifests and records',
      status: 'warn',
      durationMs: 3,
      findings: [stale],
    },
    {
      id: 'stale-lock',
      target: 'executor',
      title: 'Check daemon start locks',
      status: 'error',
      durationMs: 4000,
      reason: `cannot read /data/x.lock (EACCES) ${NASTY}`,
      findings: [],
      slow: {timeoutMs: 5000},
    },
    {
      id: 'clock-skew',
      target: 'executor',
      title: "Check the daemon's clock",
      status: 'skip',
      durationMs: 0,
      reason: 'depends on daemon-health, which is fail',
      findings: [],
    },
  ]
  return {
    schemaVersion: 1,
    tool: {name: 'doctorkit', version: '0.0.0-test'},
    startedAt: '2030-01-02T03:04:05.678Z',
    durationMs: 4100,
    targets: [
      {id: 'executor', detected: true, forced: false, generation: 'current', generationReason: 'test', dataDir: '/data', reasons: ['test']},
    ],
    checks,
    summary: summarize(checks),
    ...overrides,
  }
}
