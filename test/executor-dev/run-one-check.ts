// Child process of as-nobody.ts: runs one check and prints its result as JSON.
import {checks} from '../../checks/index.js'
import {runCheck} from '../helpers/check-table.js'

const [id, rawInit] = process.argv.slice(2)
const check = checks.find((c) => c.id === id)
if (!check) throw new Error(`unknown check ${id}`)
const init = JSON.parse(rawInit!) as {cwd: string; home: string; env?: Record<string, string>}
const result = await runCheck(check, {cwd: init.cwd, home: init.home, env: init.env ?? {}})
process.stdout.write(JSON.stringify(result))
