import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Workloads extends BaseCommand {
  static override summary = 'List the workloads: built-in, from plugins, and from the workload or scenario files given, with where each comes from.'
  static override description = `Every workload is a YAML document (docs/workload-file.md): the image it runs from, its command, its readiness rule, and the figures read from its output (a regex with a named group "value", a value of a known tool's parser, or the host-timed exit-time), each with its unit and direction ("higher" or "lower" is better). Workloads without figures (idle, true, aggressors) are measured by startup, memory and CPU only.

Built-in workloads are the files in scenarios/workloads/; npm plugins add theirs through the isobench:workloads hook; FILE arguments add a workload file, or the file and inline workloads a scenario names. A workload whose host tool is missing is marked "missing", with the apt package that provides it (\`isobench setup\` installs them all).`
  static override examples = [
    '<%= config.bin %> workloads',
    '<%= config.bin %> workloads web/workload.yaml',
    '<%= config.bin %> workloads scenarios/services.yaml --json',
    '<%= config.bin %> run --workload ./web/workload.yaml --arms process,container',
  ]
  static override strict = false
  static override args = {file: Args.string({description: 'workload files, or scenario files whose file and inline workloads to list'})}

  async run() {
    const {argv} = await this.parse(Workloads)
    const {listWorkloads} = await import('../workloads/list.js')
    const {listedWorkloads} = await import('../scenario/workloads.js')
    const {loadPluginWorkloads} = await import('../workloads/hook.js')
    const {WorkloadTable} = await import('../workloads/table.js')
    const table = new WorkloadTable(await loadPluginWorkloads(this.config))
    listedWorkloads(argv as string[], table)
    const rows = listWorkloads(table.values())
    const width = Math.max(...rows.map((r) => r.name.length))
    for (const r of rows) {
      const figures = r.figures.length === 0 ? 'startup, memory, cpu only' : r.figures.map((f) => `${f.name} [${f.unit}, ${f.direction} is better]`).join('; ')
      const missing = r.needs.filter((n) => !n.present)
      const status = missing.length === 0 ? '' : `  MISSING: ${missing.map((n) => `${n.tool} (apt package ${n.aptPackage})`).join(', ')}`
      this.log(`${r.name.padEnd(width)}  v${r.version}  ${r.description}`)
      this.log(`${''.padEnd(width)}      from: ${r.origin}${r.source && r.source !== r.origin ? ` (${r.source})` : ''}; image: ${r.image}; ready: ${r.ready}`)
      this.log(`${''.padEnd(width)}      figures: ${figures}${status}`)
    }
    return rows
  }
}
