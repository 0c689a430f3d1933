import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

const FORMATS = ['csv', 'customSmallerIsBetter', 'customBiggerIsBetter', 'bmf'] as const

export default class Export extends BaseCommand {
  static override summary = 'Export results.json files as CSV, or as the JSON that CI dashboards read (github-action-benchmark, Bencher).'
  static override description = `--format csv: one row per sample (failed samples included, with value empty and the error), one column per cell parameter (param.*), per startup phase (phase.*) and per attribution counter (counter.*, with counters.mode: window or lifetime). RFC 4180 quoting; text that a spreadsheet would evaluate as a formula is prefixed with '.

--format customSmallerIsBetter / customBiggerIsBetter: github-action-benchmark's JSON for the tool of that name (an array of {name, value, unit, range, extra}), one entry per cell and arm with its median and the 95% CI of that median; each holds the figures of its direction (lower or higher is better), so a workflow runs the action once per file.

--format bmf: Bencher Metric Format ({benchmark: {measure: {value, lower_value, upper_value}}}) for \`bencher run --adapter json\`, every figure, the median with its 95% CI.

Exit codes: 0 written, 2 bad input.`
  static override examples = [
    '<%= config.bin %> export reports/latest/results.json --format csv > samples.csv',
    '<%= config.bin %> export reports/latest/results.json --format customSmallerIsBetter --out smaller.json',
    '<%= config.bin %> export reports/latest/results.json --format customBiggerIsBetter --out bigger.json',
    '<%= config.bin %> export reports/latest/results.json --format bmf > bmf.json',
  ]
  static override strict = false
  static override args = {
    results: Args.string({description: 'results.json file(s)', required: true}),
  }
  static override flags = {
    format: Flags.string({char: 'f', description: 'what to write', options: [...FORMATS]}),
    csv: Flags.boolean({description: 'the same as --format csv'}),
    out: Flags.string({char: 'o', description: 'file to write (default: standard output)'}),
  }

  async run(): Promise<{format: string; entries: number; out?: string}> {
    const {argv, flags} = await this.parse(Export)
    const {UsageError} = await import('../core/errors.js')
    const format = flags.format ?? (flags.csv ? 'csv' : undefined)
    if (!format) throw new UsageError(`export: choose a format: --format ${FORMATS.join('|')}`)
    if (flags.csv && format !== 'csv') throw new UsageError(`export: --csv and --format ${format} disagree: give one`)
    const {loadResultsFile} = await import('../report/load-results.js')
    const runs = (argv as string[]).map((f) => loadResultsFile(f))
    let text: string
    let entries: number
    if (format === 'csv') {
      const {samplesCsv} = await import('../report/csv.js')
      text = samplesCsv(runs)
      entries = runs.reduce((n, r) => n + r.samples.length, 0)
    } else {
      const {ensureAnalysis} = await import('../report/index.js')
      for (const r of runs) await ensureAnalysis(r)
      const {bencherMetricFormat, githubBenchmark} = await import('../report/dashboards.js')
      const data = format === 'bmf' ? bencherMetricFormat(runs) : githubBenchmark(runs, format as 'customSmallerIsBetter' | 'customBiggerIsBetter')
      entries = Array.isArray(data) ? data.length : Object.values(data).reduce((n, m) => n + Object.keys(m).length, 0)
      text = JSON.stringify(data, null, 2) + '\n'
    }
    if (flags.out) {
      const {writeOutputFile} = await import('../host/fs.js')
      writeOutputFile(flags.out, text, 'export --out')
      if (!this.jsonEnabled()) this.log(`${format}: ${flags.out} (${entries} ${format === 'csv' ? 'samples' : 'entries'})`)
    } else if (!this.jsonEnabled()) process.stdout.write(text)
    return {format, entries, out: flags.out}
  }
}
