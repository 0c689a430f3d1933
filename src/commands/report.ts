import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Report extends BaseCommand {
  static override summary = 'Write a self-contained HTML report of one or more results.json files.'
  static override description = `One HTML file with everything inline (charts as SVG, the raw samples and the vega-lite specs as embedded JSON): it makes no network request when opened, so it can be mailed or attached to a CI job.

Sections: summary verdicts, host provenance, arms with versions and acceleration (a banner when a VM ran under TCG emulation), the parity manifest, then per metric the charts (startup distributions and phases, scale-out curves, memory per instance and marginal slope, CPU ratio vs bare, interference heatmap) and the sample-order plot. With --baseline, a section with the change of every figure against that run.

Exit codes: 0 written, 2 bad input.`
  static override examples = [
    '<%= config.bin %> report reports/latest/results.json',
    '<%= config.bin %> report new/results.json --baseline old/results.json --out compare.html',
  ]
  static override strict = false
  static override args = {
    results: Args.string({description: 'results.json file(s) written by `isobench run`', required: true}),
  }
  static override flags = {
    out: Flags.string({char: 'o', description: 'HTML file to write (default: report.html next to the first results file)'}),
    baseline: Flags.string({description: 'results.json of an earlier run: add a section with the change of every figure against it'}),
    threshold: Flags.string({description: 'change that counts as a regression in the baseline section', default: '5%'}),
  }

  async run(): Promise<{report: string; charts: number; runs: string[]; statuses: string[]}> {
    const {argv, flags} = await this.parse(Report)
    const {dirname, join, resolve} = await import('node:path')
    const {loadResultsFile} = await import('../report/load-results.js')
    const {parsePercent} = await import('../cli/units.js')
    const {buildReport} = await import('../report/index.js')
    const {writeOutputFile} = await import('../host/fs.js')
    const {runStatusText} = await import('../core/results.js')
    const files = argv as string[]
    const threshold = parsePercent(flags.threshold, '--threshold')
    const runs = files.map((f) => loadResultsFile(f))
    const baseline = flags.baseline ? loadResultsFile(flags.baseline) : undefined
    const out = resolve(flags.out ?? join(dirname(files[0]!), 'report.html'))
    const built = await buildReport(runs, {baseline, threshold})
    writeOutputFile(out, built.html, 'report --out')
    for (const f of built.failedCharts) this.warn(`chart "${f.title}" could not be drawn: ${f.error}`)
    // A run that did not finish says so here too (a killed one: its file still said "running").
    for (const r of runs) if (r.status !== 'complete') this.log(`run ${r.runId}: ${runStatusText(r)}`)
    this.log(`report: ${out}`)
    return {report: out, charts: built.charts, runs: runs.map((r) => r.runId), statuses: runs.map(runStatusText)}
  }
}
