import {defineCheck, perTarget} from '../src/check.js'
import {executorPlaywrightBrowser} from '../src/targets/executor/checks/playwright-browser.js'

export default defineCheck({
  id: 'playwright-browser',
  title: "Check Playwright's Chromium is installed",
  description: 'The e2e suite needs the Chromium build its Playwright expects, where Playwright looks for it.',
  fixable: false,
  ...perTarget({executor: executorPlaywrightBrowser}),
})
