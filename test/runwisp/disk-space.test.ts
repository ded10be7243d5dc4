/**
 * RunWisp's disk-space check against real state (see checks.test.ts for the others).
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {expectResult} from '../helpers/check-runner.js'
import {cleanup, judge, workdir} from './check-env.js'

describe('runwisp disk-space', () => {
  afterEach(cleanup)
  it("free space below min_free_space, with the page's consequences", async () => {
    const {cwd, dataDir} = workdir('0.16+', '[storage]\nmin_free_space = "1000tb"\n')
    mkdirSync(dataDir, {mode: 0o700})
    expectResult(await judge('disk-space', cwd, {port: 1}), {
      status: 'fail',
      symptoms: ['runwisp/disk-below-min-free'],
      mentions: ['1000tb', 'task itself is not killed', `df -h ${dataDir}`],
    })
  })
  it('run logs above max_size', async () => {
    const {cwd, dataDir} = workdir('0.16+', '[storage]\nmax_size = "1kb"\nmin_free_space = "1b"\n')
    mkdirSync(join(dataDir, 'logs', 'backup'), {recursive: true, mode: 0o700})
    writeFileSync(join(dataDir, 'logs', 'backup', '20260101_000000_x.log'), Buffer.alloc(8192, 0x61))
    expectResult(await judge('disk-space', cwd, {port: 1}), {
      status: 'warn',
      symptoms: ['runwisp/storage-over-max-size'],
      mentions: ['8.0 KiB'],
    })
  })
})
