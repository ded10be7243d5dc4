import {Args, Command, Flags} from '@oclif/core'
import {checkPagePath} from '../src/check-docs.js'
import {checkPage, configTarget, listChecks, listDeclaredTargets, renderCheckList, type CheckListing} from '../src/api/targets.js'
import {formatSymptomPage, symptomPage} from '../src/cli/check-listing.js'
import {configFlag} from '../src/cli/flags.js'
import {exitOnUsageError} from '../src/cli/usage.js'
import {configFor} from '../src/config/load.js'
import {OutputSafety} from '../src/report/safety.js'
import {declaredTargets} from '../src/targets/declared/target.js'
import '../src/targets/index.js'

export default class Checks extends Command {
  static summary = 'List every check and whether --fix repairs it.'
  static description = `List every check: id, targets, what it looks for, the symptoms it can report, and whether --fix can repair it.

The targets doctor.config.json declares (found as \`doctor\` finds it, or --config) are listed with the checks that run for them and their symptoms. \`doctor checks <symptom id>\` shows a symptom's cause and fix.`
  static examples = [
    '<%= config.bin %> checks',
    '<%= config.bin %> checks --json',
    '<%= config.bin %> checks stale-lock',
    '<%= config.bin %> checks kv/stale-pid-file --config ops/doctor.config.json',
  ]
  static args = {
    id: Args.string({
      description:
        "A check id: print its page (what it protects against, what it reads, each symptom with its evidence and fix, whether --fix repairs it). A symptom id (executor/stale-record, a declared target's kv/stale-pid-file): its cause and fix.",
      required: false,
    }),
  }
  static flags = {
    json: Flags.boolean({description: 'Print the list as one JSON document.'}),
    config: configFlag,
  }

  public async run(): Promise<CheckListing[]> {
    const {args, flags} = await this.parse(Checks)
    return exitOnUsageError(this, async () => {
      const profiles = (await configFor({cwd: process.cwd(), env: process.env, explicit: flags.config}))?.config.targets ?? []
      // Making the declared targets registers their symptoms in the catalogue the listing reads.
      declaredTargets(profiles)
      // A declared target's names, titles and fixes come from a file: shown only once made safe.
      const safety = new OutputSafety()
      const declared = profiles.map(configTarget)
      const listing = safety.value(listChecks({targets: declared}))
      const targets = safety.value(listDeclaredTargets(declared))
      if (args.id !== undefined) return this.page(listing, args.id, flags.json, safety)
      process.stdout.write(renderCheckList(listing, flags.json ? 'json' : 'human', targets))
      return listing
    })
  }

  /** `doctor checks <id>`: the check's page, which every finding of the check points at, or a symptom's cause and fix. */
  private page(listing: CheckListing[], id: string, json: boolean, safety: OutputSafety): CheckListing[] {
    const check = listing.find((c) => c.id === id)
    if (!check) {
      const page = safety.value(
        symptomPage(
          id,
          listing.map((c) => c.id),
        ),
      )
      process.stdout.write(json ? JSON.stringify({symptom: page}, null, 2) + '\n' : formatSymptomPage(page))
      return listing.filter((c) => c.id === page.check)
    }
    const text = checkPage(id)
    if (json) process.stdout.write(JSON.stringify({check, page: checkPagePath(id), text}, null, 2) + '\n')
    else process.stdout.write(text ?? `${check.id}: ${check.title}: ${check.description}\n(this install has no ${checkPagePath(id)})\n`)
    return [check]
  }
}
