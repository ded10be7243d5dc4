import {Args, Command, Flags} from '@oclif/core'
import {checks} from '../checks/index.js'
import {symptom} from '../src/catalogue.js'
import {checkPagePath, readCheckPage} from '../src/check-docs.js'
import '../src/targets/index.js'

export interface CheckListing {
  id: string
  title: string
  description: string
  targets: string[]
  symptoms: Array<{id: string; title: string}>
  dependsOn: string[]
  fixable: boolean
}

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
    const listing = checks.map((c) => ({
      id: c.id,
      title: c.title,
      description: c.description,
      targets: [...c.targets],
      symptoms: c.symptoms.map((id) => ({id, title: symptom(id).title})),
      dependsOn: [...(c.dependsOn ?? [])],
      fixable: c.fixable,
    }))
    if (args.id !== undefined) return this.page(listing, args.id, flags.json)
    if (flags.json) {
      process.stdout.write(JSON.stringify({checks: listing}, null, 2) + '\n')
      return listing
    }
    const lines: string[] = []
    for (const c of listing) {
      lines.push(`${c.id}  [${c.targets.join(', ')}]${c.fixable ? '  (fixable)' : ''}`, `  ${c.title}: ${c.description}`)
      if (c.dependsOn.length > 0) lines.push(`  runs after: ${c.dependsOn.join(', ')}`)
      for (const s of c.symptoms) lines.push(`    - ${s.id}: ${s.title}`)
      lines.push('')
    }
    process.stdout.write(lines.join('\n'))
    return listing
  }

  /** `doctor checks <id>`: the check's page, which every finding of the check points at. */
  private page(listing: CheckListing[], id: string, json: boolean): CheckListing[] {
    const check = listing.find((c) => c.id === id)
    if (!check) this.error(`unknown check id "${id}"; \`doctor checks\` lists them`, {exit: 2})
    const page = readCheckPage(id)
    if (json) process.stdout.write(JSON.stringify({check, page: checkPagePath(id), text: page}, null, 2) + '\n')
    else process.stdout.write(page ?? `${check.id}: ${check.title}: ${check.description}\n(this install has no ${checkPagePath(id)})\n`)
    return [check]
  }
}
