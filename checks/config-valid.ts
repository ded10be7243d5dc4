import {defineCheck, perTarget} from '../src/check.js'
import {runwispConfigValid} from '../src/targets/runwisp/checks/config-valid.js'

export default defineCheck({
  id: 'config-valid',
  title: 'Check runwisp.toml',
  description: 'runwisp.toml parses and uses the keys, values, cron expressions and notifier ids the RunWisp generation in use accepts.',
  fixable: false,
  ...perTarget({runwisp: runwispConfigValid}),
})
