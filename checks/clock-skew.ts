import {defineCheck, perTarget} from '../src/check.js'
import {executorClockSkew} from '../src/targets/executor/checks/clock-skew.js'
import {runwispClockSkew} from '../src/targets/runwisp/checks/clock-skew.js'
import {declaredClockSkew} from '../src/generic/clock-skew.js'

export default defineCheck({
  id: 'clock-skew',
  title: "Check the daemon's clock",
  description:
    "The daemon's Date header must agree with this machine's clock; skew breaks OAuth state and token expiry (a declared target: the Date header of its HTTP health answer).",
  dependsOn: ['daemon-health'],
  fixable: false,
  ...perTarget({executor: executorClockSkew, runwisp: runwispClockSkew}, declaredClockSkew),
})
