import assert from 'node:assert/strict'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import publicOrigin from '../../checks/public-origin.js'
import {resolvePublicOrigin} from '../../src/targets/executor/checks/public-origin.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {tmpDirs} from '../helpers/tmp.js'

describe('executor config: public-origin', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())
  const run = (env: Record<string, string>, cwd = tmp.make()) => runCheck(publicOrigin, {cwd, home: tmp.make(), env})

  it('resolves in §4.4 precedence: explicit, full URLs, then hosts; slashes stripped', () => {
    assert.deepEqual(
      resolvePublicOrigin({EXECUTOR_WEB_BASE_URL: ' https://a.example/ ', URL: 'https://b.example'}).origin,
      'https://a.example',
    )
    assert.equal(
      resolvePublicOrigin({RAILWAY_PUBLIC_DOMAIN: 'r.up.railway.app', RENDER_EXTERNAL_URL: 'https://render.example/'}).origin,
      'https://render.example',
    )
    assert.equal(resolvePublicOrigin({FLY_APP_NAME: 'exec', SITE_NAME: 'site'}).origin, 'https://exec.fly.dev')
    assert.equal(resolvePublicOrigin({PORT: '8080'}).origin, 'http://localhost:8080')
  })

  it('skips on a machine with no self-host configuration (a plain local install)', async () => {
    expectResult(await run({}), {status: 'skip', mentions: ['no self-host configuration']})
  })

  it('passes on a clean HTTPS origin', async () => {
    expectResult(await run({EXECUTOR_WEB_BASE_URL: 'https://executor.example.com'}), {status: 'pass'})
  })

  it('warns on a trailing slash and on plain HTTP behind a proxy', async () => {
    expectResult(await run({EXECUTOR_WEB_BASE_URL: 'http://executor.example.com/'}), {
      status: 'warn',
      symptoms: ['executor/public-origin-trailing-slash', 'executor/public-origin-plain-http'],
      mentions: ['export EXECUTOR_WEB_BASE_URL=http://executor.example.com', 'https://executor.example.com', 'Invalid login state'],
    })
  })

  it('fails on an origin with a path, and on an empty platform variable that stops the chain', async () => {
    expectResult(await run({EXECUTOR_WEB_BASE_URL: 'https://example.com/executor'}), {
      status: 'fail',
      symptoms: ['executor/public-origin-invalid'],
      mentions: ['path'],
    })
    const cwd = tmp.make()
    mkdirSync(join(cwd, '.executor-selfhost'))
    expectResult(await run({RAILWAY_PUBLIC_DOMAIN: '', FLY_APP_NAME: 'exec'}, cwd), {
      status: 'fail',
      symptoms: ['executor/public-origin-empty-var'],
      mentions: ['RAILWAY_PUBLIC_DOMAIN', 'https://'],
    })
  })

  it('warns when a generic URL variable outside Netlify becomes the origin, and on the localhost fallback', async () => {
    const cwd = tmp.make()
    mkdirSync(join(cwd, '.executor-selfhost'))
    expectResult(await run({URL: 'https://some.other.service'}, cwd), {status: 'warn', symptoms: ['executor/public-origin-generic-url']})
    expectResult(await run({URL: 'https://site.netlify.app', NETLIFY: 'true'}, cwd), {status: 'pass'})
    expectResult(await run({EXECUTOR_SECRET_KEY: 'k'}, cwd), {
      status: 'warn',
      symptoms: ['executor/public-origin-fallback'],
      mentions: ['http://localhost:4788', 'Invalid origin'],
    })
    expectResult(await run({EXECUTOR_SECRET_KEY: 'k', NODE_ENV: 'development'}, cwd), {status: 'pass'})
  })
})
