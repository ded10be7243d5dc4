import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {tmpDirs} from '../helpers/tmp.js'

describe('config: a bad declaration on the command line', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  it('exits 2 before running anything, naming the file, key, line, column and pointer, with the closest known field', async () => {
    const dir = tmp.make()
    const file = join(dir, 'kv.json')
    writeFileSync(file, '{\n  "targets": [\n    {"id": "kv", "datadir": "/srv/kv"}\n  ]\n}\n')
    const r = await runCli(['--config', file, '--json'], {cwd: dir})
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.equal(r.stdout, '')
    const stderr = r.stderr.replace(/\s*\n\s*›\s*/g, ' ')
    assert.match(
      stderr,
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: "targets\\[0\\]\\.datadir" is not a field doctor knows .*\\(line 3, column 18, at /targets/0/datadir\\)`,
      ),
    )
    assert.match(stderr, /did you mean "dataDir"\?/)
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
  })
})
