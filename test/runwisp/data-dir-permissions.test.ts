/**
 * RunWisp's data-dir-permissions check against real state (see checks.test.ts for the others).
 */
import {chmodSync, chownSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {expectResult} from '../helpers/check-runner.js'
import {cleanup, judge, workdir} from './check-env.js'

describe('runwisp data-dir-permissions', () => {
  afterEach(cleanup)
  it('a data dir that is a file', async () => {
    const {cwd} = workdir('0.16+')
    writeFileSync(join(cwd, 'datafile'), 'x')
    expectResult(await judge('data-dir-permissions', cwd, {dataDir: join(cwd, 'datafile'), port: 1}), {
      status: 'fail',
      symptoms: ['runwisp/data-dir-not-dir'],
      mentions: ['a regular file'],
    })
  })
  it('a data dir open to others', async () => {
    const {cwd, dataDir} = workdir('0.16+')
    mkdirSync(dataDir)
    chmodSync(dataDir, 0o755)
    expectResult(await judge('data-dir-permissions', cwd, {port: 1}), {
      status: 'warn',
      symptoms: ['runwisp/data-dir-mode'],
      mentions: ['0755', `chmod 0700 ${dataDir}`],
    })
  })
  it('a data dir owned by another user while the daemon runs as root', async () => {
    const {cwd, dataDir} = workdir('0.16+')
    mkdirSync(dataDir, {mode: 0o700})
    chownSync(dataDir, 65534, 65534)
    expectResult(await judge('data-dir-permissions', cwd, {port: 1}), {
      status: 'warn',
      symptoms: ['runwisp/data-dir-foreign-owner'],
      mentions: [`sudo chown -R root:root ${dataDir}`],
    })
  })
})
