import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPO} from './helpers/processes.js'

describe('test suite hygiene', () => {
  const files = readdirSync(join(REPO, 'test'), {recursive: true})
    .map(String)
    .filter((f) => f.endsWith('.test.ts'))

  it('registers no root-level hooks (they would run around every test of the whole run)', () => {
    for (const f of files) {
      const offending = readFileSync(join(REPO, 'test', f), 'utf8')
        .split('\n')
        .filter((line) => /^(?:before|after)(?:Each)?\(/.test(line))
      assert.deepEqual(offending, [], `${f} registers a root-level hook; move it inside its describe()`)
    }
  })
})
