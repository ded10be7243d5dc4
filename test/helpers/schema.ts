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
  assert.ok(ok, `report does not match schema/report.schema.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(report, null, 2).slice(0, 2000)}`)
}
