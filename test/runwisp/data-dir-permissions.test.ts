/**
 * RunWisp's data-dir-permissions check against real state (see checks.test.ts for the others).
 */
import {chmodSync, chownSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checkTable, type CheckRow} from '../helpers/check-table.js'
import {cleanup, runwispAt, workdir} from './helpers.js'

const rows: CheckRow[] = [
  {
    name: 'a data dir that is a file',
    state() {
      const {cwd} = workdir('0.16+')
      writeFileSync(join(cwd, 'datafile'), 'x')
      return {at: runwispAt(cwd, {dataDir: join(cwd, 'datafile'), port: 1}), mentions: ['a regular file']}
    },
    expect: {status: 'fail', symptoms: ['runwisp/data-dir-not-dir'], plan: ['manual']},
  },
  {
    name: 'a data dir open to others',
    state() {
      const {cwd, dataDir} = workdir('0.16+')
      mkdirSync(dataDir)
      chmodSync(dataDir, 0o755)
      return {at: runwispAt(cwd, {port: 1}), mentions: ['0755', `chmod 0700 ${dataDir}`]}
    },
    expect: {status: 'warn', symptoms: ['runwisp/data-dir-mode'], plan: ['safe']},
  },
  {
    name: 'a data dir owned by another user while the daemon runs as root',
    state() {
      const {cwd, dataDir} = workdir('0.16+')
      mkdirSync(dataDir, {mode: 0o700})
      chownSync(dataDir, 65534, 65534)
      return {at: runwispAt(cwd, {port: 1}), mentions: [`sudo chown -R root:root ${dataDir}`]}
    },
    expect: {status: 'warn', symptoms: ['runwisp/data-dir-foreign-owner'], plan: ['manual']},
  },
]

describe('runwisp data-dir-permissions', () => {
  afterEach(cleanup)
  checkTable('data-dir-permissions', rows)
})
