import {BaseCommand} from '../cli/base-command.js'

export default class Workloads extends BaseCommand {
  static override summary = 'List the workload catalog: what each workload runs and measures.'
  static override description = `Every workload is a versioned profile (src/workloads/): the image it runs from, its command, and the figures its output parser yields, each with its unit and direction ("higher" or "lower" is better). Workloads without figures (idle, true, aggressors) are measured by startup, memory and CPU only.

A workload whose host tool is missing is marked "missing"; the apt package that provides it is named (\`isobench setup\` installs them all). Scenarios name workloads; \`isobench run --workload NAME\` runs every metric of a scenario on one.`
  static override examples = [
    '<%= config.bin %> workloads',
    '<%= config.bin %> workloads --json',
    '<%= config.bin %> run --workload cpu --arms process,container',
  ]

  async run() {
    await this.parse(Workloads)
    const {listWorkloads} = await import('../workloads/list.js')
    const rows = listWorkloads()
    const width = Math.max(...rows.map((r) => r.name.length))
    for (const r of rows) {
      const figures = r.figures.length === 0 ? 'startup, memory, cpu only' : r.figures.map((f) => `${f.name} [${f.unit}, ${f.direction} is better]`).join('; ')
      const missing = r.needs.filter((n) => !n.present)
      const status = missing.length === 0 ? '' : `  MISSING: ${missing.map((n) => `${n.tool} (apt package ${n.aptPackage})`).join(', ')}`
      this.log(`${r.name.padEnd(width)}  v${r.version}  ${r.description}`)
      this.log(`${''.padEnd(width)}      figures: ${figures}${status}`)
    }
    return rows
  }
}
