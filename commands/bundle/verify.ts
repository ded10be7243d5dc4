import {Args, Command} from '@oclif/core'
import {resolve} from 'node:path'
import {configFlag, runFlags} from '../../src/cli/flags.js'
import {toRunOptions} from '../../src/cli/run-flags.js'
import {exitOnUsageError} from '../../src/cli/usage.js'
import {configFor} from '../../src/config/load.js'

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
  }

  public async run(): Promise<void> {
    const {args, flags} = await this.parse(BundleVerify)
    const {runVerify} = await import('../../src/bundle/command.js')
    // The declared targets' secrets (doctor.config.json, found as `doctor` finds it) are scanned for too.
    const config = await exitOnUsageError(this, () => configFor({cwd: process.cwd(), env: process.env, explicit: flags.config}))
    process.exitCode = await runVerify({
      env: process.env,
      cwd: process.cwd(),
      file: {path: resolve(process.cwd(), args.file), shown: args.file},
      // Where to look for this machine's secrets: the same locations `doctor bundle` read them from.
      runOptions: toRunOptions(flags),
      profiles: config?.config.targets ?? [],
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    })
  }
}
