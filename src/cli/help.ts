/**
 * The help oclif prints (package.json oclif.helpClass). `doctor` is registered as oclif's
 * single-command root (src/cli/commands.ts), and oclif's help for such a root shows only its own
 * flags: it never lists the other commands. This class adds them, each with its one-line summary,
 * so `doctor --help` is the map of the whole CLI.
 */
import {Errors, Help, type Command} from '@oclif/core'
import {ROOT_COMMAND_ID} from './commands.js'

export default class DoctorHelp extends Help {
  public async showHelp(argv: string[]): Promise<void> {
    // bin/run.js routes what is not a command to the root, so `doctor nosuch --help` arrives as
    // [root, 'nosuch']; oclif would name the root's internal id in its "not found" error.
    if (argv[0] === ROOT_COMMAND_ID && argv[1] !== undefined && !argv[1].startsWith('-')) {
      Errors.error(`There is no command "${argv[1]}". \`doctor --help\` lists the commands.`, {exit: 2})
    }
    return super.showHelp(argv)
  }

  public async showCommandHelp(command: Command.Loadable): Promise<void> {
    await super.showCommandHelp(command)
    // oclif blanks the root's id before showing its help.
    if (command.id !== '' && command.id !== ROOT_COMMAND_ID) return
    const others = this.sortedCommands.filter((c) => c.id !== '' && c.id !== ROOT_COMMAND_ID)
    this.log(this.formatCommands(others))
    this.log('')
  }
}
