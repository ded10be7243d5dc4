import {Args, Command, Flags} from '@oclif/core'

export default class Undo extends Command {
  static summary = 'Revert what the last doctor --fix changed.'
  static description = `Revert what a \`doctor --fix\` run changed: put quarantined files and dirs back (byte for byte, modes included), restore modes and replaced symlinks.

Without a run id, undoes the newest run that still has something to put back. A path is restored only when its original place is free: anything written there since is never overwritten (the quarantined copy is kept and its location printed). Stopped processes and commands that ran cannot be undone; undo says so.
Exit codes: 0 everything restorable was restored (or there was nothing to undo), 1 something was kept or failed, 2 unknown run or another doctor is running.`
  static examples = ['<%= config.bin %> undo', '<%= config.bin %> undo --list', '<%= config.bin %> undo 20260720-101112Z-a1b2c3']
  static args = {
    run: Args.string({description: 'Run id to undo (see --list); default: the newest run with something to undo.'}),
  }
  static flags = {
    list: Flags.boolean({description: 'List the journaled --fix runs, newest first, and what each can still restore.'}),
    json: Flags.boolean({description: 'Print one JSON document.'}),
  }

  public async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Undo)
    const [{listFixRuns, undo}, {stateDirFor}, {UndoError}, {UsageError}] = await Promise.all([
      import('../src/api/fix.js'),
      import('../src/fix/state-dir.js'),
      import('../src/fix/undo.js'),
      import('../src/engine/doctor.js'),
    ])
    if (flags.list) {
      const {stateDir, runs} = listFixRuns()
      if (flags.json) process.stdout.write(JSON.stringify({stateDir, runs}, null, 2) + '\n')
      else if (runs.length === 0) process.stdout.write(`No --fix runs are journaled in ${stateDir}.\n`)
      else {
        const lines = runs.map((r) => {
          const state = r.restorable > 0 ? `${r.restorable} to restore` : r.restored > 0 ? 'undone' : 'nothing to restore'
          if (r.problem) return `${r.runId}  unreadable: ${r.problem}`
          return `${r.runId}  ${r.startedAt}  ${r.applied} applied, ${state}${r.finished ? '' : ' (interrupted)'}\n    ${r.command}`
        })
        process.stdout.write(lines.join('\n') + '\n')
      }
      return runs
    }
    const stateDir = stateDirFor(process.env)
    try {
      const outcome = await undo(args.run)
      if (flags.json) process.stdout.write(JSON.stringify({stateDir, ...(outcome ?? {runId: null, results: []})}, null, 2) + '\n')
      else if (!outcome) process.stdout.write(`Nothing to undo: no journaled --fix run in ${stateDir} has anything left to restore.\n`)
      else {
        const lines = [`Undoing run ${outcome.runId}`]
        for (const r of outcome.results)
          lines.push(`  ${r.status}: ${r.path ?? r.title} (step ${r.seq}, ${r.kind})${r.reason ? ` — ${r.reason}` : ''}`)
        if (outcome.results.length === 0) lines.push('  nothing left to restore')
        process.stdout.write(lines.join('\n') + '\n')
      }
      process.exitCode = outcome?.results.some((r) => r.status === 'kept' || r.status === 'failed') ? 1 : 0
      return outcome
    } catch (error) {
      if (error instanceof UndoError || error instanceof UsageError)
        this.error(error.message, {exit: error.exitCode, suggestions: error.suggestions})
      throw error
    }
  }
}
