/**
 * The plumbing that lets a declared target run the same check files as the built-ins: which
 * checks apply, its catalogue entries, and `--target` naming a declared id.
 */
import {strict as assert} from 'node:assert'
import {checks} from '../../checks/index.js'
import {symptom} from '../../src/catalogue.js'
import {appliesTo} from '../../src/check.js'
import {validateTargetIds} from '../../src/cli/run-flags.js'
import {UsageError} from '../../src/engine/doctor.js'
import {catalogueExplainer} from '../../src/explain/index.js'
import {knownIds} from '../../src/config/load.js'
import {parseConfig} from '../../src/config/schema.js'
import {GENERIC_SYMPTOMS} from '../../src/targets/declared/symptoms.js'
import {declaredTarget} from '../../src/targets/declared/target.js'
import type {TargetProfile} from '../../src/targets/profile.js'
import {toTargetId} from '../../src/types.js'
import {keepCatalogue} from '../helpers/catalogue.js'

const profile = (overrides: Partial<TargetProfile> = {}): TargetProfile => ({
  id: toTargetId('kv'),
  name: 'KV cache',
  ports: [7000],
  secrets: [],
  env: [],
  configs: [],
  logs: [],
  symptoms: [
    {
      id: 'kv/port-in-use',
      title: 'KV cannot bind',
      patterns: [/Address already in use/],
      severity: 'fail',
      cause: 'Another process holds it.',
      fix: {summary: 'Stop it.', commands: ['ss -ltnp']},
    },
  ],
  source: {configPath: 'doctor.config.json'},
  ...overrides,
})

describe('declared targets: plumbing', () => {
  keepCatalogue()
  it('the generic checks apply to a declared target; target-only checks do not', () => {
    const target = {
      id: toTargetId('kv'),
      detected: true,
      forced: false,
      generation: null,
      generationReason: '',
      dataDir: null,
      reasons: [],
      profile: profile(),
    }
    const applying = checks.filter((c) => appliesTo(c, target)).map((c) => c.id)
    assert.deepEqual([...applying].sort(), [
      'clock-skew',
      'daemon-health',
      'daemon-log-errors',
      'data-dir-permissions',
      'disk-space',
      'duplicate-daemon',
      'port-squatter',
      'secret-permissions',
      'stale-lock',
      // Applies, to skip saying why: a declared target keeps no daemon records (its pid file is stale-lock's).
      'stale-manifest',
      'symlinked-secret',
    ])
    assert.equal(
      appliesTo(
        checks.find((c) => c.id === 'token-drift')!,
        {...target, id: 'executor', profile: undefined},
      ),
      true,
    )
  })

  it('registers every generic symptom and the declared ones under the target id, anew when declared again', () => {
    declaredTarget(profile())
    for (const slug of GENERIC_SYMPTOMS) assert.equal(symptom(`kv/${slug}`).target, 'kv')
    assert.equal(symptom('kv/port-in-use').cause, 'Another process holds it.')
    declaredTarget(profile({symptoms: [{...profile().symptoms[0]!, cause: 'Declared again.'}]}))
    assert.equal(symptom('kv/port-in-use').cause, 'Declared again.')
    declaredTarget(profile({symptoms: []}))
    assert.throws(() => symptom('kv/port-in-use'), /unknown symptom/)
  })

  it('--target accepts a built-in or a declared id; anything else is a usage error naming the known ones', () => {
    assert.doesNotThrow(() => validateTargetIds(['kv', 'executor'], ['executor', 'runwisp', 'kv'], '/x/doctor.config.json'))
    assert.throws(
      () => validateTargetIds(['kvv'], ['executor', 'runwisp', 'kv'], '/x/doctor.config.json'),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === 'unknown target "kvv"' &&
        e.suggestions.some((s) => s.includes('"kv"')) &&
        e.suggestions.some((s) => s.includes('/x/doctor.config.json')),
    )
  })

  it("explain matches a declared symptom's regex in the line the daemon wrote, and a built-in message still goes to its own entry", () => {
    declaredTarget(profile({symptoms: [{...profile().symptoms[0]!, patterns: [/bind\(\) to \S+ failed \(98: Address already in use\)/]}]}))
    const explainer = catalogueExplainer([toTargetId('kv')])
    const nginxLine = '2026/12/02 15:40:01 [emerg] 4711#4711: bind() to 127.0.0.1:8080 failed (98: Address already in use)'
    assert.equal(explainer.explain(nginxLine).matches[0]?.symptom, 'kv/port-in-use')
    assert.equal(
      explainer
        .explain('Port 4788 is in use. Starting daemon on available port 47912 instead.')
        .matches[0]?.symptom.startsWith('executor/'),
      true,
    )
    assert.notEqual(explainer.explain('kernel: Out of memory: Killed process 1234 (java)').matches[0]?.symptom, 'kv/port-in-use')
  })

  it("a suppression may name a declared target's generic symptom with its check; a declared symptom may not take a generic slug", () => {
    const declaration = {id: 'kv', name: 'KV', ports: [7000], pidFile: '/srv/kv/kv.pid'}
    const suppress = [{symptom: 'kv/stale-pid-file', check: 'stale-lock', reason: 'known', expires: '2099-01-01'}]
    const config = parseConfig(JSON.stringify({targets: [declaration], suppress}), '/x/doctor.config.json', knownIds())
    assert.equal(config.suppress[0]!.symptom, 'kv/stale-pid-file')
    assert.throws(
      () =>
        parseConfig(
          JSON.stringify({targets: [declaration], suppress: [{...suppress[0], check: 'port-squatter'}]}),
          '/x/doctor.config.json',
          knownIds(),
        ),
      /not reported by check "port-squatter"/,
    )
    const own = {id: 'kv/hung', title: 't', patterns: ['x'], cause: 'c', fix: {summary: 's', commands: []}}
    assert.throws(
      () => parseConfig(JSON.stringify({targets: [{...declaration, symptoms: [own]}]}), '/x/doctor.config.json', knownIds()),
      /generic checks report for every declared target/,
    )
  })
})
