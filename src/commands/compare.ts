import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Compare extends BaseCommand {
  static override summary = 'Compare two runs: the change of every figure with its CI and a verdict; a CI gate.'
  static override description = `For every metric × figure × workload × params × arm measured in both runs: median(new)/median(base) with a 95% bootstrap CI and a permutation-test p-value, and a verdict — regression or improvement (significant and at least --threshold), equivalent (the whole CI within ±threshold) or inconclusive. Whether lower or higher is better comes from each figure.

Formats: table (terminal), markdown (CI job summaries, e.g. >> $GITHUB_STEP_SUMMARY), json, junit (CI test views; regressions are failures, inconclusive cells are skipped).

Exit codes: 0 no significant regression beyond the threshold, 1 at least one, 2 bad input.`
  static override examples = [
    '<%= config.bin %> compare base/results.json new/results.json',
    '<%= config.bin %> compare base.json new.json --threshold 10% --format markdown >> "$GITHUB_STEP_SUMMARY"',
    '<%= config.bin %> compare base.json new.json --format junit > isobench-junit.xml',
  ]
  static override args = {
    base: Args.string({description: 'results.json of the base (reference) run', required: true}),
    new: Args.string({description: 'results.json of the new run', required: true}),
  }
  static override flags = {
    threshold: Flags.string({
      description:
        "smallest change that counts as a regression or improvement (default: this host's calibrated noise floor per cell, see `isobench calibrate`, else 5%)",
    }),
    'state-dir': Flags.string({description: "state directory holding the host's calibration (default: the config stateDir)", env: 'ISOBENCH_STATE_DIR'}),
    config: Flags.string({description: 'config file (default: ./bench.config.ts)'}),
    format: Flags.string({char: 'f', description: 'output format', options: ['table', 'markdown', 'json', 'junit'], default: 'table'}),
    alpha: Flags.string({description: 'significance level of the permutation test', default: '0.05'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Compare)
    const {loadResultsFile} = await import('../report/load-results.js')
    const {parsePercent} = await import('../cli/units.js')
    const {compareRuns} = await import('../engine/compare-runs.js')
    const {formatComparison} = await import('../report/compare-format.js')
    const alpha = parsePercent(flags.alpha, '--alpha')
    const base = loadResultsFile(args.base)
    const next = loadResultsFile(args.new)
    const seed = (next.config as {seed?: number} | undefined)?.seed ?? 1
    let threshold = 0.05
    let thresholdSource = 'default 5% (no calibration of this host: `isobench calibrate`)'
    let thresholdFor
    if (flags.threshold !== undefined) {
      threshold = parsePercent(flags.threshold, '--threshold')
      thresholdSource = `--threshold ${flags.threshold}`
    } else {
      // The new run's host: its calibrated noise floor at each cell's n is the threshold; 5% where it has none.
      const {resolveStateDir} = await import('../cli/flags.js')
      const {loadCalibration} = await import('../engine/calibrate/store.js')
      const {calibratedThreshold} = await import('../engine/calibrate/lookup.js')
      const cal = loadCalibration(await resolveStateDir(flags), next.host)
      if (cal) {
        thresholdFor = (cell: Parameters<typeof calibratedThreshold>[1], n: number) => calibratedThreshold(cal, cell, n)
        thresholdSource = `calibration ${cal.hostKey} of ${cal.createdAt} (noise floor at each cell's n; 5% for cells it lacks)`
      }
    }
    const comparison = compareRuns(base, next, {threshold, thresholdFor, thresholdSource, alpha, seed, baseFile: args.base, newFile: args.new})
    if (!this.jsonEnabled()) this.log(formatComparison(comparison, flags.format as 'table'))
    if (comparison.counts.regression > 0) process.exitCode = 1
    return comparison
  }
}
