/**
 * The command table oclif loads (explicit discovery). oclif has no default command for a
 * multi-command CLI; the root `doctor` run is registered under oclif's single-command id and
 * bin/run.js routes every argv that is not a subcommand to it. Commands stay thin and import
 * their work lazily, so loading this table is cheap.
 */
import type {Command} from '@oclif/core'
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

/**
 * A command as a host's: the same class, its examples under the host's `doctor` topic
 * ("acme doctor checks", not "acme checks").
 */
function hosted<T extends Command.Class>(command: T, extra: {hidden?: boolean} = {}): T {
  const examples = (command.examples ?? []).map((e) =>
    typeof e === 'string' ? e.replace(/<%= config\.bin %>(?! <%= command\.id %>)/g, '<%= config.bin %> doctor') : e,
  )
  const Base = command as unknown as new (...args: ConstructorParameters<typeof Command>) => Command
  abstract class Hosted extends Base {}
  return Object.assign(Hosted, {examples, ...extra}) as unknown as T
}

/**
 * The table an oclif host gets when it lists doctorkit in `oclif.plugins` (package.json
 * `oclif.commands.identifier`): every command under the `doctor` topic, `<cli> doctor` itself the
 * run (listed in the host's help; at doctorkit's own root it is hidden). doctorkit's own `doctor`
 * binary loads the default table instead (bin/root-pjson.mjs), commands at its root.
 */
export const plugin = {
  doctor: hosted(Doctor, {hidden: false}),
  'doctor:checks': hosted(Checks),
  'doctor:preflight': hosted(Preflight),
  'doctor:explain': hosted(Explain),
  'doctor:undo': hosted(Undo),
  'doctor:bundle': hosted(Bundle),
  'doctor:bundle:verify': hosted(BundleVerify),
  'doctor:report:merge': hosted(ReportMerge),
}
