import {Args, Command, Flags} from '@oclif/core'
import {checkPage, listChecks, renderCheckList, type CheckListing} from '../src/api/targets.js'
import {checkPagePath} from '../src/check-docs.js'

export type {CheckListing}

export default class Checks extends Command {
  static summary = 'List every check and whether --fix repairs it.'
  static description = 'List every check: id, targets, what it looks for, the symptoms it can report, and whether --fix can repair it.'
  static examples = ['<%= config.bin %> checks', '<%= config.bin %> checks --json', '<%= config.bin %> checks stale-lock']
  static args = {
    id: Args.string({
      description:
        'A check id: print its page (what it protects against, what it reads, each symptom with its evidence and fix, whether --fix repairs it).',
      required: false,
    }),
  }
  static flags = {
    json: Flags.boolean({description: 'Print the list as one JSON document.'}),
  }

  public async run(): Promise<CheckListing[]> {
    const {args, flags} = await this.parse(Checks)
    const listing = listChecks()
    if (args.id !== undefined) return this.page(listing, args.id, flags.json)
    process.stdout.write(renderCheckList(listing, flags.json ? 'json' : 'human'))
    return listing
  }

  /** `doctor checks <id>`: the check's page, which every finding of the check points at. */
  private page(listing: CheckListing[], id: string, json: boolean): CheckListing[] {
    const check = listing.find((c) => c.id === id)
    if (!check) this.error(`unknown check id "${id}"; \`doctor checks\` lists them`, {exit: 2})
    const page = checkPage(id)
    if (json) process.stdout.write(JSON.stringify({check, page: checkPagePath(id), text: page}, null, 2) + '\n')
    else process.stdout.write(page ?? `${check.id}: ${check.title}: ${check.description}\n(this install has no ${checkPagePath(id)})\n`)
    return [check]
  }
}
