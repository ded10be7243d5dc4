import {defineCheck, perTarget} from '../src/check.js'
import {executorBootstrapBuild} from '../src/targets/executor/checks/bootstrap-build.js'

export default defineCheck({
  id: 'bootstrap-build',
  title: 'Check the checkout is bootstrapped',
  description:
    'A monorepo checkout needs the builds bun run bootstrap makes (vite-plugin and react dist, vitest, git hooks) before dev servers or e2e run.',
  fixable: true,
  ...perTarget({executor: executorBootstrapBuild}),
})
