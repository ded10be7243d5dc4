import assert from 'node:assert/strict'
import {isBuiltinTargetId, isTargetId, TARGET_IDS, toTargetId} from '../../src/types.js'
import {sampleReport} from '../preflight/sample-report.js'
import {assertValidReport} from '../helpers/schema.js'

describe('target ids: open, validated', () => {
  for (const good of ['executor', 'runwisp', 'kv', 'nginx', 'redis-6', 'my-cache2', 'a'.repeat(40)]) {
    it(`accepts ${JSON.stringify(good)}`, () => {
      assert.equal(isTargetId(good), true)
      assert.equal(toTargetId(good), good)
    })
  }
  for (const bad of ['', 'KV', 'kv_cache', 'kv cache', '-kv', 'kv-', 'kv--cache', '9kv', 'kv.cache', 'kv/x', 'a'.repeat(41), 'ké']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.equal(isTargetId(bad), false)
      assert.throws(() => toTargetId(bad), /is not kebab-case/)
    })
  }
  it('rejects what is not a string', () => {
    for (const v of [null, undefined, 7, ['kv'], {id: 'kv'}]) assert.equal(isTargetId(v), false)
  })
  it('knows the built-in ids, and only those', () => {
    assert.deepEqual([...TARGET_IDS], ['executor', 'runwisp'])
    assert.equal(isBuiltinTargetId('executor'), true)
    assert.equal(isBuiltinTargetId('kv'), false)
  })
  it('the report schema accepts a declared target id and refuses one that is not kebab-case', () => {
    const report = structuredClone(sampleReport())
    report.targets.push({
      id: toTargetId('kv'),
      detected: true,
      forced: false,
      generation: null,
      generationReason: 'declared',
      dataDir: '/srv/kv',
      reasons: ['pid file exists'],
    })
    assertValidReport(report)
    const bad = structuredClone(report) as unknown as {targets: Array<{id: string}>}
    bad.targets[bad.targets.length - 1]!.id = 'KV_cache'
    assert.throws(() => assertValidReport(bad), /does not match schema/)
  })
})
