import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {REPO} from './processes.js'

const ajv = new Ajv({allErrors: true, strict: false})
const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schema/report.schema.json'), 'utf8')) as object)

/** Fails the test with ajv's errors when `report` does not follow the published JSON Schema. */
export function assertValidReport(report: unknown): void {
  const ok = validate(report)
  assert.ok(
    ok,
    `report does not match schema/report.schema.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(report, null, 2).slice(0, 2000)}`,
  )
}

const validateFleet = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schema/fleet.schema.json'), 'utf8')) as object)

/** Fails the test when `view` does not follow schema/fleet.schema.json (`doctor report merge --json`). */
export function assertValidFleet(view: unknown): void {
  const ok = validateFleet(view)
  assert.ok(
    ok,
    `fleet view does not match schema/fleet.schema.json: ${ajv.errorsText(validateFleet.errors)}\n${JSON.stringify(view, null, 2).slice(0, 2000)}`,
  )
}
