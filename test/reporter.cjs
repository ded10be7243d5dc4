// mocha's spec reporter plus one plain closing line ("N passed, N failed, N skipped") that CI
// systems and humans can read without knowing mocha's wording. With DOCTORKIT_TEST_TIMINGS set
// (scripts/test.mjs does), it also writes how long each file took there, hooks included: the
// shards are balanced on those times (test/timings.json).
const {writeFileSync} = require('node:fs')
const {relative} = require('node:path')
const Mocha = require('mocha')
const {Spec} = Mocha.reporters
const {EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END} = Mocha.Runner.constants

class SpecWithTotals extends Spec {
  constructor(runner, options) {
    super(runner, options)
    const timingsPath = process.env.DOCTORKIT_TEST_TIMINGS
    const perFile = {}
    const begun = new Map()
    if (timingsPath) {
      runner.on(EVENT_SUITE_BEGIN, (suite) => {
        if (suite.file && suite.parent?.root) begun.set(suite, Date.now())
      })
      runner.on(EVENT_SUITE_END, (suite) => {
        const t = begun.get(suite)
        if (t === undefined) return
        const file = relative(process.cwd(), suite.file)
        perFile[file] = (perFile[file] ?? 0) + Date.now() - t
      })
    }
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? {passes: 0, failures: 0, pending: 0}
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`)
      if (timingsPath) writeFileSync(timingsPath, JSON.stringify(perFile))
    })
  }
}

module.exports = SpecWithTotals
