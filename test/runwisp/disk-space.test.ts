/**
 * RunWisp's disk-space check against real state (see checks.test.ts for the others).
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checkTable, type CheckRow} from '../helpers/check-table.js'
import {cleanup, runwispAt, workdir} from './helpers.js'

const rows: CheckRow[] = [
  {
    name: "free space below min_free_space, with the page's consequences",
    state() {
      const {cwd, dataDir} = workdir('0.16+', '[storage]\nmin_free_space = "1000tb"\n')
      mkdirSync(dataDir, {mode: 0o700})
      return {at: runwispAt(cwd, {port: 1}), mentions: ['1000tb', 'task itself is not killed', `df -h ${dataDir}`]}
    },
    expect: {status: 'fail', symptoms: ['runwisp/disk-below-min-free'], plan: ['manual']},
  },
  {
    name: 'run logs above max_size',
    state() {
      const {cwd, dataDir} = workdir('0.16+', '[storage]\nmax_size = "1kb"\nmin_free_space = "1b"\n')
      mkdirSync(join(dataDir, 'logs', 'backup'), {recursive: true, mode: 0o700})
      writeFileSync(join(dataDir, 'logs', 'backup', '20260101_000000_x.log'), Buffer.alloc(8192, 0x61))
      return {at: runwispAt(cwd, {port: 1}), mentions: ['8.0 KiB']}
    },
    expect: {status: 'warn', symptoms: ['runwisp/storage-over-max-size'], plan: ['manual']},
  },
]

describe('runwisp disk-space', () => {
  afterEach(cleanup)
  checkTable('disk-space', rows)
})
