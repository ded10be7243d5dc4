/**
 * The command table oclif loads (explicit discovery). oclif has no default command for a
 * multi-command CLI; the root `doctor` run is registered under oclif's single-command id and
 * bin/run.js routes every argv that is not a subcommand to it. Commands stay thin and import
 * their work lazily, so loading this table is cheap.
 */
import Doctor from '../../commands/index.js'
import Checks from '../../commands/checks.js'
import Preflight from '../../commands/preflight.js'
import Explain from '../../commands/explain.js'
import Undo from '../../commands/undo.js'
import Bundle from '../../commands/bundle.js'
import BundleVerify from '../../commands/bundle/verify.js'
import ReportMerge from '../../commands/report/merge.js'

export const ROOT_COMMAND_ID = 'Symbol(SINGLE_COMMAND_CLI)'

export default {
  [ROOT_COMMAND_ID]: Doctor,
  checks: Checks,
  preflight: Preflight,
  explain: Explain,
  undo: Undo,
  bundle: Bundle,
  'bundle:verify': BundleVerify,
  'report:merge': ReportMerge,
}
