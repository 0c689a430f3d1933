import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Export extends BaseCommand {
  static override summary = 'Export every sample of results.json files as CSV.'
  static override description = `One row per sample (failed samples included, with value empty and the error), one column per cell parameter (param.*), per startup phase (phase.*) and per attribution counter (counter.*, with counters.mode: window or lifetime). RFC 4180 quoting; text that a spreadsheet would evaluate as a formula is prefixed with '.

Exit codes: 0 written, 2 bad input.`
  static override examples = [
    '<%= config.bin %> export reports/latest/results.json --csv > samples.csv',
    '<%= config.bin %> export a.json b.json --csv --out all.csv',
  ]
  static override strict = false
  static override args = {
    results: Args.string({description: 'results.json file(s)', required: true}),
  }
  static override flags = {
    csv: Flags.boolean({description: 'CSV of all samples (the only format so far; required)'}),
    out: Flags.string({char: 'o', description: 'file to write (default: standard output)'}),
  }

  async run(): Promise<{rows: number; out?: string}> {
    const {argv, flags} = await this.parse(Export)
    const {UsageError} = await import('../core/errors.js')
    if (!flags.csv) throw new UsageError('export: choose a format: --csv')
    const {loadResultsFile} = await import('../report/load-results.js')
    const {samplesCsv} = await import('../report/csv.js')
    const runs = (argv as string[]).map((f) => loadResultsFile(f))
    const csv = samplesCsv(runs)
    const rows = runs.reduce((n, r) => n + r.samples.length, 0)
    if (flags.out) {
      const {writeOutputFile} = await import('../host/fs.js')
      writeOutputFile(flags.out, csv, 'export --out')
      if (!this.jsonEnabled()) this.log(`csv: ${flags.out} (${rows} samples)`)
    } else if (!this.jsonEnabled()) process.stdout.write(csv)
    return {rows, out: flags.out}
  }
}
