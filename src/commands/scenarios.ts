import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Scenarios extends BaseCommand {
  static override summary = 'List scenario files with one line each.'
  static override description =
    'Lists scenarios/*.yaml and scenarios/papers/*.yaml (or --dir) with their name, description and metrics. Files that do not validate are listed with their error.'
  static override examples = ['<%= config.bin %> scenarios', '<%= config.bin %> scenarios --json']
  static override flags = {
    dir: Flags.string({description: 'folder to list', default: 'scenarios'}),
  }

  async run(): Promise<Array<{file: string; name?: string; description?: string; metrics?: string[]; error?: string}>> {
    const {flags} = await this.parse(Scenarios)
    const {listScenarioFiles} = await import('../scenario/list.js')
    const rows = listScenarioFiles(flags.dir)
    const width = Math.max(0, ...rows.map((r) => r.file.length))
    for (const r of rows) {
      this.log(r.error ? `${r.file.padEnd(width)}  INVALID: ${r.error}` : `${r.file.padEnd(width)}  ${r.description ?? r.name} [${r.metrics!.join(', ')}]`)
    }
    return rows
  }
}
