import {Args, Command} from '@oclif/core'
import {configFlag, runFlags} from '../../src/cli/flags.js'
import {toRunOptions} from '../../src/cli/run-flags.js'
import {UsageError} from '../../src/engine/doctor.js'

export default class BundleVerify extends Command {
  static summary = 'Check a bundle for leaked secrets before sharing it.'
  static description = `Check a bundle before sharing it: re-scan the archive for every secret value known on this machine (also base64 and URL-encoded), the secret patterns, and the home, user and host names.

Exit 0 when clean; 1 naming each file, rule and line that holds one (never the value); 2 when the archive cannot be read.`
  static examples = ['<%= config.bin %> bundle verify doctorkit-bundle-20260721T101112Z.tar.gz']
  static args = {
    file: Args.string({description: 'The .tar.gz to check.', required: true}),
  }
  static flags = {
    'executor-data-dir': runFlags['executor-data-dir'],
    'runwisp-data-dir': runFlags['runwisp-data-dir'],
    'runwisp-config': runFlags['runwisp-config'],
    config: configFlag,
    set: runFlags.set,
  }

  public async run(): Promise<void> {
    const {args, flags} = await this.parse(BundleVerify)
    const {verifyBundle, BundleError} = await import('../../src/api/bundle.js')
    try {
      // Where to look for this machine's secrets: the same locations `doctor bundle` read them from;
      // the declared targets' secrets (doctor.config.json, found as `doctor` finds it, where --set points them) are scanned for too.
      const result = await verifyBundle(args.file, {config: flags.config, ...(flags.set ? {set: flags.set} : {})}, toRunOptions(flags))
      process.stdout.write(result.text)
      process.exitCode = result.clean ? 0 : 1
    } catch (error) {
      if (error instanceof UsageError) this.error(error.message, {exit: 2, suggestions: error.suggestions})
      if (!(error instanceof BundleError)) throw error
      process.stderr.write(`Error: ${error.message}\n`)
      process.exitCode = error.exitCode
    }
  }
}
