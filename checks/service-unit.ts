import {defineCheck, perTarget} from '../src/check.js'
import {runwispServiceUnit} from '../src/targets/runwisp/checks/service-unit.js'

export default defineCheck({
  id: 'service-unit',
  title: 'Check the service unit',
  description: 'A systemd unit running the daemon must run it as the user that owns its data dir.',
  fixable: false,
  ...perTarget({runwisp: runwispServiceUnit}),
})
