import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import playwrightBrowser from '../../checks/playwright-browser.js'
import {expectResult, runCheck} from '../helpers/check-table.js'
import {tmpDirs, writeTree} from '../helpers/tmp.js'
import {makeCheckout} from './skeleton.js'

const BROWSERS = {
  browsers: [
    {name: 'chromium', revision: '1187', installByDefault: true},
    {name: 'chromium-headless-shell', revision: '1187', installByDefault: true},
    {name: 'firefox', revision: '1490'},
  ],
}

describe('executor dev: playwright-browser', () => {
  const tmp = tmpDirs()
  afterEach(() => tmp.cleanup())

  function checkout() {
    const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
    writeTree(root, {
      'e2e/node_modules/playwright-core/browsers.json': JSON.stringify(BROWSERS),
      'e2e/node_modules/playwright-core/package.json': JSON.stringify({name: 'playwright-core', version: '1.56.1'}),
    })
    return root
  }

  function install(dir: string, folders: string[], complete = true) {
    for (const folder of folders) {
      mkdirSync(join(dir, folder, 'chrome-linux'), {recursive: true})
      if (complete) writeFileSync(join(dir, folder, 'INSTALLATION_COMPLETE'), '')
    }
  }

  it('passes when the expected builds are installed at PLAYWRIGHT_BROWSERS_PATH', async () => {
    const root = checkout()
    const browsers = tmp.make()
    install(browsers, ['chromium-1187', 'chromium_headless_shell-1187'])
    expectResult(await runCheck(playwrightBrowser, {cwd: root, home: tmp.make(), env: {PLAYWRIGHT_BROWSERS_PATH: browsers}}), {
      status: 'pass',
    })
  })

  it('looks in ~/.cache/ms-playwright by default and names the build it expects', async () => {
    const root = checkout()
    const home = tmp.make()
    install(join(home, '.cache', 'ms-playwright'), ['chromium-1150', 'chromium_headless_shell-1187'])
    expectResult(await runCheck(playwrightBrowser, {cwd: root, home, env: {}}), {
      status: 'fail',
      symptoms: ['executor/playwright-chromium-missing'],
      mentions: [
        'chromium 1187 (for Playwright 1.56.1)',
        join(home, '.cache', 'ms-playwright'),
        'only chromium-1150',
        'bunx playwright install chromium',
      ],
    })
  })

  it('reports an interrupted download (no INSTALLATION_COMPLETE marker)', async () => {
    const root = checkout()
    const browsers = tmp.make()
    install(browsers, ['chromium_headless_shell-1187'])
    install(browsers, ['chromium-1187'], false)
    expectResult(await runCheck(playwrightBrowser, {cwd: root, home: tmp.make(), env: {PLAYWRIGHT_BROWSERS_PATH: browsers}}), {
      status: 'fail',
      mentions: ['INSTALLATION_COMPLETE', 'interrupted'],
    })
  })

  it('without an installed Playwright, accepts any complete Chromium and fails on none', async () => {
    const root = makeCheckout(join(tmp.make(), 'executor'), {git: false})
    const browsers = tmp.make()
    expectResult(await runCheck(playwrightBrowser, {cwd: root, home: tmp.make(), env: {PLAYWRIGHT_BROWSERS_PATH: browsers}}), {
      status: 'fail',
      mentions: ['no chromium-<revision> folder'],
    })
    install(browsers, ['chromium-1100'])
    expectResult(await runCheck(playwrightBrowser, {cwd: root, home: tmp.make(), env: {PLAYWRIGHT_BROWSERS_PATH: browsers}}), {
      status: 'pass',
    })
  })

  it('says it cannot decide on a corrupt browsers.json', async () => {
    const root = checkout()
    writeFileSync(join(root, 'e2e/node_modules/playwright-core/browsers.json'), '{"browsers": [')
    expectResult(await runCheck(playwrightBrowser, {cwd: root, home: tmp.make(), env: {}}), {
      status: 'error',
      mentions: ['browsers.json is not valid JSON'],
    })
  })
})
