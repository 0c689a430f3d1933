import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Scenarios extends BaseCommand {
  static override summary = 'List scenario files and paper claim files, one line each.'
  static override description =
    'Lists the scenario files under --dir (default scenarios/: what `isobench run` runs) with their name, description and metrics, then the claim files under its papers/ folder (what `isobench reproduce` checks) with their paper, claim count and metrics. Files that do not validate are listed with their error.'
  static override examples = ['<%= config.bin %> scenarios', '<%= config.bin %> scenarios --json']
  static override flags = {
    dir: Flags.string({description: 'folder to list', default: 'scenarios'}),
  }

  async run(): Promise<
    Array<{file: string; kind: 'scenario' | 'claims'; name?: string; description?: string; metrics?: string[]; claims?: number; error?: string}>
  > {
    const {flags} = await this.parse(Scenarios)
    const {join} = await import('node:path')
    const {listScenarioFiles} = await import('../scenario/list.js')
    const {describePaperFiles} = await import('../papers/load.js')
    const {clean} = await import('../report/terminal.js')
    // papers/ holds claim files (listed below), workloads/ workload files (`isobench workloads` lists those).
    const scenarios = listScenarioFiles(flags.dir, ['papers', 'workloads']).map((r) => ({kind: 'scenario' as const, ...r}))
    const papers = describePaperFiles(join(flags.dir, 'papers')).map((p) => ({
      kind: 'claims' as const,
      file: p.file,
      name: p.id,
      description: p.title,
      metrics: p.metrics,
      claims: p.claims,
      error: p.error,
    }))
    const rows = [...scenarios, ...papers]
    const width = Math.max(0, ...rows.map((r) => r.file.length))
    for (const r of rows) {
      const what =
        r.error !== undefined
          ? `INVALID: ${r.error}`
          : r.kind === 'claims'
            ? `claims: ${r.description} (${r.claims} claims on ${r.metrics!.join(', ')}; isobench reproduce ${r.name})`
            : `${r.description ?? r.name} [${r.metrics!.join(', ')}]`
      this.log(clean(`${r.file.padEnd(width)}  ${what}`))
    }
    return rows
  }
}
